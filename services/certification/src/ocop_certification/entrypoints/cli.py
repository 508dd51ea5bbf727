"""`ocop-certification`: run the API, or sweep expired certificates.

The demo data is loaded by `ocop seed` (`ocop_platform.seeding`), through this API."""

from __future__ import annotations

import asyncio

import typer
import uvicorn
from rich.console import Console

from ocop_shared.logging import configure_logging

app = typer.Typer(help="Dịch vụ chứng nhận OCOP (certification service).", no_args_is_help=True)
console = Console(stderr=True)


@app.command()
def sweep(
    once: bool = typer.Option(True, help="Chạy một lần rồi thoát (run one sweep and exit)."),
) -> None:
    """Cho giấy chứng nhận quá hạn hết hiệu lực và gửi nhắc hạn (expiry + reminders)."""
    from ocop_certification.config import CertificationSettings
    from ocop_certification.entrypoints.scheduler import run_scheduler

    settings = CertificationSettings()
    configure_logging("certification-scheduler", settings.log_level, settings.log_json)
    report = asyncio.run(run_scheduler(settings, asyncio.Event(), once=once))
    console.print(report.summary())


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Địa chỉ lắng nghe (bind host)."),
    port: int = typer.Option(8001, envvar="OCOP_CERTIFICATION_PORT", help="Cổng (port)."),
) -> None:
    """Chạy API chứng nhận (run the HTTP API with uvicorn)."""
    uvicorn.run("ocop_certification.entrypoints.api:create_app", factory=True, host=host, port=port)
