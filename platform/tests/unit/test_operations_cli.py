"""The operations commands' HTTP and Kafka arithmetic, against mocked peers."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import typer
from aiokafka import TopicPartition
from rich.progress import Progress
from typer.testing import CliRunner

from ocop_platform.cli import app
from ocop_platform.cli.calls import REDRIVE_PATH, redrive_request
from ocop_platform.cli.imports import IMPORT_PATH, upload
from ocop_platform.cli.lag import lag_rows
from ocop_platform.cli.services import service_url

runner = CliRunner()


def test_lag_is_end_minus_committed_summed_per_group_and_topic() -> None:
    a0, a1, b0 = TopicPartition("a", 0), TopicPartition("a", 1), TopicPartition("b", 0)
    rows = lag_rows(
        {"catalog": {a0: 5, a1: 10, b0: -1}, "orders": {a0: 7}},
        {a0: 8, a1: 10, b0: 4},
    )
    assert [(r.group, r.topic, r.partitions, r.lag) for r in rows] == [
        ("catalog", "a", 2, 3),  # b: never committed (-1) is not reported by the admin API
        ("orders", "a", 1, 1),
    ]


def test_import_uploads_the_file_with_its_name_and_reports_the_bytes_sent(tmp_path: Path) -> None:
    sheet = tmp_path / "san_pham.csv"
    sheet.write_text("product_id,name\n" + "p,Bưởi\n" * 5000, encoding="utf-8")
    seen: dict[str, object] = {}

    def handle(request: httpx.Request) -> httpx.Response:
        body = request.read()
        seen.update(path=request.url.path, query=request.url.query.decode(), size=len(body))
        assert b'filename="san_pham.csv"' in body
        return httpx.Response(200, json={"rows": 5000, "rejected": []})

    with (
        httpx.Client(transport=httpx.MockTransport(handle), base_url="http://catalog") as client,
        Progress(disable=True) as progress,
    ):
        response = upload(client, sheet, dry_run=True, progress=progress)
        (task,) = progress.tasks
    assert response.status_code == 200
    assert seen["path"] == IMPORT_PATH and seen["query"] == "dry_run=true"
    assert task.completed == sheet.stat().st_size


def test_import_command_prints_rejected_rows_and_exits_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sheet = tmp_path / "a.csv"
    sheet.write_text("x\n", encoding="utf-8")
    report = {
        "file_name": "a.csv",
        "rows": 2,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "dry_run": False,
        "rejected": [{"line": 3, "product_id": "p9", "name": "Chè", "reasons": ["không có"]}],
    }
    real_client = httpx.Client

    def client(**kwargs: object) -> httpx.Client:
        transport = httpx.MockTransport(lambda request: httpx.Response(200, json=report))
        return real_client(transport=transport, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(httpx, "Client", client)  # the command imports httpx when it runs
    result = runner.invoke(app, ["import", str(sheet)])
    assert result.exit_code == 3, result.output
    assert "bị từ chối" in result.output and "p9" in result.output


def test_redrive_posts_one_request_per_call_and_returns_the_ids() -> None:
    sent: list[dict[str, object]] = []

    def handle(request: httpx.Request) -> httpx.Response:
        assert request.url.path == REDRIVE_PATH
        body = json.loads(request.content)
        sent.append(body)
        return httpx.Response(200, json={"redriven": [body["call_id"]]})

    with httpx.Client(transport=httpx.MockTransport(handle), base_url="http://orders") as client:
        result = redrive_request(client, target=None, call_ids=["c1", "c2"])
    assert sent == [{"call_id": "c1"}, {"call_id": "c2"}]
    assert result == ["c1", "c2"]


def test_redrive_of_a_target_is_one_request_and_a_refusal_stops_the_command() -> None:
    sent: list[dict[str, object]] = []

    def handle(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return httpx.Response(200, json={"redriven": ["a", "b"]})

    with httpx.Client(transport=httpx.MockTransport(handle), base_url="http://orders") as client:
        assert redrive_request(client, target="voso", call_ids=[]) == ["a", "b"]
    assert sent == [{"target": "voso"}]
    refusing = httpx.MockTransport(lambda request: httpx.Response(403, json={"detail": "x"}))
    with (
        httpx.Client(transport=refusing, base_url="http://orders") as client,
        pytest.raises(typer.Exit),
    ):
        redrive_request(client, target=None, call_ids=[])


def test_service_urls_follow_the_port_variables_or_the_portal_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OCOP_ORDERS_PORT", "18003")
    monkeypatch.setenv("PORTAL_CATALOG_URL", "http://catalog:8000/")
    assert service_url("orders") == "http://127.0.0.1:18003"
    assert service_url("catalog") == "http://catalog:8000"


def test_help_lists_the_operations_commands() -> None:
    result = runner.invoke(app, ["--help"])
    for command in ("seed", "import", "lag", "calls", "dlq", "token"):
        assert command in result.output


def test_a_stop_swallowed_during_demo_seeding_cancels_the_seeding_at_once() -> None:
    import asyncio
    import signal
    import time

    from ocop_platform.cli.system import _Signals, _StopRequestedError, _unless_stopped

    signals = _Signals()

    async def seeding_on_a_dead_connection() -> object:
        await asyncio.sleep(60)  # an HTTP read waiting for its timeout
        return None

    async def scenario() -> object:
        task = asyncio.ensure_future(_unless_stopped(seeding_on_a_dead_connection(), signals))  # type: ignore[arg-type]
        await asyncio.sleep(0.05)
        try:  # the signal's exception raised inside an asyncio callback, and swallowed there
            signals._on_signal(signal.SIGTERM, None)
        except _StopRequestedError:
            pass
        return await task

    started = time.monotonic()
    with pytest.raises(_StopRequestedError):
        asyncio.run(scenario())
    assert time.monotonic() - started < 2
