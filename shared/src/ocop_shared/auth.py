"""Bearer-JWT authentication with roles and scopes (OIDC-compatible claims)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ocop_shared.errors import ForbiddenError
from ocop_shared.roles import Role as Role  # re-exported: every caller imports it from here
from ocop_shared.settings import ServiceSettings


class Principal(BaseModel):
    """Who is calling: subject, roles, and the producer / showrooms they are tied to."""

    model_config = ConfigDict(frozen=True)

    subject: str
    roles: frozenset[Role]
    producer_id: str | None = None
    showroom_ids: frozenset[str] = Field(default_factory=frozenset)
    name: str | None = None

    def has_any(self, *roles: Role) -> bool:
        return Role.ADMIN in self.roles or bool(self.roles.intersection(roles))

    def may_act_for_producer(self, producer_id: str) -> bool:
        """Staff act for any producer; a producer account only for its own producer id."""
        if self.has_any(Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER, Role.TRADE_STAFF):
            return True
        return Role.PRODUCER in self.roles and self.producer_id == producer_id

    def may_operate_showroom(self, showroom_id: str) -> bool:
        """Operators see and change only the showrooms their token names."""
        if Role.ADMIN in self.roles:
            return True
        return Role.SHOWROOM_OPERATOR in self.roles and showroom_id in self.showroom_ids


def ensure_producer_scope(principal: Principal, producer_id: str) -> None:
    if not principal.may_act_for_producer(producer_id):
        raise ForbiddenError("Tài khoản không thuộc chủ thể này", field="producer_id")


def ensure_showroom_scope(principal: Principal, showroom_id: str) -> None:
    if not principal.may_operate_showroom(showroom_id):
        raise ForbiddenError("Tài khoản không được giao điểm bán này", field="showroom_id")


class AuthError(Exception):
    """The token is missing, malformed, expired or not signed by us."""


def _verification_key(settings: ServiceSettings) -> tuple[Any, list[str]]:
    if settings.jwt_public_key:
        return settings.jwt_public_key, ["RS256", "ES256"]
    return settings.jwt_secret.get_secret_value(), ["HS256"]


def decode_token(token: str, settings: ServiceSettings) -> Principal:
    key, algorithms = _verification_key(settings)
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=algorithms,
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": ["exp", "sub", "iss", "aud"]},
        )
        return Principal(
            subject=claims["sub"],
            roles=frozenset(claims.get("roles", [])),
            producer_id=claims.get("producer_id"),
            showroom_ids=frozenset(claims.get("showroom_ids", [])),
            name=claims.get("name"),
        )
    except (jwt.PyJWTError, ValidationError, KeyError) as exc:
        raise AuthError(str(exc)) from exc


def mint_token(
    settings: ServiceSettings,
    *,
    subject: str,
    roles: list[Role],
    producer_id: str | None = None,
    showroom_ids: list[str] | None = None,
    name: str | None = None,
    ttl: timedelta = timedelta(hours=8),
) -> str:
    """Development tokens signed with the shared HS256 secret (never in production)."""
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": subject,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + ttl,
        "roles": [str(r) for r in roles],
    }
    if producer_id:
        claims["producer_id"] = producer_id
    if showroom_ids:
        claims["showroom_ids"] = showroom_ids
    if name:
        claims["name"] = name
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm="HS256")
