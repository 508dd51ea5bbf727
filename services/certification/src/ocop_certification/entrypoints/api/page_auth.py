"""Page sign-in: the console accepts the bearer header or the same JWT from a cookie.

Browsers cannot attach a bearer header to a link, so pages also accept the JWT from an
HttpOnly cookie set by the sign-in page (SameSite=Lax keeps other sites from posting forms
with it).
"""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from ocop_shared.auth import AuthError, Principal, Role, decode_token
from ocop_shared.web.pages import service_templates

templates = service_templates(FilePath(__file__).parent.parent / "templates")
COOKIE = "ocop_token"
STAFF_ROLES = (Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER, Role.COUNCIL_MEMBER)
CONSOLE_ROLES = (*STAFF_ROLES, Role.PRODUCER)


def principal(request: Request) -> Principal | None:
    """Who is signed in (header first, then cookie); None sends the browser to sign in."""
    header = request.headers.get("authorization", "")
    token = header[7:] if header.lower().startswith("bearer ") else request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        who = decode_token(token, request.app.state.settings)
    except AuthError:
        return None
    return who if who.has_any(*CONSOLE_ROLES) else None


def sign_in_redirect(request: Request) -> RedirectResponse:
    return RedirectResponse(f"/dang-nhap?next={request.url.path}", status_code=303)


def page(request: Request, name: str, who: Principal, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, {"who": who, **context})
