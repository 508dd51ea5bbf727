"""Services as real processes on free ports, for fault, hostile and benchmark runs.

A service's API runs under uvicorn and its workers as ``python -m`` modules, each in its own
process so a test can SIGKILL one and start it again, exactly as an orchestrator would.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from ocop_platform.infra import free_port
from ocop_shared.settings import ServiceSettings
from ocop_shared.web.serve import UVICORN_LIMITS

SERVICES = ("certification", "catalog", "orders", "events")
"""Every service, by its folder name; ``ocop_<name>`` is its package."""


def service_env(settings: ServiceSettings, prefix: str) -> dict[str, str]:
    """Environment variables that make a service process use ``settings``' servers,
    database and topic prefix (``prefix`` is the service's env prefix, e.g. ``ORDERS_``)."""
    return {
        "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "MONGODB_URI": settings.mongodb_uri,
        "OCOP_TOPIC_PREFIX": settings.topic_prefix,
        f"{prefix}MONGODB_DATABASE": settings.mongodb_database,
        f"{prefix}CONSUMER_RETRY_BACKOFF_S": str(settings.consumer_retry_backoff_s),
        f"{prefix}RELAY_POLL_INTERVAL_S": str(settings.relay_poll_interval_s),
        "OCOP_LOG_LEVEL": "WARNING",
        "OCOP_LOG_JSON": "true",
    }


@dataclass
class LiveProcess:
    """One service process; ``url`` is set for an API."""

    name: str
    argv: list[str]
    env: dict[str, str]
    url: str = ""
    log_path: Path | None = None
    popen: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def start(self, ready_timeout_s: float = 60.0) -> None:
        out = self.log_path.open("ab") if self.log_path else subprocess.DEVNULL
        self.popen = subprocess.Popen(
            self.argv, env={**os.environ, **self.env}, stdout=out, stderr=out
        )
        if self.url:
            self._wait_live(ready_timeout_s)

    def _wait_live(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/health/live", timeout=1).status_code == 200:
                    return
            assert self.popen is not None
            if time.monotonic() > deadline or self.popen.poll() is not None:
                self.stop()
                raise RuntimeError(f"{self.name} did not start; see {self.log_path}")
            time.sleep(0.2)

    def kill(self) -> None:
        """SIGKILL: a crash, nothing flushed, nothing released."""
        if self.popen is not None and self.popen.poll() is None:
            self.popen.send_signal(signal.SIGKILL)
            self.popen.wait(10)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 20 s."""
        if self.popen is None or self.popen.poll() is not None:
            return
        self.popen.terminate()
        try:
            self.popen.wait(20)
        except subprocess.TimeoutExpired:
            self.kill()


def api_process(
    service: str, env: Mapping[str, str], *, log_dir: Path | None = None, port: int | None = None
) -> LiveProcess:
    """A service's API under uvicorn on a free port (not started)."""
    port = port or free_port()
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        f"ocop_{service}.entrypoints.api:create_app",
    ]
    argv += [
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
        *UVICORN_LIMITS,
    ]
    return LiveProcess(
        f"{service}-api",
        argv,
        dict(env),
        url=f"http://127.0.0.1:{port}",
        log_path=log_dir / f"{service}-api.log" if log_dir else None,
    )


def worker_process(
    service: str, worker: str, env: Mapping[str, str], *, log_dir: Path | None = None
) -> LiveProcess:
    """``python -m ocop_<service>.entrypoints.<worker>`` (relay, consumer; not started)."""
    return LiveProcess(
        f"{service}-{worker}",
        [sys.executable, "-m", f"ocop_{service}.entrypoints.{worker}"],
        dict(env),
        log_path=log_dir / f"{service}-{worker}.log" if log_dir else None,
    )


@contextlib.contextmanager
def running(*processes: LiveProcess) -> Iterator[tuple[LiveProcess, ...]]:
    """Start the processes in order; stop them all (in reverse) on the way out."""
    started: list[LiveProcess] = []
    try:
        for process in processes:
            process.start()
            started.append(process)
        yield processes
    finally:
        for process in reversed(started):
            process.stop()
