"""`ocop calls redrive`: send parked outbound connector calls again (marketplaces, carriers).

Calls to a marketplace or a carrier that kept failing are parked by the orders service; once
the partner is back, operators re-drive them. The orders API does the work; this command
asks it and prints what it re-drove.
"""

from __future__ import annotations

from typing import Any

import httpx
import typer
from rich.table import Table

from ocop_shared.cli.console import fail, out
from ocop_shared.cli.services import api_token, service_url

REDRIVE_PATH = "/api/v1/outbound-calls/redrive"
"""The orders service's endpoint for re-driving parked calls (agree it with the orders team)."""

calls_app = typer.Typer(
    help="Lệnh gọi ra đối tác (outbound connector calls).", no_args_is_help=True
)


def redrive_request(
    client: httpx.Client, *, channel: str | None, call_ids: list[str], dry_run: bool
) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if channel:
        body["channel"] = channel
    if call_ids:
        body["call_ids"] = call_ids
    if dry_run:
        body["dry_run"] = True
    response = client.post(REDRIVE_PATH, json=body)
    if response.status_code == 404 and "application/problem+json" not in response.headers.get(
        "content-type", ""
    ):
        raise fail(f"dịch vụ đơn hàng chưa có {REDRIVE_PATH} (the orders API lacks it)")
    if response.status_code >= 400:
        raise fail(f"đơn hàng từ chối (HTTP {response.status_code}): {response.text[:500]}")
    result: dict[str, Any] = response.json() if response.content else {}
    return result


@calls_app.command("redrive")
def redrive(
    channel: str | None = typer.Option(
        None, help="Chỉ một kênh/đối tác (e.g. shopee, tiki, viettel_post)."
    ),
    call_id: list[str] = typer.Option([], "--id", help="Chỉ các lệnh gọi này (repeatable)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Chỉ liệt kê, không gửi lại."),
    token: str | None = typer.Option(None, envvar="OCOP_TOKEN", help="Token (dev: tự tạo)."),
) -> None:
    """Gửi lại các lệnh gọi đối tác đang bị treo (re-drive parked outbound calls)."""
    base_url = service_url("orders")
    headers = {"Authorization": f"Bearer {api_token(token)}"}
    try:
        with httpx.Client(base_url=base_url, headers=headers, timeout=120) as client:
            result = redrive_request(client, channel=channel, call_ids=call_id, dry_run=dry_run)
    except httpx.HTTPError as exc:
        raise fail(f"không gọi được dịch vụ đơn hàng {base_url}: {exc}") from exc
    calls = result.get("calls") or result.get("items") or []
    count = result.get("redriven", result.get("count", len(calls)))
    if isinstance(calls, list) and calls:
        table = Table("Mã", "Kênh", "Thao tác", "Trạng thái", title="Lệnh gọi (calls)")
        for call in calls:
            if isinstance(call, dict):
                table.add_row(
                    str(call.get("id", "")),
                    str(call.get("channel", "")),
                    str(call.get("operation", call.get("kind", ""))),
                    str(call.get("status", "")),
                )
        out.print(table)
    verb = "Sẽ gửi lại" if dry_run else "Đã gửi lại"
    out.print(f"{verb} {count} lệnh gọi (calls re-driven).")
