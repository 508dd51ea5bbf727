"""The worker heartbeat: the file the containers' liveness probes check."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from ocop_shared.messaging.workers import HEARTBEAT_FILE_ENV, heartbeat, stop_on_signals


async def test_the_heartbeat_touches_its_file_until_stopped(tmp_path: Path) -> None:
    path = tmp_path / "heartbeat"
    stop = asyncio.Event()
    task = asyncio.create_task(heartbeat(str(path), stop, interval_s=0.05))
    await asyncio.sleep(0.02)
    assert path.is_file()
    os.utime(path, (0, 0))  # as if it had been written long ago
    await asyncio.sleep(0.1)
    assert time.time() - path.stat().st_mtime < 5  # touched again while running
    stop.set()
    await asyncio.wait_for(task, 1)
    os.utime(path, (0, 0))
    await asyncio.sleep(0.1)
    assert path.stat().st_mtime == 0  # not touched once stopped


async def test_stop_on_signals_starts_the_heartbeat_only_when_the_file_is_configured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "heartbeat"
    stop = asyncio.Event()
    monkeypatch.delenv(HEARTBEAT_FILE_ENV, raising=False)
    stop_on_signals(stop)
    await asyncio.sleep(0.02)
    assert not path.exists()
    monkeypatch.setenv(HEARTBEAT_FILE_ENV, str(path))
    stop_on_signals(stop)
    await asyncio.sleep(0.02)
    assert path.is_file()
    stop.set()
    await asyncio.sleep(0.02)


async def test_a_heartbeat_that_cannot_write_is_logged_and_keeps_the_worker_running(
    tmp_path: Path,
) -> None:
    stop = asyncio.Event()
    with capture_logs() as logs:
        task = asyncio.create_task(
            heartbeat(str(tmp_path / "missing" / "hb"), stop, interval_s=0.01)
        )
        await asyncio.sleep(0.05)
        assert not task.done()
        stop.set()
        await asyncio.wait_for(task, 1)
    assert any(entry["event"] == "worker.heartbeat_failed" for entry in logs)
