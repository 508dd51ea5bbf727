"""`ocop dlq list|replay`: the dead letters, and replaying them to the group that failed them.

Both ask Kafka where `ocop run` put it (`KAFKA_BOOTSTRAP_SERVERS`, else 127.0.0.1 on
`OCOP_KAFKA_PORT`). `list` reads every dead-letter topic (`<topic>.dlq`) from the beginning
and counts its records per original topic and consumer group, from the headers the consumer
runner wrote (`ocop_shared.messaging.dead_letters`); "waiting" are those after the group's
replay mark.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import typer

from ocop_platform.cli.console import err, fail, out
from ocop_platform.cli.lag import kafka_servers

dlq_app = typer.Typer(help="Hàng đợi thư chết (dead-letter topics).", no_args_is_help=True)

DLQ_SUFFIX = ".dlq"  # ocop_shared.messaging.dead_letters.DLQ_SUFFIX, without importing Kafka


@dataclass
class DeadLetterRow:
    """The dead letters of one original topic for one consumer group."""

    topic: str
    group: str
    count: int = 0
    waiting: int = 0
    last_error: str = ""
    last_failed_at: str = ""
    partitions: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class DeadLetter:
    """One record of a dead-letter topic, as far as the listing needs it."""

    dlq_topic: str
    partition: int
    offset: int
    headers: dict[str, str]


def dead_letter_rows(
    letters: Iterable[DeadLetter], replayed_up_to: dict[tuple[str, str, int], int]
) -> list[DeadLetterRow]:
    """Count per (original topic, group); ``replayed_up_to[(group, dlq topic, partition)]`` is
    the replay group's committed offset (records before it were replayed)."""
    rows: dict[tuple[str, str], DeadLetterRow] = {}
    for letter in sorted(letters, key=lambda x: (x.dlq_topic, x.partition, x.offset)):
        topic = letter.headers.get("ocop_dlq_topic") or letter.dlq_topic.removesuffix(DLQ_SUFFIX)
        group = letter.headers.get("ocop_dlq_group", "?")
        row = rows.setdefault((topic, group), DeadLetterRow(topic, group))
        row.count += 1
        row.partitions.add(letter.partition)
        if letter.offset >= replayed_up_to.get((group, letter.dlq_topic, letter.partition), 0):
            row.waiting += 1
        failed_at = letter.headers.get("ocop_dlq_failed_at", "")
        if failed_at >= row.last_failed_at:
            row.last_failed_at = failed_at
            row.last_error = letter.headers.get("ocop_dlq_error", "")
    return [rows[key] for key in sorted(rows)]


async def collect_dead_letters(
    bootstrap_servers: str, topic_filter: str = ""
) -> list[DeadLetterRow]:
    """Read every dead-letter topic whose name contains ``topic_filter`` up to its end now."""
    from aiokafka import AIOKafkaConsumer, TopicPartition
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="ocop-cli-dlq")
    reader = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers, client_id="ocop-cli-dlq", enable_auto_commit=False
    )
    try:  # stopped also when Kafka does not answer (or the command's timeout hits)
        await admin.start()
        await reader.start()
        topics = [
            t for t in await admin.list_topics() if t.endswith(DLQ_SUFFIX) and topic_filter in t
        ]
        described = await admin.describe_topics(sorted(topics)) if topics else []
        tps = [
            TopicPartition(str(d["topic"]), int(p["partition"]))
            for d in described
            for p in d.get("partitions", [])
        ]
        if not tps:
            return []
        reader.assign(tps)
        await reader.seek_to_beginning(*tps)
        ends = await reader.end_offsets(tps)
        letters: list[DeadLetter] = []
        groups: set[str] = set()
        while await _behind(reader, ends):
            batches = await reader.getmany(timeout_ms=1000)
            if not batches:
                break
            for tp, records in batches.items():
                for record in records:
                    if record.offset >= ends[tp]:
                        continue
                    headers = {k: v.decode("utf-8", "replace") for k, v in record.headers or ()}
                    groups.add(headers.get("ocop_dlq_group", "?"))
                    letters.append(DeadLetter(tp.topic, tp.partition, record.offset, headers))
        replayed: dict[tuple[str, str, int], int] = {}
        existing = {str(g[0]) for g in await admin.list_consumer_groups()}
        for group in groups:
            if f"{group}.dlq-replay" not in existing:
                continue  # never replayed: everything waits
            marks = await admin.list_consumer_group_offsets(f"{group}.dlq-replay")
            for tp, meta in marks.items():
                if meta.offset >= 0:
                    replayed[(group, tp.topic, tp.partition)] = meta.offset
        return dead_letter_rows(letters, replayed)
    finally:
        with contextlib.suppress(Exception):
            await reader.stop()
        with contextlib.suppress(Exception):
            await admin.close()


async def _behind(reader: Any, ends: Mapping[Any, int]) -> bool:
    for tp, end in ends.items():
        if await reader.position(tp) < end:
            return True
    return False


@dlq_app.command("list")
def dlq_list(
    topic: str = typer.Option("", help="Chỉ các topic có tên chứa chuỗi này (topic filter)."),
    timeout: float = typer.Option(30.0, min=1.0, help="Chờ Kafka tối đa N giây (s)."),
) -> None:
    """Liệt kê thư chết theo topic và nhóm tiêu thụ (dead letters per topic and group)."""
    from rich.table import Table

    servers = kafka_servers()
    try:
        rows = asyncio.run(asyncio.wait_for(collect_dead_letters(servers, topic), timeout))
    except Exception as exc:
        raise fail(f"không hỏi được Kafka {servers} (Kafka unreachable): {exc!r}") from exc
    if not rows:
        out.print(f"Không có thư chết nào (no dead letters) – {servers}.")
        return
    table = Table(title=f"Thư chết (dead letters) – {servers}")
    table.add_column("Topic gốc (topic)")
    table.add_column("Nhóm tiêu thụ (group)")
    table.add_column("Số thư (count)", justify="right")
    table.add_column("Chờ phát lại (waiting)", justify="right")
    table.add_column("Lần lỗi cuối (last failed)")
    table.add_column("Lỗi cuối (last error)", overflow="fold")
    for row in rows:
        style = "red" if row.waiting else "green"
        table.add_row(
            row.topic,
            row.group,
            str(row.count),
            f"[{style}]{row.waiting}[/]",
            row.last_failed_at[:19].replace("T", " "),
            row.last_error[:200],
        )
    out.print(table)
    out.print(
        "Phát lại (replay): ocop dlq replay --topic <topic gốc> --group <nhóm> "
        "[--database <CSDL của dịch vụ>]"
    )


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
    from rich.progress import (
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    from ocop_platform.infra import InfraError, configured_endpoints
    from ocop_shared.messaging.dead_letters import replay_dead_letters
    from ocop_shared.mongo import create_client

    try:
        endpoints = configured_endpoints()
    except InfraError as exc:
        raise fail(str(exc), code=2) from exc

    async def replay() -> int:
        client = create_client(endpoints.mongodb_uri, app_name="ocop-cli") if database else None
        try:
            return await replay_dead_letters(
                bootstrap_servers=endpoints.kafka_bootstrap_servers,
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
