"""Fixtures for the cross-service tests: the whole platform running as a user meets it."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from ocop_platform.infra import Endpoints
from ocop_platform.testing.platform import RunningSystem, already_running, start_platform


@pytest.fixture(scope="session")
def running_system(request: pytest.FixtureRequest) -> Iterator[RunningSystem]:
    """`ocop run` on free ports with the demo data, for the whole session.

    While writing tests, OCOP_TEST_PORT_BASE=18100 reuses a platform already running with
    OCOP_PORTAL_PORT=18100, OCOP_CERTIFICATION_PORT=18101, … instead.
    """
    if port_base := os.environ.get("OCOP_TEST_PORT_BASE"):
        yield already_running(port_base)
        return
    infra: Endpoints = request.getfixturevalue("infra")
    with start_platform(infra) as system:
        yield system
