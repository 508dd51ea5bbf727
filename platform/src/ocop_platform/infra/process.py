"""The life cycle of a detached local server process, shared by the Kafka broker
(:mod:`ocop_platform.infra.kafka`) and the MongoDB-wire server (:mod:`ocop_platform.infra.mongo`).

:class:`ManagedProcess` starts a server in its own session, remembers it by a pid file, waits
for it to answer and stops it; the helpers below (ports, locks, the repository root) are what
those servers need besides.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import ClassVar

import structlog

log = structlog.get_logger(__name__)

POM_RELATIVE_PATH = Path("deploy/infra/kafka/pom.xml")
"""The Kafka broker's Maven file; it also marks the repository root (:func:`find_repo_root`)."""


class InfraError(RuntimeError):
    """A local infrastructure server could not be installed, started or stopped."""


def find_repo_root(start: Path | None = None) -> Path | None:
    """Return the nearest ancestor holding ``deploy/infra/kafka/pom.xml``.

    Looks upwards from ``start`` (default: this file, then the working directory).
    """
    starts = [start] if start is not None else [Path(__file__), Path.cwd()]
    for origin in starts:
        for candidate in [origin.resolve(), *origin.resolve().parents]:
            if (candidate / POM_RELATIVE_PATH).is_file():
                return candidate
    return None


def tcp_port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    """True when something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def tool_cache_dir() -> Path:
    """Where the Kafka jars and the SecantusDB virtualenv are kept between runs.

    Outside the work tree, so checkouts share one download and no third-party package lands
    inside the repository: ``$OCOP_CACHE_DIR``, else ``$XDG_CACHE_HOME/ocop-hub``, else
    ``~/.cache/ocop-hub``.
    """
    explicit = os.environ.get("OCOP_CACHE_DIR", "").strip()
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(xdg) if xdg else Path.home() / ".cache") / "ocop-hub"


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago (the OS's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive advisory lock, held across processes (e.g. parallel test runs)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class ManagedProcess:
    """Life cycle of one detached server process known by its pid file."""

    name: ClassVar[str] = "server"

    def __init__(self, work_dir: Path) -> None:
        self.work_dir = work_dir.resolve()
        self._proc: subprocess.Popen[bytes] | None = None

    # -- files -------------------------------------------------------------------------------
    @property
    def pid_file(self) -> Path:
        return self.work_dir / f"{self.name}.pid"

    @property
    def log_file(self) -> Path:
        return self.work_dir / f"{self.name}.log"

    def _identity_marker(self) -> str:
        """A string found in the command line of this server's process (not of others)."""
        raise NotImplementedError

    # -- state -------------------------------------------------------------------------------
    @property
    def pid(self) -> int | None:
        """The pid of the running server, or None when it is not running."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if self._alive(pid) else None

    def is_running(self) -> bool:
        return self.pid is not None

    def _alive(self, pid: int) -> bool:
        """The process exists, is not a zombie, and is this server (not a reused pid)."""
        if self._proc is not None and self._proc.pid == pid:
            return self._proc.poll() is None  # our own child: no doubt about its identity
        if not self._exists(pid):
            return False
        try:
            cmdline = (Path("/proc") / str(pid) / "cmdline").read_bytes()
        except FileNotFoundError:
            return not Path("/proc/self").exists()  # no procfs: trust the pid
        except OSError:
            return False
        return self._identity_marker() in cmdline.replace(b"\0", b" ").decode(errors="replace")

    def _exists(self, pid: int) -> bool:
        """The process exists and has not finished exiting (it may still hold its ports)."""
        if self._proc is not None and self._proc.pid == pid:
            # Our own child: waitpid() is exact (it reports the exit only once every thread is
            # gone) and reaps the zombie.
            return self._proc.poll() is None
        task_dir = Path("/proc") / str(pid) / "task"
        if Path("/proc/self").exists():
            # A multi-threaded process shows its main thread as a zombie while other threads
            # still exit and hold its sockets: it is gone only when every thread is.
            try:
                stats = [(task / "stat").read_text() for task in task_dir.iterdir()]
            except OSError:
                return False
            return any(stat.rsplit(")", 1)[-1].split()[0] not in ("Z", "X") for stat in stats)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def log_tail(self, lines: int = 40) -> str:
        try:
            content = self.log_file.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(content.splitlines()[-lines:])

    # -- launching ---------------------------------------------------------------------------
    def _launch(self, argv: Sequence[str], env: dict[str, str] | None = None) -> int:
        self.work_dir.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as out:
            out.write(f"\n---- {time.strftime('%Y-%m-%dT%H:%M:%S')} starting ----\n".encode())
            out.flush()
            self._proc = subprocess.Popen(
                list(argv),
                cwd=self.work_dir,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env=env,
            )
        self.pid_file.write_text(f"{self._proc.pid}\n")
        return self._proc.pid

    def _wait_ready(self, pid: int, probe: Callable[[], bool], timeout: float) -> None:
        """Wait until ``probe()`` is true; kill the process and raise if it dies or times out."""
        deadline = time.monotonic() + timeout
        while True:
            if not self._alive(pid):
                if self._exists(pid):  # never leave a process behind that we lost track of
                    self._signal_and_wait(pid, signal.SIGKILL, 10.0)
                self._forget()
                raise InfraError(
                    f"{self.name} exited during start-up; last lines of {self.log_file}:\n"
                    + self.log_tail()
                )
            if probe():
                if not self._alive(pid):
                    continue  # answered, but someone else did: report the death above
                return
            if time.monotonic() > deadline:
                self._signal_and_wait(pid, signal.SIGKILL, 10.0)
                self._forget()
                raise InfraError(
                    f"{self.name} did not answer within {timeout:.0f} s; "
                    f"last lines of {self.log_file}:\n" + self.log_tail()
                )
            time.sleep(0.25)

    def _check_port_free(self, host: str, port: int, wait: float = 5.0) -> None:
        """Raise unless ``host:port`` is free (waiting a little for a server that just exited)."""
        deadline = time.monotonic() + wait
        while tcp_port_open(host, port):
            if time.monotonic() > deadline:
                raise InfraError(
                    f"cannot start {self.name}: {host}:{port} is already in use by another process"
                )
            time.sleep(0.2)

    # -- stopping ----------------------------------------------------------------------------
    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM, wait up to ``timeout`` seconds, then SIGKILL. No-op when not running."""
        pid = self.pid
        if pid is None:
            self._forget()
            return
        log.info("infra_process_stopping", server=self.name, pid=pid)
        if not self._signal_and_wait(pid, signal.SIGTERM, timeout):
            log.warning("infra_process_kill_after_timeout", server=self.name, pid=pid)
            self._signal_and_wait(pid, signal.SIGKILL, 10.0)
        self._forget()
        log.info("infra_process_stopped", server=self.name, pid=pid)

    def kill(self) -> None:
        """SIGKILL at once (a crash, for fault tests). No-op when not running."""
        pid = self.pid
        if pid is None:
            self._forget()
            return
        self._signal_and_wait(pid, signal.SIGKILL, 10.0)
        self._forget()
        log.info("infra_process_killed", server=self.name, pid=pid)

    def _signal_and_wait(self, pid: int, signum: signal.Signals, timeout: float) -> bool:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)
        deadline = time.monotonic() + timeout
        while self._exists(pid):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)
        return True

    def _forget(self) -> None:
        if self._proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(timeout=0)
            self._proc = None
        self.pid_file.unlink(missing_ok=True)
