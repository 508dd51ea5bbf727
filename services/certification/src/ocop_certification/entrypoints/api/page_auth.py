"""Who may use the certification console; sign-in itself is shared (web.console_auth)."""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from ocop_shared.auth import Principal, Role
from ocop_shared.web.console_auth import page_principal, sign_in_redirect, sign_in_router
from ocop_shared.web.pages import service_templates

templates = service_templates(FilePath(__file__).parent.parent / "templates")

STAFF_ROLES = (Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER, Role.COUNCIL_MEMBER)
CONSOLE_ROLES = (*STAFF_ROLES, Role.PRODUCER)

sign_in_routes = sign_in_router(
    templates, default_next="/ho-so", hint="ocop token --role province_officer"
)

__all__ = ["page", "principal", "sign_in_redirect", "sign_in_routes", "templates"]


def principal(request: Request) -> Principal | None:
    """Who is signed in with a console role; None sends the browser to sign in."""
    who = page_principal(request)
    return who if who is not None and who.has_any(*CONSOLE_ROLES) else None


def page(request: Request, name: str, who: Principal, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, {"who": who, **context})
