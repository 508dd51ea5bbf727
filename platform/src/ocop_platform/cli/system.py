"""`ocop run`: the whole platform on one machine.

Starts Kafka and MongoDB, spawns every API and worker of `SYSTEM` as a child process (each in
its own process group, logging to .ocop/logs/), waits until the APIs are ready, loads the demo
data, prints a summary and waits; SIGINT / SIGTERM stop the children in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import IO, TYPE_CHECKING, Any

import typer

from ocop_platform.cli.console import err, fail, out
from ocop_shared.web.serve import UVICORN_LIMITS

if TYPE_CHECKING:  # imported when the command runs: `ocop --help` stays fast
    from rich.table import Table
    from structlog.typing import FilteringBoundLogger

    from ocop_platform.infra import Endpoints
    from ocop_platform.seeding import Section, SeedReport, SeedRun


def _log() -> FilteringBoundLogger:
    import structlog

    logger: FilteringBoundLogger = structlog.get_logger(__name__)
    return logger


@dataclass(frozen=True)
class ApiProcess:
    """An HTTP API run by uvicorn from its app factory."""

    name: str
    factory: str
    port_env: str
    default_port: int
    title: str
    pages: tuple[tuple[str, str], ...] = ()
    """(label, path) of the web pages worth opening."""
    public_url_envs: tuple[str, ...] = ()
    """Settings that receive this API's address (its own links and QR codes, links to it)."""
    env_defaults: tuple[tuple[str, str], ...] = ()
    """Settings every process gets unless already set (e.g. the account a stand-in accepts)."""
    stand_in: bool = False
    """A local stand-in for a partner system (marketplace, carrier): started by `ocop run`
    for the demo and the tour, never deployed."""

    def port(self) -> int:
        raw = os.environ.get(self.port_env, "").strip()
        if not raw:
            return self.default_port
        if not raw.isdigit() or not 0 < int(raw) < 65536:
            raise fail(f"{self.port_env}={raw!r} không phải số cổng (not a port number)")
        return int(raw)

    def argv(self, host: str, port: int) -> list[str]:
        return [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            self.factory,
            "--host",
            host,
            "--port",
            str(port),
            *UVICORN_LIMITS,
        ]


@dataclass(frozen=True)
class WorkerProcess:
    """A background worker (outbox relay or Kafka consumer) run as ``python -m module``."""

    name: str
    module: str

    def argv(self) -> list[str]:
        return [sys.executable, "-m", self.module]


Component = ApiProcess | WorkerProcess

CERTIFICATION_API = "certification-api"

# Adding a service is one line per process.
SYSTEM: tuple[Component, ...] = (
    ApiProcess(
        "portal",
        "ocop_platform.portal.app:create_app",
        "OCOP_PORTAL_PORT",
        8000,
        "Cổng điều hành (portal)",
        pages=(("Cổng điều hành: mọi trang và tình trạng hệ thống (portal, health)", "/"),),
    ),
    ApiProcess(
        CERTIFICATION_API,
        "ocop_certification.entrypoints.api:create_app",
        "OCOP_CERTIFICATION_PORT",
        8001,
        "Chứng nhận (certification)",
        pages=(
            ("Hồ sơ đánh giá (dossiers; sign in at /dang-nhap)", "/ho-so"),
            ("Sổ giấy chứng nhận, lịch hết hạn (certificate register)", "/giay-chung-nhan"),
            ("Tiến độ kế hoạch (plan targets)", "/ke-hoach"),
        ),
    ),
    WorkerProcess("certification-relay", "ocop_certification.entrypoints.relay"),
    WorkerProcess("certification-scheduler", "ocop_certification.entrypoints.scheduler"),
    ApiProcess(
        "catalog-api",
        "ocop_catalog.entrypoints.api:create_app",
        "OCOP_CATALOG_PORT",
        8002,
        "Danh mục (catalogue)",
        pages=(("Danh mục sản phẩm OCOP (public catalogue)", "/"),),
        # Its own links and QR codes, and the orders receipts' links to product pages.
        public_url_envs=("CATALOG_PUBLIC_BASE_URL", "ORDERS_CATALOGUE_BASE_URL"),
    ),
    WorkerProcess("catalog-relay", "ocop_catalog.entrypoints.relay"),
    WorkerProcess("catalog-consumer", "ocop_catalog.entrypoints.consumer"),
    ApiProcess(
        "orders-api",
        "ocop_orders.entrypoints.api:create_app",
        "OCOP_ORDERS_PORT",
        8003,
        "Điểm bán (showrooms)",
        pages=(
            ("Quầy bán hàng OCOP (showroom console)", "/quay/"),
            ("Bán trên sàn TMĐT (marketplace listings)", "/quay/san-tmdt"),
            ("Đơn hàng trực tuyến, vận đơn (online orders, shipments)", "/quay/don-hang"),
        ),
        public_url_envs=("ORDERS_API_BASE_URL",),  # where the stand-ins push their webhooks
    ),
    WorkerProcess("orders-relay", "ocop_orders.entrypoints.relay"),
    WorkerProcess("orders-consumer", "ocop_orders.entrypoints.consumer"),
    WorkerProcess("orders-connectors", "ocop_orders.entrypoints.connectors"),
    WorkerProcess("orders-ecommerce", "ocop_orders.entrypoints.ecommerce_worker"),
    ApiProcess(
        "events-api",
        "ocop_events.entrypoints.api:create_app",
        "OCOP_EVENTS_PORT",
        8004,
        "Xúc tiến thương mại (events)",
        pages=(
            ("Lịch hội chợ, sự kiện (trade events calendar)", "/"),
            ("Điều hành xúc tiến thương mại (staff console)", "/dieu-hanh"),
        ),
        public_url_envs=("EVENTS_PUBLIC_BASE_URL",),
    ),
    WorkerProcess("events-relay", "ocop_events.entrypoints.relay"),
    WorkerProcess("events-consumer", "ocop_events.entrypoints.consumer"),
    # Stand-ins for the partners, so the demo and the tour work without internet.
    ApiProcess(
        "fake-postmart",
        "ocop_platform.stand_ins.local:postmart_app",
        "ORDERS_FAKE_POSTMART_PORT",
        8301,
        "Postmart giả lập (stand-in marketplace)",
        pages=(("Yêu cầu Postmart đã nhận (requests received)", "/_fake/requests"),),
        public_url_envs=("ORDERS_POSTMART_BASE_URL",),
        stand_in=True,
    ),
    ApiProcess(
        "fake-voso",
        "ocop_platform.stand_ins.local:voso_app",
        "ORDERS_FAKE_VOSO_PORT",
        8302,
        "Voso giả lập (stand-in marketplace)",
        pages=(("Yêu cầu Voso đã nhận (requests received)", "/_fake/requests"),),
        public_url_envs=("ORDERS_VOSO_BASE_URL",),
        stand_in=True,
    ),
    ApiProcess(
        "fake-viettelpost",
        "ocop_platform.stand_ins.local:viettelpost_app",
        "ORDERS_FAKE_VIETTELPOST_PORT",
        8303,
        "Viettel Post giả lập (stand-in carrier)",
        pages=(("Yêu cầu Viettel Post đã nhận (requests received)", "/_fake/requests"),),
        public_url_envs=("ORDERS_VIETTELPOST_BASE_URL",),
        env_defaults=(
            ("ORDERS_VIETTELPOST_USERNAME", "ocop-demo"),
            ("ORDERS_VIETTELPOST_PASSWORD", "demo-password"),
        ),
        stand_in=True,
    ),
)


def stand_in_ports() -> dict[str, int]:
    """A free port for every stand-in (tests run the platform next to other runs)."""
    from ocop_platform.infra import free_port

    return {c.port_env: free_port() for c in SYSTEM if isinstance(c, ApiProcess) and c.stand_in}


@dataclass
class Child:
    component: Component
    process: subprocess.Popen[bytes]
    log_path: Path
    log_handle: IO[bytes]
    url: str | None = None

    @property
    def name(self) -> str:
        return self.component.name

    def alive(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, lines: int = 25) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


class _StopRequestedError(BaseException):
    """SIGINT or SIGTERM arrived."""


def _display_host(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104


def _logs_dir() -> Path:
    from ocop_platform.infra import default_state_dir

    return default_state_dir() / "logs"


def _spawn(component: Component, argv: list[str], env: dict[str, str], url: str | None) -> Child:
    log_path = _logs_dir() / f"{component.name}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    handle = log_path.open("ab")
    handle.write(f"\n---- {time.strftime('%Y-%m-%dT%H:%M:%S')} ocop run ----\n".encode())
    handle.flush()
    process = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=handle,
        stderr=subprocess.STDOUT,
        env=env,
        # Own process group: Ctrl-C reaches only `ocop run`, which then stops children in order.
        process_group=0,
    )
    _log().info("child_started", name=component.name, pid=process.pid, log=str(log_path))
    return Child(component, process, log_path, handle, url)


def _signal_group(child: Child, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.process.pid, signum)


def _stop_children(children: list[Child], force: threading.Event, timeout: float = 15.0) -> None:
    """SIGTERM every child, wait up to ``timeout`` (less if ``force`` is set), then SIGKILL."""
    for child in reversed(children):
        if child.alive():
            _signal_group(child, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while any(c.alive() for c in children) and time.monotonic() < deadline:
        if force.wait(0.1):
            break
    for child in children:
        if child.alive():
            _log().warning("child_killed_after_timeout", name=child.name, pid=child.process.pid)
            _signal_group(child, signal.SIGKILL)
        child.process.wait()
        # Anything the child left in its group (it should leave nothing).
        _signal_group(child, signal.SIGKILL)
        child.log_handle.close()
        _log().info("child_stopped", name=child.name, returncode=child.process.returncode)


class _Signals:
    """SIGINT / SIGTERM raise `_StopRequestedError` until clean-up begins; after that a
    signal only sets `force` (stop waiting for children, kill them at once).

    A signal within a second of the first is taken as the same request: a terminal's Ctrl-C
    reaches both `uv run` and this process, and uv forwards it once more.
    """

    DEBOUNCE_S = 1.0

    def __init__(self) -> None:
        self.force = threading.Event()
        self._cleaning = False
        self._first_at: float | None = None

    def begin_cleanup(self) -> None:
        self._cleaning = True

    @property
    def stop_requested(self) -> bool:
        """A signal arrived (its exception may have surfaced as another error, e.g. in httpx)."""
        return self._first_at is not None

    def check(self) -> None:
        """Stop now if a signal arrived whose exception a library caught and swallowed."""
        if self.stop_requested:
            raise _StopRequestedError("signal")

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        now = time.monotonic()
        if self._first_at is None:
            self._first_at = now
        if self._cleaning:
            if now - self._first_at > self.DEBOUNCE_S:
                self.force.set()
            return
        self._cleaning = True
        raise _StopRequestedError(signal.Signals(signum).name)

    @contextlib.contextmanager
    def installed(self) -> Iterator[_Signals]:
        previous = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            yield self
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def _check_dead(children: list[Child]) -> None:
    from rich.panel import Panel

    for child in children:
        if not child.alive():
            err.print(
                Panel(
                    child.log_tail() or "(nhật ký trống – empty log)",
                    title=f"{child.name} đã dừng với mã {child.process.returncode} "
                    f"(exited) – {child.log_path}",
                    border_style="red",
                )
            )
            raise fail(f"tiến trình {child.name} dừng bất ngờ (a process exited unexpectedly)")


def _wait_ready(children: list[Child], timeout: float, signals: _Signals) -> None:
    import httpx
    from rich.panel import Panel
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    apis = [c for c in children if c.url is not None]
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    ) as progress:
        tasks = {c.name: progress.add_task(f"{c.name}: đang khởi động (starting)…") for c in apis}
        pending = {c.name: c for c in apis}
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=2.0) as client:
            while pending:
                signals.check()
                _check_dead(children)
                for name, child in list(pending.items()):
                    try:
                        response = client.get(f"{child.url}/health/ready")
                    except httpx.HTTPError:
                        continue
                    if response.status_code == 200:
                        progress.update(
                            tasks[name],
                            description=f"[green]{name}: sẵn sàng (ready)[/] {child.url}",
                            completed=1,
                            total=1,
                        )
                        del pending[name]
                    else:
                        progress.update(
                            tasks[name], description=f"{name}: chờ MongoDB/Kafka (waiting)…"
                        )
                if pending and time.monotonic() > deadline:
                    for name in pending:
                        err.print(Panel(pending[name].log_tail(), title=name, border_style="red"))
                    raise fail(
                        f"không sẵn sàng sau {timeout:.0f} s (not ready): {', '.join(pending)}"
                    )
                time.sleep(0.3)
    _check_dead(children)


SEED_ATTEMPTS = 3
"""Demo seeding is idempotent, so a dropped connection (a keep-alive closed by the server
just as the client reused it, a timeout on a busy machine) is retried from the start."""


def seed_demo(urls: dict[str, str], token: str, signals: _Signals) -> SeedReport:
    """Load every section of the demo data into the services at ``urls`` (service name →
    base URL), one progress bar each, and print the one report."""
    from ocop_platform.seeding import SECTIONS, SeedRun

    run = SeedRun()
    for section in SECTIONS:
        signals.check()
        _seed(section, urls[section.service], token, signals, run)
    err.print(report_table(run.report))
    return run.report


def report_table(report: SeedReport) -> Table:
    from rich.table import Table

    table = Table(title="Dữ liệu mẫu (demo data)")
    table.add_column("Loại (kind)")
    table.add_column("Tạo mới (created)", justify="right")
    table.add_column("Đã có (already there)", justify="right")
    for label, created, existing in report.rows():
        table.add_row(label, str(created), str(existing))
    table.add_row("[bold]Tổng (total)", f"[bold]{report.total_created}", "")
    return table


def _seed(section: Section, base_url: str, token: str, signals: _Signals, run: SeedRun) -> None:
    import httpx

    from ocop_platform.seeding import SeedRun

    for attempt in range(1, SEED_ATTEMPTS + 1):
        # Counted only when the attempt completes: a retry finds the first one's records.
        attempt_run = SeedRun(product_ids=run.product_ids)
        try:
            _seed_once(section, base_url, token, signals, attempt_run)
            break
        except (RuntimeError, httpx.HTTPError) as exc:
            signals.check()  # Ctrl-C while seeding: a stop, not a failure
            if not isinstance(exc, httpx.TransportError) or attempt == SEED_ATTEMPTS:
                raise _seed_failed(section, exc) from exc
            _log().warning("demo_seed_retry", section=section.label, error=repr(exc))
    run.report.merge(attempt_run.report)
    err.print(f"{section.label}: {attempt_run.report.summary()}")


async def _unless_stopped(work: Coroutine[Any, Any, None], signals: _Signals) -> None:
    """Run ``work``, cancelling it as soon as a stop is requested: the signal's exception may
    have been raised inside an asyncio callback, which swallows it and leaves a request
    waiting for its (long) timeout."""
    task = asyncio.ensure_future(work)
    while not task.done():
        if signals.stop_requested:
            task.cancel()
            break
        await asyncio.wait({task}, timeout=0.1)
    try:
        await task
    except asyncio.CancelledError:
        signals.check()
        raise


def _seed_once(
    section: Section, base_url: str, token: str, signals: _Signals, run: SeedRun
) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from ocop_platform.seeding import demo_data, seed_section

    with Progress(
        TextColumn(f"[bold]Dữ liệu mẫu – {section.label}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        console=err,
    ) as progress:
        task = progress.add_task("", total=section.steps(demo_data()))

        def step(what: str) -> None:
            progress.update(task, advance=1, description=what)

        run.step = step
        asyncio.run(_unless_stopped(seed_section(section, base_url, token, run), signals))


def _seed_failed(section: Section, exc: Exception) -> typer.Exit:
    return fail(
        f"không nạp được dữ liệu mẫu – {section.label} (demo seeding failed): "
        f"{type(exc).__name__}: {exc}"
    )


def _summary(children: list[Child], admin_token: str | None, stop_infra: bool) -> None:
    from rich.table import Table

    table = Table(title="Hệ thống OCOP đang chạy (the OCOP platform is running)")
    table.add_column("Trang (page)")
    table.add_column("Địa chỉ (URL)", style="cyan", overflow="fold")
    for child in children:
        component = child.component
        if isinstance(component, ApiProcess) and child.url is not None:
            for label, path in component.pages:
                table.add_row(label, f"{child.url}{path}")
            table.add_row(f"Tài liệu API – {component.title} (API docs)", f"{child.url}/docs")
    table.add_row("Nhật ký (logs)", str(_logs_dir()))
    out.print(table)
    if admin_token is not None:
        out.print("Token quản trị cho API (admin bearer token, 8 h):", style="bold")
        typer.echo(admin_token)
    infra_note = (
        "Kafka và MongoDB sẽ dừng theo (--stop-infra)."
        if stop_infra
        else "Kafka và MongoDB vẫn chạy; dừng bằng `ocop infra down` (they keep running)."
    )
    out.print(f"Nhấn [bold]Ctrl-C[/] để dừng các dịch vụ (press Ctrl-C to stop). {infra_note}")


def _start_children(host: str, endpoints: Endpoints, children: list[Child]) -> None:
    """Spawn every process of `SYSTEM`, appending each to `children` as soon as it runs."""
    from ocop_platform.infra.process import tcp_port_open

    env = {**os.environ, **endpoints.as_env(), "PYTHONUNBUFFERED": "1"}
    display = _display_host(host)
    plan: list[tuple[Component, list[str], str | None]] = []
    for component in SYSTEM:
        if isinstance(component, ApiProcess):
            port = component.port()
            if tcp_port_open(display, port):
                raise fail(
                    f"cổng {port} đang bận ({component.name}; port in use) – "
                    f"đặt {component.port_env} để chọn cổng khác"
                )
            url = f"http://{display}:{port}"
            for name in component.public_url_envs:
                env.setdefault(name, url)
            for name, value in component.env_defaults:
                env.setdefault(name, value)
            plan.append((component, component.argv(host, port), url))
        else:
            plan.append((component, component.argv(), None))
    for component, argv, api_url in plan:
        children.append(_spawn(component, argv, env, api_url))


def run(
    demo: bool = typer.Option(
        True, "--demo/--no-demo", help="Nạp dữ liệu mẫu (load the demo data, idempotent)."
    ),
    host: str = typer.Option("127.0.0.1", help="Địa chỉ lắng nghe của các API (bind host)."),
    stop_infra: bool = typer.Option(
        False, "--stop-infra", help="Dừng cả Kafka và MongoDB khi thoát (also stop infra on exit)."
    ),
    ready_timeout: float = typer.Option(
        180.0, min=1.0, help="Chờ các API sẵn sàng tối đa N giây (readiness timeout, s)."
    ),
) -> None:
    """Chạy toàn bộ hệ thống (run the whole platform: infra, APIs, workers, demo data).

    Ports: OCOP_PORTAL_PORT (8000), OCOP_CERTIFICATION_PORT (8001), OCOP_CATALOG_PORT (8002),
    OCOP_ORDERS_PORT (8003), OCOP_EVENTS_PORT (8004). Logs of every process go to .ocop/logs/.
    Ctrl-C or SIGTERM stops the services; Kafka and MongoDB keep running unless
    --stop-infra is given: stop them with `ocop infra down`.
    """
    from ocop_platform.cli.infra import endpoint_table, start_infra
    from ocop_platform.infra import InfraError, infra_down
    from ocop_shared.auth import Role, mint_token
    from ocop_shared.settings import ServiceSettings

    settings = ServiceSettings()
    admin_token = None
    if settings.jwt_public_key:
        err.print(
            "[yellow]OCOP_JWT_PUBLIC_KEY đã đặt: không tạo token và không nạp dữ liệu mẫu "
            "(no dev token, no demo data).[/]"
        )
    else:
        admin_token = mint_token(settings, subject="ocop-run-admin", roles=[Role.ADMIN])

    children: list[Child] = []
    exit_code = 0
    with _Signals().installed() as signals:
        try:
            endpoints = start_infra()
            err.print(endpoint_table(endpoints))
            _start_children(host, endpoints, children)
            _wait_ready(children, ready_timeout, signals)
            if demo and admin_token is not None:
                seed_token = mint_token(settings, subject="demo-seed", roles=[Role.ADMIN])
                urls = {c.name.removesuffix("-api"): c.url or "" for c in children}
                seed_demo(urls, seed_token, signals)
            _summary(children, admin_token, stop_infra)
            while True:
                signals.check()
                time.sleep(0.5)
                _check_dead(children)
        except (_StopRequestedError, KeyboardInterrupt):
            err.print("\nĐang dừng các dịch vụ (stopping)…")
        except typer.Exit as exc:
            exit_code = exc.exit_code
        finally:
            signals.begin_cleanup()
            _stop_children(children, signals.force)
            if stop_infra:
                with contextlib.suppress(InfraError):
                    infra_down()
    err.print("Đã dừng (stopped).")
    if exit_code:
        raise typer.Exit(exit_code)
