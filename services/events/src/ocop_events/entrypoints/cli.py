"""`ocop-events`: run the trade-promotion API and staff console."""

from __future__ import annotations

import typer
import uvicorn

app = typer.Typer(help="Xúc tiến thương mại OCOP (events service).", no_args_is_help=True)


@app.callback()
def main() -> None:
    """Xúc tiến thương mại OCOP (events service)."""


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Địa chỉ lắng nghe (bind host)."),
    port: int = typer.Option(8004, envvar="OCOP_EVENTS_PORT", help="Cổng (port)."),
) -> None:
    """Chạy API và trang điều hành (run the HTTP API and console with uvicorn)."""
    uvicorn.run("ocop_events.entrypoints.api:create_app", factory=True, host=host, port=port)
