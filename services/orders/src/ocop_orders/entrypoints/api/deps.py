"""Dependencies of the orders API: the service context, principals, scoped showrooms."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request

from ocop_orders.adapters.repository import OrdersRepository
from ocop_orders.domain.model import Showroom
from ocop_orders.service_layer.unit_of_work import Orders
from ocop_shared.auth import Principal, Role, ensure_showroom_scope
from ocop_shared.web.console_auth import page_principal
from ocop_shared.web.security import require_roles


def get_orders(request: Request) -> Orders:
    orders: Orders = request.app.state.orders
    return orders


OrdersDep = Annotated[Orders, Depends(get_orders)]

Operator = Annotated[Principal, Depends(require_roles(Role.SHOWROOM_OPERATOR))]
"""A showroom operator (scoped to their showrooms) or an admin."""
Manager = Annotated[Principal, Depends(require_roles(Role.TRADE_STAFF))]
"""Who opens showrooms and kiosks: trade-promotion staff or an admin."""
AnyStaff = Annotated[Principal, Depends(require_roles(Role.SHOWROOM_OPERATOR, Role.TRADE_STAFF))]

ShowroomId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
ItemId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


def scoped_showroom(showroom_id: ShowroomId, principal: Operator) -> str:
    """The showroom id from the path, once the caller is known to operate it (else 403)."""
    ensure_showroom_scope(principal, showroom_id)
    return showroom_id


ScopedShowroom = Annotated[str, Depends(scoped_showroom)]


async def showroom_in_scope(orders: Orders, user: Principal, showroom_id: str) -> Showroom:
    """The showroom a console page or export is about, once the user may see it (else 403)."""
    ensure_showroom_scope(user, showroom_id)
    return await OrdersRepository(orders.db).get_showroom(showroom_id)


def console_principal(request: Request) -> Principal | None:
    """Pages: the bearer header or the console's session cookie; None when not signed in."""
    return page_principal(request)


class LoginRequiredError(Exception):
    """A console page without a signed-in operator: the app redirects to the sign-in page."""


def signed_in_operator(
    principal: Annotated[Principal | None, Depends(console_principal)],
) -> Principal:
    if principal is None:
        raise LoginRequiredError
    if not principal.has_any(Role.SHOWROOM_OPERATOR):
        raise HTTPException(403, "Cần vai trò người vận hành điểm bán")
    return principal


ConsoleUser = Annotated[Principal, Depends(signed_in_operator)]


def signed_in_manager(
    principal: Annotated[Principal | None, Depends(console_principal)],
) -> Principal:
    if principal is None:
        raise LoginRequiredError
    if not principal.has_any(Role.TRADE_STAFF):
        raise HTTPException(403, "Cần vai trò cán bộ xúc tiến thương mại hoặc quản trị")
    return principal


ConsoleManager = Annotated[Principal, Depends(signed_in_manager)]
