"""`ocop dlq replay`: replay dead letters to the consumer group that failed them."""

from __future__ import annotations

import asyncio

import typer
from rich.progress import (
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from ocop_platform.cli.console import err, fail, out
from ocop_shared.settings import ServiceSettings

dlq_app = typer.Typer(help="Hàng đợi thư chết (dead-letter topics).", no_args_is_help=True)


@dlq_app.command("replay")
def dlq_replay(
    topic: str = typer.Option(..., help="Topic gốc (original topic, without .dlq)."),
    group: str = typer.Option(..., help="Nhóm tiêu thụ đã thất bại (consumer group)."),
    database: str | None = typer.Option(
        None,
        help="CSDL của dịch vụ tiêu thụ để đánh dấu đã phát lại "
        "(the consumer's database, e.g. ocop_catalog, to mark dead letters replayed).",
    ),
    idle_timeout: float = typer.Option(2.0, min=0.1, help="Dừng sau N giây không có thư (s)."),
) -> None:
    """Phát lại thư chết cho một nhóm tiêu thụ (replay dead letters to the group that failed)."""
    from ocop_shared.messaging.dead_letters import replay_dead_letters
    from ocop_shared.mongo import create_client

    settings = ServiceSettings()

    async def replay() -> int:
        client = create_client(settings.mongodb_uri, app_name="ocop-cli") if database else None
        try:
            return await replay_dead_letters(
                bootstrap_servers=settings.kafka_bootstrap_servers,
                db=client[database] if client is not None and database else None,
                topic=topic,
                group_id=group,
                idle_timeout_s=idle_timeout,
                on_replayed=lambda: progress.advance(task),
            )
        finally:
            if client is not None:
                await client.close()

    columns = (SpinnerColumn(), TextColumn("{task.description}"), MofNCompleteColumn())
    try:
        with Progress(*columns, TimeElapsedColumn(), console=err) as progress:
            task = progress.add_task(f"Phát lại {topic}.dlq → {group}", total=None)
            count = asyncio.run(replay())
    except Exception as exc:
        raise fail(f"phát lại thất bại (replay failed): {exc!r}") from exc
    out.print(f"Đã phát lại {count} thư (replayed {count} messages) từ {topic}.dlq cho {group}.")
