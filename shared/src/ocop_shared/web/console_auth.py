"""Console sign-in shared by every service's pages.

Browsers cannot attach a bearer header to a link, so console pages also accept the JWT from
an HttpOnly cookie set by ``/dang-nhap``. SameSite=Strict keeps other sites from posting forms
with it; the cookie is Secure in production. The token never travels in a URL (URLs end up
in logs and browser history).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from ocop_shared.auth import AuthError, Principal, decode_token
from ocop_shared.settings import ServiceSettings

COOKIE = "ocop_token"
SESSION_SECONDS = 8 * 3600


def page_principal(request: Request) -> Principal | None:
    """Who is signed in (bearer header first, then the cookie); None when nobody valid is."""
    header = request.headers.get("authorization", "")
    token = header[7:] if header.lower().startswith("bearer ") else request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        return decode_token(token, request.app.state.settings)
    except AuthError:
        return None


def local_path(candidate: str | None, default: str) -> str:
    """``candidate`` if it is a path on this site, else ``default`` (no open redirects)."""
    if candidate and candidate.startswith("/") and not candidate.startswith(("//", "/\\")):
        return candidate
    return default


def sign_in_redirect(request: Request, prefix: str = "") -> RedirectResponse:
    return RedirectResponse(f"{prefix}/dang-nhap?next={quote(request.url.path)}", status_code=303)


def sign_in_router(
    templates: Jinja2Templates, *, default_next: str, hint: str, prefix: str = ""
) -> APIRouter:
    """``{prefix}/dang-nhap`` (GET form, POST token) and ``{prefix}/dang-xuat`` for a console.

    ``templates`` must find ``base.html`` (the service's own) and the shared ``sign_in.html``;
    ``hint`` tells a developer how to get a token.
    """
    router = APIRouter(prefix=prefix, include_in_schema=False)
    action = f"{prefix}/dang-nhap"

    def form(request: Request, next_path: str, error: str | None, status: int) -> HTMLResponse:
        return templates.TemplateResponse(
            request,
            "sign_in.html",
            {"next": next_path, "error": error, "hint": hint, "action": action},
            status_code=status,
        )

    @router.get("/dang-nhap", response_class=HTMLResponse)
    async def sign_in_page(
        request: Request, next: Annotated[str, Query(max_length=200)] = default_next
    ) -> HTMLResponse:
        return form(request, local_path(next, default_next), None, 200)

    @router.post("/dang-nhap")
    async def sign_in(
        request: Request,
        token: Annotated[str, Form(max_length=4000)],
        next: Annotated[str, Form(max_length=200)] = default_next,
    ) -> Response:
        settings: ServiceSettings = request.app.state.settings
        target = local_path(next, default_next)
        try:
            decode_token(token.strip(), settings)
        except AuthError:
            return form(request, target, "Mã đăng nhập không hợp lệ hoặc đã hết hạn", 401)
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            COOKIE,
            token.strip(),
            httponly=True,
            samesite="strict",
            max_age=SESSION_SECONDS,
            secure=settings.environment == "production",
        )
        return response

    # POST only: a link or an image on another site must not be able to sign people out.
    @router.post("/dang-xuat")
    async def sign_out() -> Response:
        response = RedirectResponse(action if prefix else "/", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    return router
