"""`ocop-catalog`: run the public catalogue API and pages."""

from __future__ import annotations

import typer
import uvicorn

app = typer.Typer(help="Danh mục sản phẩm OCOP (catalogue service).", no_args_is_help=True)


@app.callback()
def main() -> None:
    """Danh mục sản phẩm OCOP (catalogue service)."""


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Địa chỉ lắng nghe (bind host)."),
    port: int = typer.Option(8002, envvar="OCOP_CATALOG_PORT", help="Cổng (port)."),
) -> None:
    """Chạy API và trang danh mục (run the HTTP API and pages with uvicorn)."""
    uvicorn.run("ocop_catalog.entrypoints.api:create_app", factory=True, host=host, port=port)
