"""FastAPI dependencies for bearer tokens, roles and scopes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ocop_shared.auth import AuthError, Principal, Role, decode_token
from ocop_shared.settings import ServiceSettings

_bearer = HTTPBearer(auto_error=False, description="JWT do nhà cung cấp định danh cấp")


def _settings(request: Request) -> ServiceSettings:
    settings: ServiceSettings = request.app.state.settings
    return settings


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise HTTPException(401, "Thiếu token xác thực", headers={"WWW-Authenticate": "Bearer"})
    try:
        return decode_token(credentials.credentials, _settings(request))
    except AuthError as exc:
        raise HTTPException(
            401, "Token không hợp lệ hoặc đã hết hạn", headers={"WWW-Authenticate": "Bearer"}
        ) from exc


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]

ROLE_LABELS_VI = {
    Role.ADMIN: "quản trị",
    Role.PROVINCE_OFFICER: "cán bộ OCOP tỉnh",
    Role.COMMUNE_OFFICER: "cán bộ OCOP xã",
    Role.COUNCIL_MEMBER: "thành viên hội đồng đánh giá",
    Role.PRODUCER: "chủ thể OCOP",
    Role.SHOWROOM_OPERATOR: "người vận hành điểm bán",
    Role.TRADE_STAFF: "cán bộ xúc tiến thương mại",
    Role.BUYER: "người mua",
}
"""How a role is named to people; the enum value is for tokens and machines."""


def require_roles(*roles: Role) -> Callable[[Principal], Principal]:
    """A dependency that lets through admins and the given roles, 403 for anyone else."""

    def check(principal: CurrentPrincipal) -> Principal:
        if not principal.has_any(*roles):
            allowed = ", ".join(ROLE_LABELS_VI.get(r, r.value) for r in roles)
            raise HTTPException(403, f"Cần một trong các vai trò: {allowed}")
        return principal

    return check
