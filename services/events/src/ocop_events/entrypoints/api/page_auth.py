"""Who may use the trade-promotion console; sign-in itself is shared (web.console_auth)."""

from __future__ import annotations

from ocop_shared.auth import Principal, Role
from ocop_shared.web.console_auth import page_principal

__all__ = ["is_staff", "page_principal"]


def is_staff(principal: Principal | None) -> bool:
    return principal is not None and principal.has_any(Role.TRADE_STAFF)
