"""`ocop token`: mint a development JWT signed with the local secret."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import typer

from ocop_platform.cli.console import fail
from ocop_shared.roles import Role

if TYPE_CHECKING:
    from ocop_shared.settings import ServiceSettings


def _dev_settings() -> ServiceSettings:
    from ocop_shared.settings import ServiceSettings

    settings = ServiceSettings()
    if settings.jwt_public_key:
        raise fail(
            "OCOP_JWT_PUBLIC_KEY đã được đặt: token do nhà cung cấp định danh cấp "
            "(tokens come from the identity provider, not from this CLI)",
            code=2,
        )
    return settings


def token(
    role: list[Role] = typer.Option(
        ..., "--role", help="Vai trò, lặp lại được (role, repeatable)."
    ),
    subject: str = typer.Option("dev-user", help="Chủ thể của token (subject)."),
    producer_id: str | None = typer.Option(None, help="Gắn với chủ thể OCOP (producer scope)."),
    showroom_id: list[str] = typer.Option(
        [], "--showroom-id", help="Điểm bán được phép (showroom scope, repeatable)."
    ),
    name: str | None = typer.Option(None, help="Tên hiển thị (display name)."),
    ttl_hours: float = typer.Option(8.0, min=0.01, help="Thời hạn, giờ (lifetime in hours)."),
) -> None:
    """In một JWT phát triển (print a development JWT signed with the local secret)."""
    from ocop_shared.auth import mint_token

    settings = _dev_settings()
    typer.echo(
        mint_token(
            settings,
            subject=subject,
            roles=list(role),
            producer_id=producer_id,
            showroom_ids=list(showroom_id),
            name=name,
            ttl=timedelta(hours=ttl_hours),
        )
    )
