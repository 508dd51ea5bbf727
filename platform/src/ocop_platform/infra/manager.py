"""Bring the local Kafka broker and MongoDB-wire server up and down as a pair.

State lives in one directory (default ``<repo root>/.ocop``)::

    infra.json          pids, ports and endpoints of the last ``infra_up``
    kafka/              broker work dir (server.properties, kafka.pid, kafka.log, data/)
    mongodb/            SecantusDB work dir (secantusd.pid, secantusd.log, data/)

Kafka jars and the SecantusDB virtualenv are cached outside the work tree
(``tool_cache_dir()``: ``~/.cache/ocop-hub`` unless ``OCOP_CACHE_DIR`` says otherwise).

``KAFKA_BOOTSTRAP_SERVERS`` / ``MONGODB_URI``, when set, name external servers that are used
as they are and never started or stopped here.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import structlog

from ocop_platform.infra.kafka import KafkaBroker
from ocop_platform.infra.mongo import REPLICA_SET, MongoServer
from ocop_platform.infra.process import InfraError, find_repo_root, tool_cache_dir

log = structlog.get_logger(__name__)

ENV_KAFKA_BOOTSTRAP_SERVERS = "KAFKA_BOOTSTRAP_SERVERS"
ENV_MONGODB_URI = "MONGODB_URI"
ENV_KAFKA_PORT = "OCOP_KAFKA_PORT"
ENV_KAFKA_CONTROLLER_PORT = "OCOP_KAFKA_CONTROLLER_PORT"
ENV_MONGODB_PORT = "OCOP_MONGODB_PORT"

DEFAULT_KAFKA_PORT = 9092
DEFAULT_MONGODB_PORT = 27017
STATE_FILE = "infra.json"


@dataclass(frozen=True)
class Endpoints:
    """Where the services find Kafka and MongoDB."""

    kafka_bootstrap_servers: str
    mongodb_uri: str

    def as_env(self) -> dict[str, str]:
        """The endpoints as the environment variables the services read."""
        return {
            ENV_KAFKA_BOOTSTRAP_SERVERS: self.kafka_bootstrap_servers,
            ENV_MONGODB_URI: self.mongodb_uri,
        }


@dataclass(frozen=True)
class ServiceStatus:
    """One server as ``infra_status`` sees it."""

    name: str
    managed: bool
    """True when run locally from the state dir; False for an external server (env var)."""
    running: bool
    pid: int | None
    endpoint: str | None


@dataclass(frozen=True)
class InfraStatus:
    kafka: ServiceStatus
    mongodb: ServiceStatus

    @property
    def endpoints(self) -> Endpoints | None:
        """The endpoints when both servers are usable, else None."""
        if not (self.kafka.running and self.mongodb.running):
            return None
        if self.kafka.endpoint is None or self.mongodb.endpoint is None:
            return None
        return Endpoints(self.kafka.endpoint, self.mongodb.endpoint)


def default_state_dir() -> Path:
    """``<repo root>/.ocop`` (gitignored), or ``./.ocop`` outside a checkout."""
    root = find_repo_root()
    return (root if root is not None else Path.cwd()) / ".ocop"


def _env_port(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        port = int(raw)
    except ValueError:
        raise InfraError(f"{name}={raw!r} is not a port number") from None
    if not 0 < port < 65536:
        raise InfraError(f"{name}={raw!r} is not a port number")
    return port


def kafka_broker_for(
    state_dir: Path, port: int | None = None, controller_port: int | None = None
) -> KafkaBroker:
    """The broker kept in ``state_dir`` (ports from the arguments, else env, else defaults)."""
    kafka_port = port if port is not None else _env_port(ENV_KAFKA_PORT, DEFAULT_KAFKA_PORT)
    if controller_port is None:
        controller_port = _env_port(ENV_KAFKA_CONTROLLER_PORT, kafka_port + 1)
    return KafkaBroker(state_dir / "kafka", kafka_port, controller_port, cache_dir=tool_cache_dir())


def mongo_server_for(state_dir: Path, port: int | None = None) -> MongoServer:
    """The MongoDB-wire server kept in ``state_dir``."""
    mongo_port = port if port is not None else _env_port(ENV_MONGODB_PORT, DEFAULT_MONGODB_PORT)
    return MongoServer(state_dir / "mongodb", mongo_port, cache_dir=tool_cache_dir())


def configured_endpoints() -> Endpoints:
    """Where Kafka and MongoDB are, as `ocop run` would use them, without starting anything.

    ``KAFKA_BOOTSTRAP_SERVERS`` / ``MONGODB_URI`` when set, else the local servers on
    ``OCOP_KAFKA_PORT`` / ``OCOP_MONGODB_PORT`` (9092 / 27017 by default). The operations
    commands (`ocop lag`, `ocop dlq …`) ask these, so a second platform on other ports
    is reached with the same variables that started it.
    """
    kafka = os.environ.get(ENV_KAFKA_BOOTSTRAP_SERVERS, "").strip()
    mongo = os.environ.get(ENV_MONGODB_URI, "").strip()
    if not kafka:
        kafka = f"127.0.0.1:{_env_port(ENV_KAFKA_PORT, DEFAULT_KAFKA_PORT)}"
    if not mongo:
        port = _env_port(ENV_MONGODB_PORT, DEFAULT_MONGODB_PORT)
        mongo = f"mongodb://127.0.0.1:{port}/?replicaSet={REPLICA_SET}"
    return Endpoints(kafka_bootstrap_servers=kafka, mongodb_uri=mongo)


def _read_state(state_dir: Path) -> dict[str, Any]:
    try:
        data = json.loads((state_dir / STATE_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_state(state_dir: Path, state: dict[str, Any]) -> None:
    state_dir.mkdir(parents=True, exist_ok=True)
    tmp = state_dir / f".{STATE_FILE}.tmp"
    tmp.write_text(json.dumps(state, indent=2, sort_keys=True) + "\n")
    tmp.replace(state_dir / STATE_FILE)


def _up_kafka(state_dir: Path, recorded: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Start (or reuse) the local broker; return its state entry and whether it was started."""
    broker = kafka_broker_for(state_dir)
    started = False
    if broker.is_running():
        same_ports = (
            recorded.get("port") == broker.port
            and recorded.get("controller_port") == broker.controller_port
        )
        if same_ports:
            log.info("kafka_reused", pid=broker.pid, bootstrap=broker.bootstrap_servers)
        else:
            log.info("kafka_restarting_for_new_ports", port=broker.port)
            broker.stop()
    if not broker.is_running():
        broker.start()
        started = True
    entry = {
        "managed": True,
        "pid": broker.pid,
        "port": broker.port,
        "controller_port": broker.controller_port,
        "bootstrap_servers": broker.bootstrap_servers,
        "work_dir": str(broker.work_dir),
    }
    return entry, started


def _up_mongo(state_dir: Path, recorded: dict[str, Any]) -> dict[str, Any]:
    server = mongo_server_for(state_dir)
    if server.is_running():
        if recorded.get("port") == server.port:
            log.info("mongodb_reused", pid=server.pid, uri=server.uri)
        else:
            log.info("mongodb_restarting_for_new_port", port=server.port)
            server.stop()
    if not server.is_running():
        server.start()
    return {
        "managed": True,
        "pid": server.pid,
        "port": server.port,
        "uri": server.uri,
        "work_dir": str(server.work_dir),
    }


def infra_up(state_dir: Path | None = None) -> Endpoints:
    """Start whatever is not external and not running yet; return the endpoints.

    Idempotent: servers already running from ``state_dir`` on the requested ports are reused.
    """
    state_dir = (state_dir or default_state_dir()).resolve()
    previous = _read_state(state_dir)
    state: dict[str, Any] = {"state_dir": str(state_dir)}

    external_kafka = os.environ.get(ENV_KAFKA_BOOTSTRAP_SERVERS, "").strip()
    kafka_started_here = False
    if external_kafka:
        state["kafka"] = {"managed": False, "bootstrap_servers": external_kafka}
        bootstrap = external_kafka
    else:
        state["kafka"], kafka_started_here = _up_kafka(state_dir, previous.get("kafka", {}))
        bootstrap = state["kafka"]["bootstrap_servers"]

    external_mongo = os.environ.get(ENV_MONGODB_URI, "").strip()
    if external_mongo:
        state["mongodb"] = {"managed": False, "uri": external_mongo}
        uri = external_mongo
    else:
        try:
            state["mongodb"] = _up_mongo(state_dir, previous.get("mongodb", {}))
        except BaseException:
            if kafka_started_here:
                kafka_broker_for(state_dir).stop()
            raise
        uri = state["mongodb"]["uri"]

    endpoints = Endpoints(kafka_bootstrap_servers=bootstrap, mongodb_uri=uri)
    state["endpoints"] = asdict(endpoints)
    _write_state(state_dir, state)
    log.info("infra_up", state_dir=str(state_dir), **asdict(endpoints))
    return endpoints


def infra_down(state_dir: Path | None = None) -> None:
    """Stop the local servers kept in ``state_dir`` (by pid); external ones are left alone."""
    state_dir = (state_dir or default_state_dir()).resolve()
    errors: list[str] = []
    for server in (kafka_broker_for(state_dir), mongo_server_for(state_dir)):
        try:
            server.stop()
        except (OSError, InfraError) as exc:
            errors.append(f"{server.name}: {exc}")
    (state_dir / STATE_FILE).unlink(missing_ok=True)
    log.info("infra_down", state_dir=str(state_dir))
    if errors:
        raise InfraError("could not stop every server: " + "; ".join(errors))


def infra_status(state_dir: Path | None = None) -> InfraStatus:
    """What runs now, from the pid files and ``infra.json`` in ``state_dir``."""
    state_dir = (state_dir or default_state_dir()).resolve()
    state = _read_state(state_dir)

    kafka_state = state.get("kafka", {})
    external_kafka = os.environ.get(ENV_KAFKA_BOOTSTRAP_SERVERS, "").strip()
    if external_kafka:
        kafka = ServiceStatus("kafka", False, True, None, external_kafka)
    else:
        broker = kafka_broker_for(
            state_dir, kafka_state.get("port"), kafka_state.get("controller_port")
        )
        pid = broker.pid
        kafka = ServiceStatus("kafka", True, pid is not None, pid, broker.bootstrap_servers)

    mongo_state = state.get("mongodb", {})
    external_mongo = os.environ.get(ENV_MONGODB_URI, "").strip()
    if external_mongo:
        mongodb = ServiceStatus("mongodb", False, True, None, external_mongo)
    else:
        server = mongo_server_for(state_dir, mongo_state.get("port"))
        pid = server.pid
        mongodb = ServiceStatus("mongodb", True, pid is not None, pid, server.uri)

    return InfraStatus(kafka=kafka, mongodb=mongodb)
