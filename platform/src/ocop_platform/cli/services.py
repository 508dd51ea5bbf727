"""Where the operations commands find the running services, and the token they send.

Addresses are the portal's (`PORTAL_<SERVICE>_URL`, else 127.0.0.1 on `OCOP_<SERVICE>_PORT`),
so one environment serves both; the token is `--token` / `OCOP_TOKEN`, else a development
admin token minted with the local secret.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ocop_platform.cli.console import fail

if TYPE_CHECKING:  # imported when a command runs: `ocop --help` stays fast
    from ocop_platform.portal.config import PortalSettings


def service_url(key: str, settings: PortalSettings | None = None) -> str:
    """The base URL of service ``key`` (certification, catalog, orders, events)."""
    from ocop_platform.portal.config import SERVICES, PortalSettings

    config = settings or PortalSettings()
    for service in SERVICES:
        if service.key == key:
            return config.internal_url(service)
    known = ", ".join(s.key for s in SERVICES)
    raise fail(f"không có dịch vụ {key!r} (unknown service); có: {known}")


def api_token(explicit: str | None, subject: str = "ocop-cli") -> str:
    if explicit:
        return explicit
    from ocop_shared.auth import Role, mint_token
    from ocop_shared.settings import ServiceSettings

    settings = ServiceSettings()
    if settings.jwt_public_key:
        raise fail(
            "cần --token hoặc OCOP_TOKEN: token do nhà cung cấp định danh cấp "
            "(OCOP_JWT_PUBLIC_KEY is set, pass a token)",
            code=2,
        )
    return mint_token(settings, subject=subject, roles=[Role.ADMIN])
