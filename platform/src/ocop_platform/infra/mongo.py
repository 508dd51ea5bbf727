"""A MongoDB-wire server (SecantusDB) run as a local subprocess.

SecantusDB is installed from PyPI into its own virtual environment under a cache directory
(never into the project's environment). It advertises itself as the single-node replica set
``secantus``, so transactions and change streams work.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import structlog

from ocop_platform.infra.process import InfraError, ManagedProcess, file_lock

log = structlog.get_logger(__name__)

REPLICA_SET = "secantus"


@dataclass(frozen=True)
class SecantusRelease:
    """One pinned SecantusDB release and the server executable to run from it."""

    version: str
    executable: str
    extra_args: tuple[str, ...]


SECANTUS_RELEASES: tuple[SecantusRelease, ...] = (
    # Native server; --log-file-max avoids preallocating a 2.1 GB WiredTiger log.
    SecantusRelease("0.6.0b17", "secantusd-rs", ("--log-file-max", "32MB")),
    # Fallback (pre-releases get deleted from PyPI): the slower pure-Python server.
    SecantusRelease("0.7.0b3", "secantusd-py", ()),
)

_CONFIG = "[storage]\nttl_sweep_seconds = 1\n"


class MongoServer(ManagedProcess):
    """A SecantusDB server on loopback.

    ``work_dir`` holds the config, pid and log files and ``data/`` (WiredTiger home).
    The SecantusDB virtual environment is cached under ``cache_dir``
    (default ``work_dir/cache``).

    ``sync_on_commit`` (default on, ~0.3 ms per write) makes acknowledged writes survive a
    crash (:meth:`kill`) as with mongod; without it SecantusDB loses the last writes before a
    SIGKILL, even with ``j: true``. A clean :meth:`stop` loses nothing either way.
    """

    name: ClassVar[str] = "secantusd"

    def __init__(
        self,
        work_dir: Path,
        port: int = 27017,
        *,
        cache_dir: Path | None = None,
        host: str = "127.0.0.1",
        cache_size: str = "256M",
        releases: tuple[SecantusRelease, ...] = SECANTUS_RELEASES,
        sync_on_commit: bool = True,
    ) -> None:
        super().__init__(work_dir)
        self.sync_on_commit = sync_on_commit
        self.port = port
        self.host = host
        self.cache_size = cache_size
        self.cache_dir = (cache_dir or self.work_dir / "cache").resolve()
        self.releases = releases

    # -- paths -------------------------------------------------------------------------------
    @property
    def uri(self) -> str:
        return f"mongodb://{self.host}:{self.port}/?replicaSet={REPLICA_SET}"

    @property
    def data_dir(self) -> Path:
        return self.work_dir / "data"

    @property
    def config_file(self) -> Path:
        return self.work_dir / "secantusd.toml"

    @property
    def venv_dir(self) -> Path:
        return self.cache_dir / "secantusdb-venv"

    @property
    def _marker(self) -> Path:
        return self.venv_dir / ".ocop-installed"

    def _identity_marker(self) -> str:
        return str(self.data_dir)

    # -- install -----------------------------------------------------------------------------
    def installed_release(self) -> SecantusRelease | None:
        try:
            version = self._marker.read_text().strip()
        except OSError:
            return None
        for release in self.releases:
            if (
                release.version == version
                and (self.venv_dir / "bin" / release.executable).is_file()
            ):
                return release
        return None

    def ensure_installed(self) -> SecantusRelease:
        """Install the first pinned SecantusDB release that PyPI still has (once)."""
        with file_lock(self.cache_dir / ".secantusdb.lock"):
            release = self.installed_release()
            if release is not None:
                return release
            return self._install_first_available()

    def _install_first_available(self) -> SecantusRelease:
        errors: list[str] = []
        for release in self.releases:
            try:
                self._install(release)
            except InfraError as exc:
                log.warning("secantusdb_install_failed", version=release.version, error=str(exc))
                errors.append(f"secantusdb=={release.version}: {exc}")
                continue
            return release
        raise InfraError("could not install SecantusDB:\n" + "\n".join(errors))

    def _install(self, release: SecantusRelease) -> None:
        # Built in place (a venv's scripts hold absolute paths); the marker is written last,
        # so a half-built venv is never taken for a finished one.
        started = time.monotonic()
        self._marker.unlink(missing_ok=True)
        shutil.rmtree(self.venv_dir, ignore_errors=True)
        python = str(self.venv_dir / "bin" / "python")
        requirement = f"secantusdb=={release.version}"
        uv = shutil.which("uv")
        if uv is not None:
            commands = [
                [uv, "venv", "--quiet", "--python", sys.executable, str(self.venv_dir)],
                [uv, "pip", "install", "--quiet", "--python", python, requirement],
            ]
        else:
            commands = [
                [sys.executable, "-m", "venv", str(self.venv_dir)],
                [python, "-m", "pip", "install", "--quiet", requirement],
            ]
        env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
        log.info("secantusdb_installing", version=release.version, into=str(self.venv_dir))
        for command in commands:
            result = subprocess.run(
                command, capture_output=True, text=True, timeout=600, check=False, env=env
            )
            if result.returncode != 0:
                shutil.rmtree(self.venv_dir, ignore_errors=True)
                raise InfraError((result.stdout + result.stderr).strip()[-2000:])
        if not (self.venv_dir / "bin" / release.executable).is_file():
            shutil.rmtree(self.venv_dir, ignore_errors=True)
            raise InfraError(f"the package did not install {release.executable}")
        self._marker.write_text(f"{release.version}\n")
        log.info(
            "secantusdb_installed",
            version=release.version,
            seconds=round(time.monotonic() - started, 1),
        )

    # -- start -------------------------------------------------------------------------------
    def start(self, timeout: float = 60.0) -> None:
        """Start the server and wait until it answers ``ping``. No-op when already running."""
        if self.is_running():
            log.info("secantusd_already_running", pid=self.pid, uri=self.uri)
            return
        release = self.ensure_installed()
        self._check_port_free(self.host, self.port)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.config_file.write_text(_CONFIG)
        started = time.monotonic()
        pid = self._launch(
            [
                str(self.venv_dir / "bin" / release.executable),
                "--config",
                str(self.config_file),
                "--host",
                self.host,
                "--port",
                str(self.port),
                "--storage-path",
                str(self.data_dir),
                "--cache-size",
                self.cache_size,
                *release.extra_args,
                *(["--sync-on-commit"] if self.sync_on_commit else []),
                "--log-level",
                "WARNING",
            ]
        )
        self._wait_ready(pid, self._answers, timeout)
        log.info(
            "secantusd_started",
            pid=pid,
            uri=self.uri,
            version=release.version,
            seconds=round(time.monotonic() - started, 2),
        )

    def _answers(self) -> bool:
        return mongo_answers(f"mongodb://{self.host}:{self.port}/?directConnection=true", 1.0)


def mongo_answers(uri: str, timeout: float = 5.0) -> bool:
    """True when a MongoDB-wire server at ``uri`` answers ``ping``."""
    from pymongo import MongoClient
    from pymongo.errors import PyMongoError

    timeout_ms = int(timeout * 1000)
    client: MongoClient[dict[str, object]] = MongoClient(
        uri,
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
        socketTimeoutMS=timeout_ms,
    )
    try:
        client.admin.command("ping")
    except PyMongoError:
        return False
    finally:
        client.close()
    return True
