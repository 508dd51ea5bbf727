"""`ocop calls list|redrive`: parked outbound connector calls (marketplaces, carriers).

Calls to a marketplace or a carrier that kept failing are parked by the orders service; once
the partner is back, operators re-drive them. The orders API does the work
(``GET /api/v1/calls``, ``POST /api/v1/calls/redrive``); this command asks it and prints
what it found or re-drove. (``ocop-orders calls …`` does the same straight on the database.)
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

import typer

from ocop_platform.cli.console import fail, out
from ocop_platform.cli.services import api_token, service_url

if TYPE_CHECKING:  # imported when a command runs: `ocop --help` stays fast
    import httpx

CALLS_PATH = "/api/v1/calls"
REDRIVE_PATH = "/api/v1/calls/redrive"

calls_app = typer.Typer(
    help="Lệnh gọi ra đối tác (outbound connector calls).", no_args_is_help=True
)


def _answer(response: httpx.Response) -> Any:
    if response.status_code >= 400:
        raise fail(f"dịch vụ đơn hàng từ chối (HTTP {response.status_code}): {response.text[:500]}")
    return response.json() if response.content else None


def parked_calls(client: httpx.Client, *, target: str | None) -> list[dict[str, Any]]:
    params = {"outcome": "parked", **({"target": target} if target else {})}
    found = _answer(client.get(CALLS_PATH, params=params))
    return [c for c in found or [] if isinstance(c, dict)]


def redrive_request(client: httpx.Client, *, target: str | None, call_ids: list[str]) -> list[str]:
    """The ids put back to pending: one request per given id, or one for every parked call."""
    bodies: list[dict[str, Any]] = (
        [{"call_id": one} for one in call_ids]
        if call_ids
        else [{"target": target} if target else {}]
    )
    redriven: list[str] = []
    for body in bodies:
        answer = _answer(client.post(REDRIVE_PATH, json=body)) or {}
        redriven.extend(str(one) for one in answer.get("redriven", []))
    return redriven


def _client(token: str | None) -> httpx.Client:
    import httpx

    headers = {"Authorization": f"Bearer {api_token(token)}"}
    return httpx.Client(base_url=service_url("orders"), headers=headers, timeout=120)


def _show(calls: list[dict[str, Any]]) -> None:
    from rich.table import Table

    table = Table("Mã", "Đối tác", "Thao tác", "Lần thử", "Lỗi cuối", title="Lệnh gọi bị treo")
    for call in calls:
        table.add_row(
            str(call.get("id", "")),
            str(call.get("target", "")),
            str(call.get("operation", "")),
            str(call.get("tries", "")),
            str(call.get("last_error") or "")[:80],
        )
    out.print(table)


class Target(StrEnum):
    """The partners the orders service calls (its connectors' targets)."""

    POSTMART = "postmart"
    VOSO = "voso"
    VIETTELPOST = "viettelpost"


TARGET = typer.Option(
    None, "--target", case_sensitive=False, help="Chỉ một đối tác (only one partner)."
)
TOKEN = typer.Option(None, envvar="OCOP_TOKEN", help="Token (dev: tự tạo).")


@calls_app.command("list")
def list_parked(target: Target | None = TARGET, token: str | None = TOKEN) -> None:
    """Liệt kê các lệnh gọi đang bị treo (parked calls)."""
    import httpx

    try:
        with _client(token) as client:
            calls = parked_calls(client, target=target)
    except httpx.HTTPError as exc:
        raise fail(f"không gọi được dịch vụ đơn hàng: {exc}") from exc
    _show(calls)
    out.print(f"{len(calls)} lệnh gọi bị treo (parked).")


@calls_app.command("redrive")
def redrive(
    target: Target | None = TARGET,
    call_id: list[str] = typer.Option([], "--id", help="Chỉ các lệnh gọi này (repeatable)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Chỉ liệt kê, không gửi lại."),
    token: str | None = TOKEN,
) -> None:
    """Gửi lại các lệnh gọi đối tác đang bị treo (re-drive parked outbound calls)."""
    import httpx

    try:
        with _client(token) as client:
            if dry_run:
                calls = parked_calls(client, target=target)
                _show(calls)
                out.print(f"Sẽ gửi lại {len(calls)} lệnh gọi (dry run).")
                return
            redriven = redrive_request(client, target=target, call_ids=call_id)
    except httpx.HTTPError as exc:
        raise fail(f"không gọi được dịch vụ đơn hàng: {exc}") from exc
    out.print(f"Đã gửi lại {len(redriven)} lệnh gọi (calls re-driven): {', '.join(redriven)}")
