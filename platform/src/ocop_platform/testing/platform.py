"""The whole platform as a user meets it (`ocop run` in a child process), for tests.

`start_platform` runs `ocop run` (portal, four APIs, relays, consumers, scheduler, demo data)
on free ports against the given Kafka and MongoDB, with a topic prefix, databases and consumer
groups of its own; the root ``tests/conftest.py`` wraps it in the `running_system` fixture.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx

from ocop_platform.cli.system import stand_in_ports
from ocop_platform.infra import Endpoints, free_port
from ocop_shared.auth import Role, mint_token
from ocop_shared.settings import ServiceSettings

START_TIMEOUT_S = 240.0
SERVICES = ("portal", "certification", "catalog", "orders", "events")
TOKEN = re.compile(r"^(eyJ[\w-]+\.[\w-]+\.[\w-]+)\s*$")


@dataclass
class RunningSystem:
    """URLs of the portal and the four services, the environment to reach them, a token."""

    urls: dict[str, str]
    env: dict[str, str]
    admin_token: str
    output: list[str] = field(default_factory=list)

    @property
    def portal(self) -> str:
        return self.urls["portal"]

    @property
    def certification(self) -> str:
        return self.urls["certification"]

    @property
    def catalog(self) -> str:
        return self.urls["catalog"]

    @property
    def orders(self) -> str:
        return self.urls["orders"]

    @property
    def events(self) -> str:
        return self.urls["events"]


def _environment(infra: Endpoints, run: str, ports: dict[str, int]) -> dict[str, str]:
    env = {
        **os.environ,
        **infra.as_env(),  # `ocop run` then starts nothing local
        "OCOP_TOPIC_PREFIX": f"ui{run}.",
        "PYTHONUNBUFFERED": "1",
        "COLUMNS": "200",  # rich: one URL per line in the summary
    }
    for service in SERVICES:
        env[f"OCOP_{service.upper()}_PORT"] = str(ports[service])
    env.update({name: str(port) for name, port in stand_in_ports().items()})
    for service in SERVICES[1:]:
        prefix = service.upper()
        env[f"{prefix}_MONGODB_DATABASE"] = f"ocop_{service}_ui{run}"
        env[f"{prefix}_CONSUMER_GROUP"] = f"{service}-ui{run}"
        env[f"PORTAL_{prefix}_URL"] = f"http://127.0.0.1:{ports[service]}"
    return env


def _drain(process: subprocess.Popen[str], lines: list[str], ready: threading.Event) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line.rstrip("\n"))
        if "Ctrl-C" in line:  # the summary's last line: everything is up and seeded
            ready.set()
    ready.set()


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def already_running(port_base: str) -> RunningSystem:
    """A platform started by hand (`ocop run` with OCOP_<SERVICE>_PORT = base + 0…4)."""
    urls = {s: f"http://127.0.0.1:{int(port_base) + i}" for i, s in enumerate(SERVICES)}
    env = {**os.environ, **{f"OCOP_{s.upper()}_PORT": u.rsplit(":", 1)[1] for s, u in urls.items()}}
    for service in SERVICES[1:]:
        env[f"PORTAL_{service.upper()}_URL"] = urls[service]
    token = mint_token(ServiceSettings(), subject="ui-tests", roles=[Role.ADMIN])
    return RunningSystem(urls, env, token)


@contextmanager
def start_platform(infra: Endpoints) -> Iterator[RunningSystem]:
    run = uuid.uuid4().hex[:6]
    ports = {service: free_port() for service in SERVICES}
    env = _environment(infra, run, ports)
    process = subprocess.Popen(
        [sys.executable, "-m", "ocop_platform.cli", "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
        start_new_session=True,
    )
    lines: list[str] = []
    ready = threading.Event()
    threading.Thread(target=_drain, args=(process, lines, ready), daemon=True).start()
    try:
        started = time.monotonic()
        if not ready.wait(START_TIMEOUT_S) or process.poll() is not None:
            raise AssertionError("ocop run did not come up:\n" + "\n".join(lines[-60:]))
        print(f"\nocop run: platform up with demo data in {time.monotonic() - started:.0f} s")
        token = next((m.group(1) for line in lines if (m := TOKEN.match(line.strip()))), "")
        assert token, "ocop run printed no admin token:\n" + "\n".join(lines[-30:])
        urls = {service: f"http://127.0.0.1:{port}" for service, port in ports.items()}
        for url in urls.values():
            assert httpx.get(f"{url}/health/ready", timeout=5).status_code == 200
        yield RunningSystem(urls, env, token, lines)
    finally:
        _stop(process)
