from pathlib import Path

import pytest

from ocop_platform.infra import infra_down, infra_status, infra_up


def test_external_servers_are_used_and_nothing_is_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka.example:9092")
    monkeypatch.setenv("MONGODB_URI", "mongodb://db.example:27017/?replicaSet=rs0")
    endpoints = infra_up(tmp_path)
    assert endpoints.kafka_bootstrap_servers == "kafka.example:9092"
    assert endpoints.mongodb_uri.startswith("mongodb://db.example")
    status = infra_status(tmp_path)
    assert not status.kafka.managed
    assert not status.mongodb.managed
    infra_down(tmp_path)  # nothing of ours to stop: must not fail
    assert not list(tmp_path.glob("**/*.pid"))
