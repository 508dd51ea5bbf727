"""`ocop-certification`: run the API, or load the demo data through it."""

from __future__ import annotations

import asyncio

import typer
import uvicorn
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from ocop_certification.entrypoints.demo import SeedError, demo_step_count, seed_demo
from ocop_shared.auth import Role, mint_token
from ocop_shared.logging import configure_logging
from ocop_shared.settings import ServiceSettings

app = typer.Typer(help="Dịch vụ chứng nhận OCOP (certification service).", no_args_is_help=True)
console = Console(stderr=True)


@app.command("seed-demo")
def seed_demo_command(
    base_url: str = typer.Option("http://127.0.0.1:8001", help="Địa chỉ API (API base URL)."),
    token: str | None = typer.Option(
        None, envvar="OCOP_TOKEN", help="JWT có quyền admin (default: a dev token is minted)."
    ),
) -> None:
    """Nạp dữ liệu mẫu qua API, chạy lại không tạo trùng (idempotent demo seed)."""
    configure_logging("certification-seed", "WARNING")
    if token is None:
        settings = ServiceSettings()
        if settings.jwt_public_key:
            console.print(
                "[red]OCOP_JWT_PUBLIC_KEY is set: pass --token from the identity provider"
            )
            raise typer.Exit(2)
        token = mint_token(settings, subject="demo-seed", roles=[Role.ADMIN])
    with Progress(
        TextColumn("[bold]Dữ liệu mẫu"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        console=console,
    ) as bar:
        task = bar.add_task("", total=demo_step_count())
        try:
            report = asyncio.run(
                seed_demo(
                    base_url,
                    token,
                    progress=lambda what: bar.update(task, advance=1, description=what),
                )
            )
        except (SeedError, OSError) as exc:
            console.print(f"[red]Không nạp được dữ liệu mẫu (seeding failed): {exc}")
            raise typer.Exit(1) from exc
    console.print(report.summary())


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
