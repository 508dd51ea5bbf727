"""`ocop`: the developer's command line for the whole platform.

* ``ocop run`` starts Kafka and MongoDB (unless ``KAFKA_BOOTSTRAP_SERVERS`` / ``MONGODB_URI``
  name external ones), every service's API and workers as child processes, loads the demo
  data and waits; Ctrl-C stops the services (``ocop infra down`` stops Kafka and MongoDB).
* ``ocop infra up|down|status`` manages the local Kafka broker and MongoDB-wire server.
* ``ocop token`` mints a development JWT; ``ocop schemas export|check`` keeps the JSON Schema
  snapshots of the event contracts; ``ocop dlq replay`` replays dead letters.
"""

from __future__ import annotations

import asyncio
import contextlib
import difflib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from types import FrameType
from typing import IO

import httpx
import structlog
import typer
from rich.console import Console
from rich.panel import Panel
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from ocop_shared.auth import Role, mint_token
from ocop_shared.infra import (
    Endpoints,
    InfraError,
    default_state_dir,
    find_repo_root,
    infra_down,
    infra_status,
    infra_up,
)
from ocop_shared.infra.kafka import tcp_port_open
from ocop_shared.logging import configure_logging
from ocop_shared.settings import ServiceSettings

log = structlog.get_logger(__name__)

app = typer.Typer(
    help="Nền tảng xúc tiến thương mại OCOP (OCOP trade platform): chạy hệ thống, hạ tầng, "
    "token, lược đồ sự kiện.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
infra_app = typer.Typer(
    help="Kafka và MongoDB cục bộ (local Kafka broker and MongoDB-wire server).",
    no_args_is_help=True,
)
schemas_app = typer.Typer(
    help="Lược đồ JSON của các sự kiện (JSON Schema snapshots of the event contracts).",
    no_args_is_help=True,
)
dlq_app = typer.Typer(help="Hàng đợi thư chết (dead-letter topics).", no_args_is_help=True)
app.add_typer(infra_app, name="infra")
app.add_typer(schemas_app, name="schemas")
app.add_typer(dlq_app, name="dlq")

out = Console()
err = Console(stderr=True)


@app.callback()
def main(
    verbose: bool = typer.Option(
        False, "--verbose", "-v", help="Ghi nhật ký chi tiết (log at INFO instead of WARNING)."
    ),
) -> None:
    """Nền tảng OCOP (OCOP trade platform)."""
    configure_logging("ocop-cli", "INFO" if verbose else "WARNING")


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]Lỗi:[/] {message}")
    return typer.Exit(code)


def _repo_root() -> Path:
    return find_repo_root() or Path.cwd()


# --------------------------------------------------------------------------------- infra ----


def _endpoint_table(endpoints: Endpoints) -> Table:
    table = Table(show_header=False, box=None)
    for key, value in endpoints.as_env().items():
        table.add_row(f"[bold]{key}[/]", value)
    return table


def _start_infra() -> Endpoints:
    try:
        with err.status("Đang khởi động Kafka và MongoDB (starting Kafka and MongoDB)…"):
            return infra_up()
    except InfraError as exc:
        raise _fail(
            f"không khởi động được hạ tầng (infrastructure failed to start): {exc}"
        ) from exc


@infra_app.command("up")
def infra_up_command() -> None:
    """Khởi động Kafka và MongoDB (start them, or reuse those already running)."""
    endpoints = _start_infra()
    out.print(_endpoint_table(endpoints))


@infra_app.command("down")
def infra_down_command() -> None:
    """Dừng Kafka và MongoDB cục bộ (stop the local servers; external ones are left alone)."""
    try:
        infra_down()
    except InfraError as exc:
        raise _fail(str(exc)) from exc
    out.print("Đã dừng Kafka và MongoDB (stopped).")


@infra_app.command("status")
def infra_status_command() -> None:
    """Trạng thái Kafka và MongoDB (status table)."""
    status = infra_status()
    table = Table(title=f"Hạ tầng (infrastructure) – {default_state_dir()}")
    table.add_column("Máy chủ (server)")
    table.add_column("Trạng thái (state)")
    table.add_column("Quản lý (managed)")
    table.add_column("PID", justify="right")
    table.add_column("Địa chỉ (endpoint)", overflow="fold")
    for service in (status.kafka, status.mongodb):
        table.add_row(
            service.name,
            "[green]đang chạy (running)[/]" if service.running else "[red]đã dừng (stopped)[/]",
            "cục bộ (local)" if service.managed else "bên ngoài (external)",
            str(service.pid) if service.pid is not None else "–",
            service.endpoint or "–",
        )
    out.print(table)


# --------------------------------------------------------------------------------- token ----


def _dev_settings() -> ServiceSettings:
    settings = ServiceSettings()
    if settings.jwt_public_key:
        raise _fail(
            "OCOP_JWT_PUBLIC_KEY đã được đặt: token do nhà cung cấp định danh cấp "
            "(tokens come from the identity provider, not from this CLI)",
            code=2,
        )
    return settings


@app.command()
def token(
    role: list[Role] = typer.Option(
        ..., "--role", help="Vai trò, lặp lại được (role, repeatable)."
    ),
    subject: str = typer.Option("dev-user", help="Chủ thể của token (subject)."),
    producer_id: str | None = typer.Option(None, help="Gắn với chủ thể OCOP (producer scope)."),
    showroom_id: list[str] = typer.Option(
        [], "--showroom-id", help="Điểm bán được phép (showroom scope, repeatable)."
    ),
    name: str | None = typer.Option(None, help="Tên hiển thị (display name)."),
    ttl_hours: float = typer.Option(8.0, min=0.01, help="Thời hạn, giờ (lifetime in hours)."),
) -> None:
    """In một JWT phát triển (print a development JWT signed with the local secret)."""
    settings = _dev_settings()
    typer.echo(
        mint_token(
            settings,
            subject=subject,
            roles=list(role),
            producer_id=producer_id,
            showroom_ids=list(showroom_id),
            name=name,
            ttl=timedelta(hours=ttl_hours),
        )
    )


# ------------------------------------------------------------------------------- schemas ----


def _default_schema_dir() -> Path:
    return _repo_root() / "shared" / "schemas"


def _schema_files() -> dict[str, str]:
    from ocop_shared.contracts import json_schemas

    return {
        f"{name}.json": json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        for name, schema in json_schemas().items()
    }


SchemaDir = typer.Option(
    None, "--dir", help="Thư mục lược đồ (schema directory; default: shared/schemas)."
)


@schemas_app.command("export")
def schemas_export(directory: Path | None = SchemaDir) -> None:
    """Ghi lược đồ JSON của mọi sự kiện (write one <name>.json per contract; prune stale ones)."""
    target = directory or _default_schema_dir()
    target.mkdir(parents=True, exist_ok=True)
    files = _schema_files()
    written = 0
    for filename, text in files.items():
        path = target / filename
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written += 1
    stale = [p for p in sorted(target.glob("*.json")) if p.name not in files]
    for path in stale:
        path.unlink()
    out.print(
        f"{len(files)} lược đồ trong {target}: {written} ghi mới (written), "
        f"{len(stale)} xoá (stale removed)."
    )


@schemas_app.command("check")
def schemas_check(directory: Path | None = SchemaDir) -> None:
    """Kiểm tra lược đồ đã lưu khớp mã nguồn (exit 1 when the snapshots differ)."""
    target = directory or _default_schema_dir()
    files = _schema_files()
    problems: list[str] = []
    for filename, text in sorted(files.items()):
        path = target / filename
        if not path.is_file():
            problems.append(f"thiếu (missing): {filename}")
            continue
        committed = path.read_text(encoding="utf-8")
        if committed != text:
            diff = list(
                difflib.unified_diff(committed.splitlines(), text.splitlines(), lineterm="", n=0)
            )
            added = sum(1 for line in diff if line.startswith("+") and not line.startswith("+++"))
            removed = sum(1 for line in diff if line.startswith("-") and not line.startswith("---"))
            problems.append(f"khác (changed): {filename} (+{added} −{removed} dòng/lines)")
    problems.extend(
        f"thừa (stale): {p.name}" for p in sorted(target.glob("*.json")) if p.name not in files
    )
    if problems:
        for problem in problems:
            err.print(f"  {problem}")
        raise _fail(
            f"{len(problems)} lược đồ không khớp (schemas differ); sau khi xem lại thay đổi, "
            "chạy `ocop schemas export`"
        )
    out.print(f"{len(files)} lược đồ khớp (schemas match) – {target}")


# ----------------------------------------------------------------------------------- dlq ----


@dlq_app.command("replay")
def dlq_replay(
    topic: str = typer.Option(..., help="Topic gốc (original topic, without .dlq)."),
    group: str = typer.Option(..., help="Nhóm tiêu thụ đã thất bại (consumer group)."),
    database: str | None = typer.Option(
        None,
        help="CSDL của dịch vụ tiêu thụ để đánh dấu đã phát lại "
        "(the consumer's database, e.g. ocop_catalog, to mark dead letters replayed).",
    ),
    idle_timeout: float = typer.Option(2.0, min=0.1, help="Dừng sau N giây không có thư (s)."),
) -> None:
    """Phát lại thư chết cho một nhóm tiêu thụ (replay dead letters to the group that failed)."""
    from ocop_shared.messaging.dead_letters import replay_dead_letters
    from ocop_shared.mongo import create_client

    settings = ServiceSettings()

    async def replay() -> int:
        client = create_client(settings.mongodb_uri, app_name="ocop-cli") if database else None
        try:
            return await replay_dead_letters(
                bootstrap_servers=settings.kafka_bootstrap_servers,
                db=client[database] if client is not None and database else None,
                topic=topic,
                group_id=group,
                idle_timeout_s=idle_timeout,
            )
        finally:
            if client is not None:
                await client.close()

    try:
        count = asyncio.run(replay())
    except Exception as exc:
        raise _fail(f"phát lại thất bại (replay failed): {exc!r}") from exc
    out.print(f"Đã phát lại {count} thư (replayed {count} messages) từ {topic}.dlq cho {group}.")


# ----------------------------------------------------------------------------------- run ----


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
    public_url_env: str | None = None
    """Setting that tells the service its own public address (for links and QR codes)."""

    def port(self) -> int:
        raw = os.environ.get(self.port_env, "").strip()
        if not raw:
            return self.default_port
        if not raw.isdigit() or not 0 < int(raw) < 65536:
            raise _fail(f"{self.port_env}={raw!r} không phải số cổng (not a port number)")
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
"""The API the demo data is loaded through."""

# Adding a service is one line per process.
SYSTEM: tuple[Component, ...] = (
    ApiProcess(
        CERTIFICATION_API,
        "ocop_certification.entrypoints.api:create_app",
        "OCOP_CERTIFICATION_PORT",
        8001,
        "Chứng nhận (certification)",
    ),
    WorkerProcess("certification-relay", "ocop_certification.entrypoints.relay"),
    ApiProcess(
        "catalog-api",
        "ocop_catalog.entrypoints.api:create_app",
        "OCOP_CATALOG_PORT",
        8002,
        "Danh mục (catalogue)",
        pages=(("Danh mục sản phẩm OCOP (public catalogue)", "/"),),
        public_url_env="CATALOG_PUBLIC_BASE_URL",
    ),
    WorkerProcess("catalog-relay", "ocop_catalog.entrypoints.relay"),
    WorkerProcess("catalog-consumer", "ocop_catalog.entrypoints.consumer"),
)


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
    log.info("child_started", name=component.name, pid=process.pid, log=str(log_path))
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
            log.warning("child_killed_after_timeout", name=child.name, pid=child.process.pid)
            _signal_group(child, signal.SIGKILL)
        child.process.wait()
        # Anything the child left in its group (it should leave nothing).
        _signal_group(child, signal.SIGKILL)
        child.log_handle.close()
        log.info("child_stopped", name=child.name, returncode=child.process.returncode)


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
            raise _fail(f"tiến trình {child.name} dừng bất ngờ (a process exited unexpectedly)")


def _wait_ready(children: list[Child], timeout: float) -> None:
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
                    raise _fail(
                        f"không sẵn sàng sau {timeout:.0f} s (not ready): {', '.join(pending)}"
                    )
                time.sleep(0.3)
    _check_dead(children)


def _seed(base_url: str, token: str) -> None:
    # Imported here: the shared package does not depend on any service at import time.
    from ocop_certification.entrypoints.demo import SeedError, demo_step_count, seed_demo

    with Progress(
        TextColumn("[bold]Dữ liệu mẫu (demo data)"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        console=err,
    ) as progress:
        task = progress.add_task("", total=demo_step_count())

        def step(what: str) -> None:
            progress.update(task, advance=1, description=what)

        try:
            report = asyncio.run(seed_demo(base_url, token, progress=step))
        except (SeedError, httpx.HTTPError) as exc:
            raise _fail(f"không nạp được dữ liệu mẫu (demo seeding failed): {exc}") from exc
    err.print(
        f"Dữ liệu mẫu: +{report.producers_created} chủ thể, +{report.products_created} sản phẩm, "
        f"+{report.certificates_issued} giấy chứng nhận, {report.certificates_revoked} thu hồi "
        f"(đã có sẵn / already there: {report.products_existing} sản phẩm)."
    )


def _summary(children: list[Child], admin_token: str | None, stop_infra: bool) -> None:
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
    env = {**os.environ, **endpoints.as_env(), "PYTHONUNBUFFERED": "1"}
    display = _display_host(host)
    plan: list[tuple[Component, list[str], str | None]] = []
    for component in SYSTEM:
        if isinstance(component, ApiProcess):
            port = component.port()
            if tcp_port_open(display, port):
                raise _fail(
                    f"cổng {port} đang bận ({component.name}; port in use) – "
                    f"đặt {component.port_env} để chọn cổng khác"
                )
            url = f"http://{display}:{port}"
            if component.public_url_env and component.public_url_env not in os.environ:
                env[component.public_url_env] = url
            plan.append((component, component.argv(host, port), url))
        else:
            plan.append((component, component.argv(), None))
    for component, argv, api_url in plan:
        children.append(_spawn(component, argv, env, api_url))


@app.command()
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

    Ports: OCOP_CERTIFICATION_PORT (8001), OCOP_CATALOG_PORT (8002). Logs of every process go
    to .ocop/logs/. Ctrl-C or SIGTERM stops the services; Kafka and MongoDB keep running
    unless --stop-infra is given: stop them with `ocop infra down`.
    """
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
            endpoints = _start_infra()
            err.print(_endpoint_table(endpoints))
            _start_children(host, endpoints, children)
            _wait_ready(children, ready_timeout)
            if demo and admin_token is not None:
                certification = next(c for c in children if c.name == CERTIFICATION_API)
                seed_token = mint_token(settings, subject="demo-seed", roles=[Role.ADMIN])
                _seed(certification.url or "", seed_token)
            _summary(children, admin_token, stop_infra)
            while True:
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
