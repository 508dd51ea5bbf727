"""Who is looking at a console page: the bearer token kept in a cookie after signing in.

The identity provider (or `ocop token`) issues the token; /dang-nhap stores it in an
HttpOnly, SameSite=Lax cookie so form posts from other sites carry no credentials.
"""

from __future__ import annotations

from fastapi import Request

from ocop_shared.auth import AuthError, Principal, Role, decode_token
from ocop_shared.settings import ServiceSettings

COOKIE = "ocop_token"


def page_principal(request: Request) -> Principal | None:
    settings: ServiceSettings = request.app.state.settings
    token = request.cookies.get(COOKIE)
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        token = header[7:]
    if not token:
        return None
    try:
        return decode_token(token, settings)
    except AuthError:
        return None


def is_staff(principal: Principal | None) -> bool:
    return principal is not None and principal.has_any(Role.TRADE_STAFF)
