"""`ocop dlq list` against the real broker: dead letters counted per topic and group."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import AIOKafkaProducer
from typer.testing import CliRunner

from ocop_platform.cli import app
from ocop_platform.infra import Endpoints
from ocop_platform.testing.support import new_run_id
from ocop_shared.messaging.dead_letters import (
    ERROR_HEADER,
    GROUP_HEADER,
    ORIGINAL_TOPIC_HEADER,
    dead_letter_topic,
)


async def _dead_letters(
    bootstrap: str, topic: str, groups_and_errors: list[tuple[str, str]]
) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for i, (group, error) in enumerate(groups_and_errors):
            headers = [
                (ERROR_HEADER, error.encode()),
                (ORIGINAL_TOPIC_HEADER, topic.encode()),
                (GROUP_HEADER, group.encode()),
                ("ocop_dlq_failed_at", f"2026-12-07T10:0{i}:00+00:00".encode()),
            ]
            await producer.send_and_wait(
                dead_letter_topic(topic), value=b"{}", key=b"k", headers=headers
            )
    finally:
        await producer.stop()


def test_dlq_list_counts_dead_letters_per_topic_and_group_with_the_last_error(
    infra: Endpoints, monkeypatch: pytest.MonkeyPatch
) -> None:
    topic = f"t{new_run_id()}.ocop.certification.certificates"
    asyncio.run(
        _dead_letters(
            infra.kafka_bootstrap_servers,
            topic,
            [
                ("ocop-catalog", "KeyError('stars')"),
                ("ocop-orders", "ValueError('price')"),
                ("ocop-catalog", "ValidationError('version')"),
            ],
        )
    )
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", infra.kafka_bootstrap_servers)
    result = CliRunner().invoke(app, ["dlq", "list", "--topic", topic], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "ocop-catalog" in result.output, result.output
    catalog = next(line for line in lines if "ocop-catalog" in line)
    orders = next(line for line in lines if "ocop-orders" in line)
    assert catalog.split("│")[3].strip() == "2"  # count
    assert "ValidationError('version')" in catalog  # the last error
    assert orders.split("│")[3].strip() == "1"
    assert "Thư chết" in result.output
    assert catalog.split("│")[4].strip() == "2"  # both waiting for a replay

    replay = ["dlq", "replay", "--topic", topic, "--group", "ocop-catalog"]
    replayed = CliRunner().invoke(app, replay)
    assert replayed.exit_code == 0, replayed.output
    assert "Đã phát lại 2 thư" in replayed.output
    result = CliRunner().invoke(app, ["dlq", "list", "--topic", topic], env={"COLUMNS": "250"})
    catalog = next(line for line in result.output.splitlines() if "ocop-catalog" in line)
    orders = next(line for line in result.output.splitlines() if "ocop-orders" in line)
    assert catalog.split("│")[4].strip() == "0"
    assert orders.split("│")[4].strip() == "1"
