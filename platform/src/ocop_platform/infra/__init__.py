"""Local infrastructure for development and tests: a genuine Kafka broker and a
MongoDB-wire server (SecantusDB), each run as a detached subprocess.

``infra_up`` / ``infra_down`` / ``infra_status`` manage both from one state directory;
``KAFKA_BOOTSTRAP_SERVERS`` and ``MONGODB_URI`` point at external servers instead.
"""

from ocop_platform.infra.kafka import KAFKA_VERSION, KafkaBroker
from ocop_platform.infra.manager import (
    Endpoints,
    InfraStatus,
    ServiceStatus,
    configured_endpoints,
    default_state_dir,
    infra_down,
    infra_status,
    infra_up,
    kafka_broker_for,
    mongo_server_for,
)
from ocop_platform.infra.mongo import SECANTUS_RELEASES, MongoServer, SecantusRelease, mongo_answers
from ocop_platform.infra.process import (
    InfraError,
    ManagedProcess,
    find_repo_root,
    free_port,
    tool_cache_dir,
)

__all__ = [
    "KAFKA_VERSION",
    "SECANTUS_RELEASES",
    "Endpoints",
    "InfraError",
    "InfraStatus",
    "KafkaBroker",
    "ManagedProcess",
    "MongoServer",
    "SecantusRelease",
    "ServiceStatus",
    "configured_endpoints",
    "default_state_dir",
    "find_repo_root",
    "free_port",
    "infra_down",
    "infra_status",
    "infra_up",
    "kafka_broker_for",
    "mongo_answers",
    "mongo_server_for",
    "tool_cache_dir",
]
