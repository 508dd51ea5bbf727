"""`ocop infra up|down|status`: the local Kafka broker and MongoDB-wire server."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from ocop_platform.cli.console import err, fail, out

if TYPE_CHECKING:  # imported when a command runs: `ocop --help` stays fast
    from rich.table import Table

    from ocop_platform.infra import Endpoints

infra_app = typer.Typer(
    help="Kafka và MongoDB cục bộ (local Kafka broker and MongoDB-wire server).",
    no_args_is_help=True,
)


def endpoint_table(endpoints: Endpoints) -> Table:
    from rich.table import Table

    table = Table(show_header=False, box=None)
    for key, value in endpoints.as_env().items():
        table.add_row(f"[bold]{key}[/]", value)
    return table


def start_infra() -> Endpoints:
    from ocop_platform.infra import InfraError, infra_up

    try:
        with err.status("Đang khởi động Kafka và MongoDB (starting Kafka and MongoDB)…"):
            return infra_up()
    except InfraError as exc:
        raise fail(f"không khởi động được hạ tầng (infrastructure failed to start): {exc}") from exc


@infra_app.command("up")
def infra_up_command() -> None:
    """Khởi động Kafka và MongoDB (start them, or reuse those already running)."""
    endpoints = start_infra()
    out.print(endpoint_table(endpoints))


@infra_app.command("down")
def infra_down_command() -> None:
    """Dừng Kafka và MongoDB cục bộ (stop the local servers; external ones are left alone)."""
    from ocop_platform.infra import InfraError, infra_down

    try:
        infra_down()
    except InfraError as exc:
        raise fail(str(exc)) from exc
    out.print("Đã dừng Kafka và MongoDB (stopped).")


@infra_app.command("status")
def infra_status_command() -> None:
    """Trạng thái Kafka và MongoDB (status table)."""
    from rich.table import Table

    from ocop_platform.infra import default_state_dir, infra_status

    status = infra_status()
    table = Table(title=f"Hạ tầng (infrastructure) – {default_state_dir()}")
    table.add_column("Máy chủ (server)")
    table.add_column("Trạng thái (state)")
    table.add_column("Quản lý (managed)")
    table.add_column("PID", justify="right")
    table.add_column("Địa chỉ (endpoint)", overflow="fold")
    for service in (status.kafka, status.mongodb):
        table.add_row(
            service.name,
            "[green]đang chạy (running)[/]" if service.running else "[red]đã dừng (stopped)[/]",
            "cục bộ (local)" if service.managed else "bên ngoài (external)",
            str(service.pid) if service.pid is not None else "–",
            service.endpoint or "–",
        )
    out.print(table)
