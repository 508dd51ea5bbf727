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
