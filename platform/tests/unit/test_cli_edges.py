"""The `ocop` command's edges: where it looks for Kafka and MongoDB, refusing unknown
partners, the dead-letter listing, and a help that does not load the whole platform."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from ocop_platform.cli import app
from ocop_platform.cli.dlq import DeadLetter, dead_letter_rows
from ocop_platform.infra import configured_endpoints, free_port

runner = CliRunner()


def test_the_cli_finds_kafka_and_mongodb_on_the_ports_ocop_run_uses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)
    monkeypatch.delenv("MONGODB_URI", raising=False)
    monkeypatch.setenv("OCOP_KAFKA_PORT", "19192")
    monkeypatch.setenv("OCOP_MONGODB_PORT", "27217")
    endpoints = configured_endpoints()
    assert endpoints.kafka_bootstrap_servers == "127.0.0.1:19192"
    assert endpoints.mongodb_uri.startswith("mongodb://127.0.0.1:27217/")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka.example:9092")
    assert configured_endpoints().kafka_bootstrap_servers == "kafka.example:9092"


@pytest.mark.parametrize("command", [["lag"], ["dlq", "list"]])
def test_lag_and_dlq_ask_the_kafka_of_ocop_kafka_port(
    monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)
    port = free_port()  # nothing listens there
    monkeypatch.setenv("OCOP_KAFKA_PORT", str(port))
    result = runner.invoke(app, [*command, "--timeout", "1"])
    assert result.exit_code == 1
    assert f"127.0.0.1:{port}" in result.output
    assert "9092" not in result.output


def test_an_unknown_partner_is_refused_with_the_known_ones_named() -> None:
    result = runner.invoke(app, ["calls", "list", "--target", "amazon"])
    assert result.exit_code == 2
    for known in ("postmart", "voso", "viettelpost"):
        assert known in result.output


def test_dead_letters_are_counted_per_topic_and_group_with_the_last_error() -> None:
    def letter(offset: int, group: str, error: str, at: str) -> DeadLetter:
        headers = {
            "ocop_dlq_topic": "ocop.certification.certificates",
            "ocop_dlq_group": group,
            "ocop_dlq_error": error,
            "ocop_dlq_failed_at": at,
        }
        return DeadLetter("ocop.certification.certificates.dlq", 0, offset, headers)

    rows = dead_letter_rows(
        [
            letter(0, "ocop-catalog", "KeyError('a')", "2026-12-07T10:00:00+00:00"),
            letter(1, "ocop-orders", "ValueError('b')", "2026-12-07T10:01:00+00:00"),
            letter(2, "ocop-catalog", "ValidationError('c')", "2026-12-07T10:02:00+00:00"),
        ],
        # The catalogue's first dead letter was replayed already.
        {("ocop-catalog", "ocop.certification.certificates.dlq", 0): 1},
    )
    assert [(r.group, r.count, r.waiting, r.last_error) for r in rows] == [
        ("ocop-catalog", 2, 1, "ValidationError('c')"),
        ("ocop-orders", 1, 1, "ValueError('b')"),
    ]


def test_help_loads_no_client_library_and_no_service() -> None:
    # `ocop --help` must answer at once: the commands import what they need when they run.
    heavy = ["aiokafka", "httpx", "jwt", "pymongo", "pydantic_settings", "structlog", "fastapi"]
    code = (
        "import sys; from ocop_platform.cli import app\n"
        f"print(','.join(m for m in {heavy!r} if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout.strip()
    assert loaded == ""
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "dlq" in result.output
