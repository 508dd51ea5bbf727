"""The four services as live processes on the test servers, one database each, for the
hostile-input suites (real HTTP, real uvicorn, as an attacker would see them)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pymongo import MongoClient

from ocop_platform.infra import Endpoints
from ocop_platform.testing.live import SERVICES, LiveProcess, api_process, running, service_env
from ocop_platform.testing.support import isolated_settings, new_run_id
from ocop_shared.settings import ServiceSettings


@dataclass(frozen=True)
class LiveService:
    name: str
    url: str
    settings: ServiceSettings
    process: LiveProcess


@pytest.fixture(scope="module")
def live_services(
    infra: Endpoints, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, LiveService]]:
    run_id = new_run_id()
    log_dir: Path = tmp_path_factory.mktemp("hostile-logs")
    services: dict[str, LiveService] = {}
    for name in SERVICES:
        settings = isolated_settings(
            ServiceSettings,
            kafka=infra.kafka_bootstrap_servers,
            mongodb=infra.mongodb_uri,
            run_id=run_id,
            mongodb_database=f"ocop_{name}_hostile_{run_id}",
        )
        process = api_process(name, service_env(settings, f"{name.upper()}_"), log_dir=log_dir)
        services[name] = LiveService(name, process.url, settings, process)
    try:
        with running(*(s.process for s in services.values())):
            yield services
    finally:
        mongo: MongoClient[dict[str, object]] = MongoClient(infra.mongodb_uri)
        for service in services.values():
            mongo.drop_database(service.settings.mongodb_database)
        mongo.close()
