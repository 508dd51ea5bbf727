"""`ocop-orders`: run the showroom API and console."""

from __future__ import annotations

import typer
import uvicorn

app = typer.Typer(help="Điểm bán sản phẩm OCOP (orders service).", no_args_is_help=True)


@app.callback()
def main() -> None:
    """Điểm bán sản phẩm OCOP (orders service)."""


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Địa chỉ lắng nghe (bind host)."),
    port: int = typer.Option(8003, envvar="OCOP_ORDERS_PORT", help="Cổng (port)."),
) -> None:
    """Chạy API và màn hình quầy (run the HTTP API and console with uvicorn)."""
    uvicorn.run("ocop_orders.entrypoints.api:create_app", factory=True, host=host, port=port)


# --- Outbound partner calls and marketplace connectors ------------------------------------

calls_app = typer.Typer(help="Nhật ký lệnh gọi đối tác (outbound call journal).")
listings_app = typer.Typer(help="Tin đăng trên sàn TMĐT (marketplace listings).")
app.add_typer(calls_app, name="calls")
app.add_typer(listings_app, name="listings")


@calls_app.command("redrive")
def calls_redrive(
    target: str | None = typer.Option(None, help="Chỉ đối tác này (postmart, voso, ...)."),
    call_id: str | None = typer.Option(None, "--id", help="Chỉ lệnh gọi này."),
) -> None:
    """Đưa các lệnh gọi bị dừng vào hàng thử lại (redrive parked calls)."""
    import asyncio

    from rich.progress import Progress

    from ocop_orders.config import OrdersSettings
    from ocop_orders.service_layer import outbound
    from ocop_shared.runtime import open_runtime
    from ocop_shared.timeutil import Clock

    async def run() -> int:
        runtime = await open_runtime(OrdersSettings())
        try:
            ids = [call_id] if call_id else await outbound.parked_ids(runtime.db, target=target)
            done = 0
            with Progress() as progress:
                task = progress.add_task("Thử lại lệnh gọi", total=len(ids))
                for one in ids:
                    done += len(
                        await outbound.redrive(
                            runtime.db, now=Clock().now(), target=target, call_id=one
                        )
                    )
                    progress.advance(task)
            return done
        finally:
            await runtime.close()

    count = asyncio.run(run())
    typer.echo(f"Đã đưa {count} lệnh gọi vào hàng thử lại.")


@calls_app.command("list")
def calls_list(
    outcome: str = typer.Option("parked", help="pending / succeeded / parked"),
    target: str | None = typer.Option(None),
) -> None:
    """Liệt kê lệnh gọi (list calls)."""
    import asyncio

    from rich.console import Console
    from rich.table import Table

    from ocop_orders.config import OrdersSettings
    from ocop_orders.service_layer import outbound
    from ocop_shared.runtime import open_runtime

    async def run() -> list[outbound.OutboundCall]:
        runtime = await open_runtime(OrdersSettings())
        try:
            return await outbound.list_calls(
                runtime.db, outcome=outbound.CallOutcome(outcome), target=target
            )
        finally:
            await runtime.close()

    table = Table("id", "target", "operation", "key", "tries", "last error")
    for call in asyncio.run(run()):
        table.add_row(
            call.id, call.target, call.operation, call.key, str(call.tries), call.last_error or ""
        )
    Console().print(table)


@listings_app.command("reconcile")
def listings_reconcile(
    channel: str | None = typer.Option(None, help="postmart hoặc voso (mặc định: cả hai)."),
) -> None:
    """Đối soát tin đăng với sàn và xếp lệnh sửa (reconcile now)."""
    import asyncio

    from ocop_orders.adapters.repository import ensure_indexes
    from ocop_orders.config import OrdersSettings
    from ocop_orders.marketplace.adapters.partner_api import marketplace_clients
    from ocop_orders.marketplace.domain.listings import Marketplace
    from ocop_orders.marketplace.service_layer.reconcile import reconcile_channel
    from ocop_orders.service_layer.unit_of_work import Orders
    from ocop_shared.runtime import open_runtime
    from ocop_shared.timeutil import Clock

    async def run() -> None:
        settings = OrdersSettings()
        runtime = await open_runtime(settings)
        await ensure_indexes(runtime.db)
        clients = marketplace_clients(settings)
        try:
            for ch, client in clients.items():
                if channel and ch is not Marketplace(channel):
                    continue
                report = await reconcile_channel(Orders(runtime, settings, Clock()), ch, client)
                typer.echo(
                    f"{ch.value}: {report.checked} đã kiểm, {len(report.differences)} sai lệch, "
                    f"{report.queued} lệnh sửa"
                )
                for d in report.differences:
                    typer.echo(f"  {d.producer_id} {d.sku}: {d.problem} → {d.fix}")
                for error in report.errors:
                    typer.echo(f"  lỗi: {error}")
        finally:
            for client in clients.values():
                await client.aclose()
            await runtime.close()

    asyncio.run(run())


@app.command()
def connectors() -> None:
    """Chạy tiến trình gọi đối tác và đối soát (journal drain + reconcile worker)."""
    import asyncio

    from ocop_orders.entrypoints.connectors import main as connectors_main

    asyncio.run(connectors_main())
