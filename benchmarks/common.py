"""What every benchmark shares: result rows, percentiles, private servers, processes, RSS."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import httpx

from ocop_platform.infra import KAFKA_VERSION, KafkaBroker, MongoServer, free_port, tool_cache_dir

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Servers:
    """The private Kafka broker and SecantusDB of one benchmark run."""

    kafka: str
    mongodb: str
    broker: KafkaBroker | None = None
    mongo: MongoServer | None = None


@dataclass
class Row:
    """One figure, next to the baseline measured in the same run (ratio = figure / baseline)."""

    benchmark: str
    measurement: str
    figure: str
    baseline: str = ""
    ratio: str = ""
    note: str = ""


@dataclass
class Outcome:
    """What one benchmark returns: its rows and the command that reproduces them alone."""

    name: str
    command: str
    rows: list[Row] = field(default_factory=list)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def latency_summary(seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return f"p50 {percentile(ms, 50):.1f} ms, p99 {percentile(ms, 99):.1f} ms"


def ratio(value: float, baseline: float) -> str:
    return f"{value / baseline:.2f}×" if baseline else "—"


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


@contextlib.contextmanager
def private_servers() -> Iterator[Servers]:
    """A Kafka broker and a SecantusDB on free ports in a temporary directory (or the
    servers named by KAFKA_BOOTSTRAP_SERVERS / MONGODB_URI)."""
    kafka_env = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "").strip()
    mongo_env = os.environ.get("MONGODB_URI", "").strip()
    with tempfile.TemporaryDirectory(prefix="ocop-bench-") as work:
        broker = mongo = None
        try:
            if not mongo_env:
                mongo = MongoServer(Path(work) / "mongo", free_port(), cache_dir=tool_cache_dir())
                mongo.start()
            if not kafka_env:
                broker = KafkaBroker(
                    Path(work) / "kafka",
                    free_port(),
                    free_port(),
                    cache_dir=tool_cache_dir(),
                    heap="512m",
                )
                broker.start()
            yield Servers(
                kafka=kafka_env or (broker.bootstrap_servers if broker else ""),
                mongodb=mongo_env or (mongo.uri if mongo else ""),
                broker=broker,
                mongo=mongo,
            )
        finally:
            for server in (broker, mongo):
                if server is not None:
                    server.stop()


def load_script(path: Path, name: str) -> ModuleType:
    """Import a service's benchmark script (not a package) so its code is reused, not copied."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    sys.path.insert(0, str(path.parent))
    spec.loader.exec_module(module)
    return module


def rss_mib(pid: int) -> float:
    """Resident set size of a process from /proc (psutil is not a dependency)."""
    for line in (Path("/proc") / str(pid) / "status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class Process:
    """A service process started for a benchmark (uvicorn API or a worker module)."""

    name: str
    popen: subprocess.Popen[bytes]
    url: str = ""

    @property
    def pid(self) -> int:
        return self.popen.pid


def start_api(
    name: str, factory: str, env: dict[str, str], *, probe: str = "/health/live"
) -> Process:
    port = free_port()
    argv = [sys.executable, "-m", "uvicorn", "--factory", factory, "--port", str(port)]
    argv += ["--log-level", "warning", "--no-access-log"]
    popen = subprocess.Popen(argv, env={**os.environ, **env})
    process = Process(name, popen, f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{process.url}{probe}", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or popen.poll() is not None:
            stop(process)
            raise RuntimeError(f"{name} did not start")
        time.sleep(0.2)


def start_module(name: str, module: str, env: dict[str, str]) -> Process:
    popen = subprocess.Popen([sys.executable, "-m", module], env={**os.environ, **env})
    return Process(name, popen)


def stop(process: Process) -> None:
    if process.popen.poll() is None:
        process.popen.terminate()
        try:
            process.popen.wait(20)
        except subprocess.TimeoutExpired:
            process.popen.kill()
            process.popen.wait(10)


def machine() -> dict[str, str]:
    """CPU, memory, load, Python and server versions, for the results page."""
    cpu_model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    mem = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    secantus = "external"
    with contextlib.suppress(Exception):
        from ocop_platform.infra import SECANTUS_RELEASES

        secantus = SECANTUS_RELEASES[0].version
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    return {
        "CPU": f"{os.cpu_count()} × {cpu_model}",
        "RAM": mem,
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "Kafka": KAFKA_VERSION,
        "SecantusDB": secantus,
        "load average (1/5/15 min) at start": load,
    }
