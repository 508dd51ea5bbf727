"""Pytest plugin: session-scoped Kafka and MongoDB for integration tests.

Load it from a root ``conftest.py``::

    pytest_plugins = ["ocop_platform.testing.infra_fixtures"]

For each of Kafka and MongoDB, in this order:

1. ``KAFKA_BOOTSTRAP_SERVERS`` / ``MONGODB_URI`` set: that external server is used as is.
2. A Docker engine answers and testcontainers is installed: a container (Kafka in KRaft
   mode; MongoDB as a single-node replica set).
3. Otherwise: a local :class:`~ocop_platform.infra.KafkaBroker` / :class:`MongoServer` on
   free ports in a pytest temp dir, with the jars and the SecantusDB venv cached in
   ``<repo root>/.ocop/cache``.

Each server is started on first use only and stopped at the end of the session. The
fixtures are synchronous, so they work under any event loop scope.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

import pytest
import structlog

from ocop_platform.infra import (
    Endpoints,
    InfraError,
    KafkaBroker,
    MongoServer,
    free_port,
    mongo_answers,
    tool_cache_dir,
)
from ocop_platform.infra.manager import ENV_KAFKA_BOOTSTRAP_SERVERS, ENV_MONGODB_URI

log = structlog.get_logger(__name__)

Kind = Literal["external", "docker", "local"]

KAFKA_IMAGE = "confluentinc/cp-kafka:7.6.0"
MONGO_IMAGE = "mongo:7.0"
ENV_NO_DOCKER = "OCOP_TEST_NO_DOCKER"
"""Set to 1 to skip the Docker probe and always use local servers."""


@dataclass
class _Handle:
    """One running (or external) server as the fixtures know it."""

    kind: Kind
    endpoint: str
    server: KafkaBroker | MongoServer | None = None
    teardown: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        for action in reversed(self.teardown):
            try:
                action()
            except Exception as exc:  # teardown must go on with the others
                log.warning("infra_fixture_teardown_failed", kind=self.kind, error=str(exc))
        self.teardown.clear()


def _import_first(*names: str) -> ModuleType | None:
    for name in names:
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    return None


_docker_answer: bool | None = None


def docker_available() -> bool:
    """True when testcontainers is installed and a Docker engine answers ``ping`` (cached)."""
    global _docker_answer
    if _docker_answer is None:
        _docker_answer = _probe_docker()
    return _docker_answer


def _probe_docker() -> bool:
    if os.environ.get(ENV_NO_DOCKER, "").strip() not in ("", "0"):
        return False
    if _import_first("testcontainers") is None:
        return False
    try:
        docker: Any = importlib.import_module("docker")
        client = docker.from_env(timeout=5)
        try:
            client.ping()
        finally:
            client.close()
    except Exception:  # no engine, no socket, no permission: all mean "no Docker"
        return False
    return True


def _start_container(container: Any) -> None:
    """Start a testcontainers container; remove it again when it does not come up."""
    try:
        container.start()
    except BaseException:
        with contextlib.suppress(Exception):
            container.stop()
        raise


# -- Kafka ------------------------------------------------------------------------------------
def _kafka_container() -> _Handle:
    module = _import_first("testcontainers.community.kafka", "testcontainers.kafka")
    if module is None:
        raise InfraError("testcontainers has no Kafka module")
    container: Any = module.KafkaContainer(KAFKA_IMAGE).with_kraft()
    _start_container(container)
    handle = _Handle("docker", str(container.get_bootstrap_server()))
    handle.teardown.append(container.stop)
    return handle


def _kafka_local(work_root: Path) -> _Handle:
    broker = KafkaBroker(
        work_root / "kafka", free_port(), free_port(), cache_dir=tool_cache_dir(), heap="512m"
    )
    return _started_locally(broker, broker.bootstrap_servers)


def _started_locally(server: KafkaBroker | MongoServer, endpoint: str) -> _Handle:
    """Start a server of ours; it is stopped with the handle, also when starting fails."""
    handle = _Handle("local", endpoint, server=server)
    handle.teardown.append(server.stop)
    try:
        server.start()
    except BaseException:
        handle.close()
        raise
    return handle


# -- MongoDB ----------------------------------------------------------------------------------
def _mongo_container() -> _Handle:
    module = _import_first("testcontainers.community.mongodb", "testcontainers.mongodb")
    if module is None:
        raise InfraError("testcontainers has no MongoDB module")
    base: Any = module.MongoDbContainer

    class ReplicaSetMongo(base):  # type: ignore[misc]
        """mongod as a single-node replica set, without auth (auth would need a key file)."""

        def _configure(self) -> None:
            pass

    container: Any = ReplicaSetMongo(MONGO_IMAGE).with_command("--replSet rs0 --bind_ip_all")
    _start_container(container)
    handle = _Handle("docker", "")
    handle.teardown.append(container.stop)
    try:
        container.exec(
            [
                "mongosh",
                "--quiet",
                "--eval",
                "rs.initiate({_id: 'rs0', members: [{_id: 0, host: 'localhost:27017'}]})",
            ]
        )
        host = container.get_container_host_ip()
        port = container.get_exposed_port(27017)
        uri = f"mongodb://{host}:{port}/?directConnection=true"
        _wait_for_primary(uri, timeout=60.0)
    except BaseException:
        handle.close()
        raise
    handle.endpoint = uri
    return handle


def _wait_for_primary(uri: str, timeout: float) -> None:
    from pymongo import MongoClient
    from pymongo.errors import PyMongoError

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        client: MongoClient[dict[str, Any]] = MongoClient(uri, serverSelectionTimeoutMS=1000)
        try:
            if client.admin.command("hello").get("isWritablePrimary"):
                return
        except PyMongoError:
            pass
        finally:
            client.close()
        time.sleep(0.5)
    raise InfraError(f"the MongoDB container at {uri} did not become primary in {timeout} s")


def _mongo_local(work_root: Path) -> _Handle:
    server = MongoServer(work_root / "mongodb", free_port(), cache_dir=tool_cache_dir())
    return _started_locally(server, server.uri)


# -- selection --------------------------------------------------------------------------------
def _provide(
    what: str,
    env_var: str,
    container: Callable[[], _Handle],
    local: Callable[[], _Handle],
) -> _Handle:
    external = os.environ.get(env_var, "").strip()
    if external:
        log.info("infra_fixture_external", service=what, endpoint=external)
        return _Handle("external", external)
    if docker_available():
        try:
            handle = container()
        except Exception as exc:
            log.warning("infra_fixture_container_failed", service=what, error=str(exc))
        else:
            log.info("infra_fixture_container", service=what, endpoint=handle.endpoint)
            return handle
    handle = local()
    log.info("infra_fixture_local", service=what, endpoint=handle.endpoint)
    return handle


@pytest.fixture(scope="session")
def _ocop_infra_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ocop-infra")


@pytest.fixture(scope="session")
def _ocop_kafka(_ocop_infra_dir: Path) -> Iterator[_Handle]:
    handle = _provide(
        "kafka",
        ENV_KAFKA_BOOTSTRAP_SERVERS,
        _kafka_container,
        lambda: _kafka_local(_ocop_infra_dir),
    )
    try:
        yield handle
    finally:
        handle.close()


@pytest.fixture(scope="session")
def _ocop_mongo(_ocop_infra_dir: Path) -> Iterator[_Handle]:
    handle = _provide(
        "mongodb",
        ENV_MONGODB_URI,
        _mongo_container,
        lambda: _mongo_local(_ocop_infra_dir),
    )
    if handle.kind == "external" and not mongo_answers(handle.endpoint, timeout=10.0):
        log.warning("infra_fixture_external_not_answering", service="mongodb")
    try:
        yield handle
    finally:
        handle.close()


@pytest.fixture(scope="session")
def infra(_ocop_kafka: _Handle, _ocop_mongo: _Handle) -> Endpoints:
    """Kafka bootstrap servers and a MongoDB URI (replica set: transactions, change streams)."""
    return Endpoints(kafka_bootstrap_servers=_ocop_kafka.endpoint, mongodb_uri=_ocop_mongo.endpoint)


@pytest.fixture(scope="session")
def kafka_broker(_ocop_kafka: _Handle) -> KafkaBroker:
    """The local broker behind ``infra``, for fault tests that stop, kill and restart it.

    Skips when Kafka is external or a container. A test that stops the broker must start it
    again before it ends (``broker.start()`` keeps the data).
    """
    if not isinstance(_ocop_kafka.server, KafkaBroker):
        pytest.skip(f"Kafka is {_ocop_kafka.kind} ({_ocop_kafka.endpoint}), not a local broker")
    return _ocop_kafka.server


@pytest.fixture(scope="session")
def mongo_server(_ocop_mongo: _Handle) -> MongoServer:
    """The local MongoDB-wire server behind ``infra``; skips when it is external or a container."""
    if not isinstance(_ocop_mongo.server, MongoServer):
        pytest.skip(f"MongoDB is {_ocop_mongo.kind} ({_ocop_mongo.endpoint}), not a local server")
    return _ocop_mongo.server


__all__ = ["docker_available", "infra", "kafka_broker", "mongo_server"]
