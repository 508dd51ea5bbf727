"""The README's run command: `ocop run` starts every process and loads the demo data."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from ocop_platform.cli.system import stand_in_ports
from ocop_platform.infra import Endpoints, free_port
from ocop_platform.seeding import demo_data

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


def _ocop_run(
    infra: Endpoints, catalog_port: int, certification_port: int
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        **infra.as_env(),  # reuse the test servers: `ocop run` then starts nothing local
        "OCOP_CATALOG_PORT": str(catalog_port),
        "OCOP_CERTIFICATION_PORT": str(certification_port),
        "OCOP_ORDERS_PORT": str(free_port()),
        "OCOP_EVENTS_PORT": str(free_port()),
        "OCOP_PORTAL_PORT": str(free_port()),
        **{name: str(port) for name, port in stand_in_ports().items()},
    }
    return subprocess.Popen(
        [sys.executable, "-m", "ocop_platform.cli", "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(process: subprocess.Popen[bytes]) -> str:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        return process.communicate(timeout=60)[0].decode()
    except subprocess.TimeoutExpired:
        # It ignored the stop: fail, but leave no API or worker running after the test.
        subprocess.run(["pkill", "-KILL", "-P", str(process.pid)], check=False)
        process.kill()
        output = process.communicate()[0].decode()
        raise AssertionError(f"ocop run did not stop on SIGTERM:\n{output[-3000:]}") from None


def test_ocop_run_serves_the_demo_catalogue_and_stops_cleanly(infra: Endpoints) -> None:
    catalog_port, certification_port = free_port(), free_port()
    process = _ocop_run(infra, catalog_port, certification_port)
    expected = len(demo_data().registered_product_names())
    try:
        total = 0
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and total < expected:
            time.sleep(1)
            assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
            try:
                response = httpx.get(f"http://127.0.0.1:{catalog_port}/api/v1/products", timeout=2)
                total = response.json()["total"] if response.status_code == 200 else 0
            except httpx.HTTPError:
                continue
        page = httpx.get(f"http://127.0.0.1:{catalog_port}/", timeout=5)
    finally:
        output = _stop(process)
    assert total == expected, f"the demo products did not reach the catalogue:\n{output[-3000:]}"
    assert "Bưởi Đoan Hùng" in page.text
    assert process.returncode == 0, output[-3000:]


def test_a_stop_while_the_demo_is_loading_is_a_clean_stop(infra: Endpoints) -> None:
    catalog_port, certification_port = free_port(), free_port()
    process = _ocop_run(infra, catalog_port, certification_port)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # the first demo products: seeding is under way
            time.sleep(0.3)
            assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
            try:
                response = httpx.get(f"http://127.0.0.1:{catalog_port}/api/v1/products", timeout=2)
            except httpx.HTTPError:
                continue
            if response.status_code == 200 and response.json()["total"] > 0:
                break
    finally:
        output = _stop(process)
    assert process.returncode == 0, output[-3000:]
    assert "không nạp được" not in output
