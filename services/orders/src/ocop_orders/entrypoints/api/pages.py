"""Shared page helpers of the orders consoles: templates, sign-in, rendering and form posts.

Every feature's pages (showroom, e-commerce, marketplace, producers) render through
`render_page` and post through `attempt`, so messages and redirects look the same everywhere.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path as FilePath
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from ocop_orders.domain.model import Showroom
from ocop_shared.auth import Principal
from ocop_shared.errors import DomainError
from ocop_shared.web.console_auth import sign_in_router
from ocop_shared.web.pages import service_templates

templates = service_templates(FilePath(__file__).parent.parent / "templates")
sign_in_routes = sign_in_router(
    templates,
    prefix="/quay",
    default_next="/quay/",
    hint="ocop token --role showroom_operator --showroom-id <mã điểm bán>",
)

METHODS = {"cash": "Tiền mặt", "bank_transfer": "Chuyển khoản / VietQR", "card": "Thẻ"}
Message = Annotated[str | None, Query(max_length=500)]


def render_page(
    request: Request,
    template: str,
    user: Principal | None,
    *,
    title: str,
    showroom: Showroom | None = None,
    active: str = "",
    **context: Any,
) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        template,
        {
            "page_title": title,
            "user": user,
            "showroom": showroom,
            "active": active,
            "ok": request.query_params.get("ok"),
            "error": request.query_params.get("loi"),
            "methods": METHODS,
            **context,
        },
    )


def redirect_back(
    path: str, *, ok: str | None = None, error: str | None = None
) -> RedirectResponse:
    query = urlencode({k: v for k, v in (("ok", ok), ("loi", error)) if v})
    return RedirectResponse(f"{path}?{query}" if query else path, status_code=303)


def explain(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        return f"Dữ liệu không hợp lệ ({where}): {first.get('msg', '')}"
    assert isinstance(exc, DomainError)
    return exc.detail


async def attempt(
    action: Callable[[], Awaitable[Any]], *, done: str, ok: str, failed: str
) -> RedirectResponse:
    try:
        result = await action()
    except (DomainError, ValidationError) as exc:
        return redirect_back(failed, error=explain(exc))
    target = done.format(result=result) if "{" in done else done
    return redirect_back(target, ok=ok)


async def read_form(request: Request) -> dict[str, str]:
    data = await request.form()
    return {k: v.strip() for k, v in data.items() if isinstance(v, str)}
