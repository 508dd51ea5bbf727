"""What operators watch: outbox backlog, dead letters waiting, and consumer lag."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from pydantic import BaseModel

from ocop_shared.messaging.dead_letters import unreplayed_count
from ocop_shared.messaging.outbox import pending_count
from ocop_shared.mongo import Database


class GroupLag(BaseModel):
    group: str
    lag: int | None  # None when the broker could not be asked


class MessagingStatus(BaseModel):
    outbox_backlog: int
    dead_letters: int
    consumer_lag: list[GroupLag]


async def consumer_lag(bootstrap_servers: str, group: str, topics: list[str]) -> int:
    """Messages in `topics` not yet committed by `group` (uncommitted partitions count fully)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="ocop-lag")
    probe = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, client_id="ocop-lag")
    await admin.start()
    await probe.start()
    try:
        committed = await admin.list_consumer_group_offsets(group)
        # A fresh client knows no topic yet: without this the lag of every topic read as 0.
        await probe._client.force_metadata_update()
        partitions = [
            TopicPartition(topic, p)
            for topic in topics
            for p in sorted(probe.partitions_for_topic(topic) or ())
        ]
        ends = await probe.end_offsets(partitions) if partitions else {}
        lag = 0
        for tp, end in ends.items():
            position = committed.get(tp)
            lag += end - (position.offset if position is not None and position.offset >= 0 else 0)
        return lag
    finally:
        await probe.stop()
        await admin.close()


async def messaging_status(
    db: Database, bootstrap_servers: str, groups: Mapping[str, list[str]]
) -> MessagingStatus:
    lags: list[GroupLag] = []
    for group, topics in groups.items():
        try:
            lag: int | None = await asyncio.wait_for(
                consumer_lag(bootstrap_servers, group, topics), 5
            )
        except Exception:
            lag = None
        lags.append(GroupLag(group=group, lag=lag))
    return MessagingStatus(
        outbox_backlog=await pending_count(db),
        dead_letters=await unreplayed_count(db),
        consumer_lag=lags,
    )
