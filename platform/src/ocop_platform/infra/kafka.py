"""A genuine Apache Kafka broker (single-node KRaft) run as a local subprocess.

The broker's jars come from Maven Central through ``deploy/infra/kafka/pom.xml``; they are
resolved once into a cache directory. The broker runs detached from the calling process
(its own session), with its pid in a pid file, so a CLI can start it and a later call stop it.

The pid-file based life cycle it shares with :mod:`ocop_platform.infra.mongo` is
:class:`~ocop_platform.infra.process.ManagedProcess`.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import hashlib
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import structlog

from ocop_platform.infra.process import (
    POM_RELATIVE_PATH,
    InfraError,
    ManagedProcess,
    file_lock,
    find_repo_root,
    tcp_port_open,
)

log = structlog.get_logger(__name__)

_T = TypeVar("_T")

KAFKA_VERSION = "3.9.1"
"""Must match ``kafka.version`` in ``deploy/infra/kafka/pom.xml``."""

_DEFAULT_LOG4J = """\
log4j.rootLogger=WARN, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaRaftServer=INFO
"""


def _run_in_fresh_loop(factory: Callable[[], Coroutine[Any, Any, _T]], timeout: float) -> _T:
    """Run a coroutine in its own event loop on a worker thread.

    Works whether or not the caller is inside a running event loop.
    """
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:

        async def bounded() -> _T:
            return await asyncio.wait_for(factory(), timeout)

        return pool.submit(asyncio.run, bounded()).result(timeout=timeout + 5)


def _kafka_random_uuid() -> str:
    """Same form as ``kafka.tools.StorageTool random-uuid`` (URL-safe base64, 22 chars)."""
    while True:
        value = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not value.startswith("-"):
            return value


class KafkaBroker(ManagedProcess):
    """A single-node KRaft Kafka broker on loopback.

    ``work_dir`` holds ``server.properties``, the pid and log files and ``data/`` (the
    cluster id and the Kafka log dir). Jars are cached under ``cache_dir``
    (default ``work_dir/cache``), shared between brokers.
    """

    name: ClassVar[str] = "kafka"

    def __init__(
        self,
        work_dir: Path,
        port: int = 9092,
        controller_port: int = 9093,
        *,
        cache_dir: Path | None = None,
        pom_path: Path | None = None,
        host: str = "127.0.0.1",
        heap: str = "512m",
        num_partitions: int = 3,
        extra_properties: dict[str, str] | None = None,
    ) -> None:
        super().__init__(work_dir)
        self.port = port
        self.controller_port = controller_port
        self.host = host
        self.heap = heap
        self.num_partitions = num_partitions
        self.extra_properties = dict(extra_properties or {})
        self.cache_dir = (cache_dir or self.work_dir / "cache").resolve()
        self._pom_path = pom_path

    # -- paths -------------------------------------------------------------------------------
    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def data_dir(self) -> Path:
        return self.work_dir / "data"

    @property
    def log_dirs(self) -> Path:
        return self.data_dir / "kraft-logs"

    @property
    def cluster_id_file(self) -> Path:
        return self.data_dir / "cluster.id"

    @property
    def properties_file(self) -> Path:
        return self.work_dir / "server.properties"

    @property
    def jars_dir(self) -> Path:
        return self.cache_dir / f"kafka-{KAFKA_VERSION}" / "libs"

    @property
    def pom_path(self) -> Path:
        if self._pom_path is not None:
            return self._pom_path.resolve()
        root = find_repo_root()
        if root is None:
            raise InfraError(
                f"cannot find {POM_RELATIVE_PATH} above {Path(__file__).parent} or the "
                "working directory; pass pom_path explicitly"
            )
        return root / POM_RELATIVE_PATH

    def _identity_marker(self) -> str:
        return str(self.properties_file)

    @property
    def cluster_id(self) -> str | None:
        try:
            return self.cluster_id_file.read_text().strip() or None
        except OSError:
            return None

    def is_formatted(self) -> bool:
        return (self.log_dirs / "meta.properties").is_file()

    # -- jars --------------------------------------------------------------------------------
    def ensure_jars(self) -> Path:
        """Resolve the broker's runtime jars with Maven into the cache (once); return the dir."""
        pom = self.pom_path
        pom_bytes = pom.read_bytes()
        marker_text = f"kafka {KAFKA_VERSION}\npom-sha256 {hashlib.sha256(pom_bytes).hexdigest()}\n"
        version_dir = self.jars_dir.parent
        marker = version_dir / ".complete"
        with file_lock(self.cache_dir / ".kafka-jars.lock"):
            if marker.is_file() and marker.read_text() == marker_text:
                return self.jars_dir
            mvn = shutil.which("mvn")
            if mvn is None:
                raise InfraError("Maven (mvn) is needed to resolve the Kafka jars; not on PATH")
            staging = version_dir.with_name(f"{version_dir.name}.staging-{os.getpid()}")
            shutil.rmtree(staging, ignore_errors=True)
            started = time.monotonic()
            log.info("kafka_jars_resolving", pom=str(pom), into=str(version_dir))
            result = subprocess.run(
                [
                    mvn,
                    "-q",
                    "-B",
                    "-f",
                    str(pom),
                    "dependency:copy-dependencies",
                    f"-DoutputDirectory={staging / 'libs'}",
                    "-DincludeScope=runtime",
                ],
                capture_output=True,
                text=True,
                timeout=900,
                check=False,
            )
            if result.returncode != 0:
                shutil.rmtree(staging, ignore_errors=True)
                output = (result.stdout + result.stderr).splitlines()[-40:]
                raise InfraError("mvn could not resolve the Kafka jars:\n" + "\n".join(output))
            broker_jar = staging / "libs" / f"kafka_2.13-{KAFKA_VERSION}.jar"
            if not broker_jar.is_file():
                shutil.rmtree(staging, ignore_errors=True)
                raise InfraError(
                    f"{pom} did not yield {broker_jar.name}: keep kafka.version in the pom "
                    f"equal to KAFKA_VERSION ({KAFKA_VERSION})"
                )
            shutil.rmtree(version_dir, ignore_errors=True)
            staging.rename(version_dir)
            marker.write_text(marker_text)
            log.info(
                "kafka_jars_resolved",
                jars=len(list(self.jars_dir.glob("*.jar"))),
                seconds=round(time.monotonic() - started, 1),
            )
            return self.jars_dir

    # -- start -------------------------------------------------------------------------------
    def _java(self) -> str:
        java_home = os.environ.get("JAVA_HOME")
        if java_home and (Path(java_home) / "bin" / "java").is_file():
            return str(Path(java_home) / "bin" / "java")
        java = shutil.which("java")
        if java is None:
            raise InfraError("a Java runtime (java, 17+) is needed for Kafka; not on PATH")
        return java

    def _log4j_config(self) -> Path:
        if self._pom_path is not None or find_repo_root() is not None:
            candidate = self.pom_path.parent / "log4j.properties"
            if candidate.is_file():
                return candidate
        fallback = self.work_dir / "log4j.properties"
        fallback.write_text(_DEFAULT_LOG4J)
        return fallback

    def _write_properties(self) -> None:
        props = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@{self.host}:{self.controller_port}",
            "listeners": (
                f"PLAINTEXT://{self.host}:{self.port},CONTROLLER://{self.host}:{self.controller_port}"
            ),
            "advertised.listeners": f"PLAINTEXT://{self.host}:{self.port}",
            "controller.listener.names": "CONTROLLER",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "inter.broker.listener.name": "PLAINTEXT",
            "log.dirs": str(self.log_dirs),
            "num.partitions": str(self.num_partitions),
            "offsets.topic.replication.factor": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
            "auto.create.topics.enable": "true",
            # After a crash (SIGKILL) the restarted broker cannot register until the old
            # registration's session expires (default 9 s): keep that short on loopback.
            "broker.heartbeat.interval.ms": "1000",
            "broker.session.timeout.ms": "4000",
            **self.extra_properties,
        }
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.properties_file.write_text("".join(f"{key}={value}\n" for key, value in props.items()))

    def _classpath(self) -> str:
        return str(self.jars_dir / "*")

    def _format_storage(self) -> None:
        cluster_id = self.cluster_id
        if cluster_id is None:
            cluster_id = _kafka_random_uuid()
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self.cluster_id_file.write_text(f"{cluster_id}\n")
        result = subprocess.run(
            [
                self._java(),
                "-Xmx256m",
                f"-Dlog4j.configuration=file:{self._log4j_config()}",
                "-cp",
                self._classpath(),
                "kafka.tools.StorageTool",
                "format",
                "--ignore-formatted",
                "-t",
                cluster_id,
                "-c",
                str(self.properties_file),
            ],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        if result.returncode != 0 or not self.is_formatted():
            output = (result.stdout + result.stderr).splitlines()
            raise InfraError("kafka-storage format failed:\n" + "\n".join(output[:30]))
        log.info("kafka_storage_formatted", cluster_id=cluster_id, log_dirs=str(self.log_dirs))

    def start(self, timeout: float = 60.0) -> None:
        """Start the broker (formatting storage on first use) and wait until it answers.

        A no-op when it is already running. Data in ``data/`` survives stop/kill/start.
        """
        if self.is_running():
            log.info("kafka_already_running", pid=self.pid, bootstrap=self.bootstrap_servers)
            return
        self.ensure_jars()
        self._check_port_free(self.host, self.port)
        self._check_port_free(self.host, self.controller_port)
        self._write_properties()
        if not self.is_formatted():
            self._format_storage()
        started = time.monotonic()
        pid = self._launch(
            [
                self._java(),
                f"-Xmx{self.heap}",
                "-XX:+ExitOnOutOfMemoryError",
                "-Djava.awt.headless=true",
                f"-Dlog4j.configuration=file:{self._log4j_config()}",
                "-cp",
                self._classpath(),
                "kafka.Kafka",
                str(self.properties_file),
            ]
        )
        self._wait_ready(pid, self._answers, timeout)
        log.info(
            "kafka_started",
            pid=pid,
            bootstrap=self.bootstrap_servers,
            cluster_id=self.cluster_id,
            seconds=round(time.monotonic() - started, 1),
        )

    def _answers(self) -> bool:
        if not tcp_port_open(self.host, self.port):
            return False
        try:
            info = _run_in_fresh_loop(lambda: _describe_cluster(self.bootstrap_servers), 5.0)
        except Exception:  # any failure means "not yet"
            return False
        if not info.get("brokers"):
            return False
        expected = self.cluster_id
        return expected is None or info.get("cluster_id") == expected


async def _describe_cluster(bootstrap_servers: str) -> dict[str, Any]:
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap_servers,
        client_id="ocop-infra-probe",
        request_timeout_ms=4000,
    )
    try:
        await admin.start()
        info: dict[str, Any] = await admin.describe_cluster()
        return info
    finally:
        await admin.close()
