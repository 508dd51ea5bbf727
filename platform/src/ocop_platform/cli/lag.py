"""`ocop lag`: how far each consumer group is behind, per topic, asked of Kafka directly.

Lag of a group on a topic = the sum over partitions of (end offset − committed offset).
Only partitions the group has committed on are known to Kafka's admin API; a service's
`/health/messaging` also counts partitions it has not committed yet.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import typer

from ocop_platform.cli.console import fail, out

if TYPE_CHECKING:  # imported when the command runs: `ocop --help` stays fast
    from aiokafka import TopicPartition


@dataclass(frozen=True)
class TopicLag:
    group: str
    topic: str
    partitions: int
    committed: int
    end: int

    @property
    def lag(self) -> int:
        return max(self.end - self.committed, 0)


def lag_rows(
    committed: Mapping[str, Mapping[TopicPartition, int]], ends: Mapping[TopicPartition, int]
) -> list[TopicLag]:
    """One row per (group, topic), from each group's committed offsets and the end offsets."""
    totals: dict[tuple[str, str], list[int]] = {}
    for group, offsets in committed.items():
        for tp, offset in offsets.items():
            if offset < 0 or tp not in ends:
                continue
            row = totals.setdefault((group, tp.topic), [0, 0, 0])
            row[0] += 1
            row[1] += offset
            row[2] += ends[tp]
    return [
        TopicLag(group, topic, partitions, done, end)
        for (group, topic), (partitions, done, end) in sorted(totals.items())
    ]


def kafka_servers() -> str:
    """Kafka as `ocop run` uses it: KAFKA_BOOTSTRAP_SERVERS, else 127.0.0.1:OCOP_KAFKA_PORT."""
    from ocop_platform.infra import InfraError, configured_endpoints

    try:
        return configured_endpoints().kafka_bootstrap_servers
    except InfraError as exc:
        raise fail(str(exc), code=2) from exc


async def collect_lag(bootstrap_servers: str, group_filter: str = "") -> list[TopicLag]:
    from aiokafka import AIOKafkaConsumer
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="ocop-cli-lag")
    probe = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, client_id="ocop-cli-lag")
    try:  # stopped also when Kafka does not answer (or the command's timeout hits)
        await admin.start()
        await probe.start()
        groups = sorted(
            str(g[0]) for g in await admin.list_consumer_groups() if group_filter in str(g[0])
        )
        committed: dict[str, dict[TopicPartition, int]] = {}
        for group in groups:
            offsets = await admin.list_consumer_group_offsets(group)
            committed[group] = {tp: meta.offset for tp, meta in offsets.items()}
        partitions = sorted({tp for offsets in committed.values() for tp in offsets})
        ends = await probe.end_offsets(partitions) if partitions else {}
        return lag_rows(committed, ends)
    finally:
        with contextlib.suppress(Exception):
            await probe.stop()
        with contextlib.suppress(Exception):
            await admin.close()


def lag(
    group: str = typer.Option("", help="Chỉ các nhóm có tên chứa chuỗi này (group filter)."),
    timeout: float = typer.Option(15.0, min=1.0, help="Chờ Kafka tối đa N giây (s)."),
) -> None:
    """Độ trễ tiêu thụ theo nhóm và topic (consumer lag per group and topic, from Kafka)."""
    from rich.table import Table

    servers = kafka_servers()
    try:
        rows = asyncio.run(asyncio.wait_for(collect_lag(servers, group), timeout))
    except Exception as exc:
        raise fail(f"không hỏi được Kafka {servers} (Kafka unreachable): {exc!r}") from exc
    table = Table(title=f"Độ trễ tiêu thụ (consumer lag) – {servers}")
    table.add_column("Nhóm (group)")
    table.add_column("Topic")
    table.add_column("Phân vùng", justify="right")
    table.add_column("Đã xử lý (committed)", justify="right")
    table.add_column("Cuối (end)", justify="right")
    table.add_column("Độ trễ (lag)", justify="right")
    for row in rows:
        style = "green" if row.lag == 0 else "yellow"
        table.add_row(
            row.group,
            row.topic,
            str(row.partitions),
            str(row.committed),
            str(row.end),
            f"[{style}]{row.lag}[/]",
        )
    out.print(table if rows else "Chưa có nhóm tiêu thụ nào (no consumer groups yet).")
