"""Fixtures of the catalogue's integration tests: settings and an app on the test servers."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest_asyncio
from fastapi import FastAPI

from ocop_catalog.config import CatalogSettings
from ocop_catalog.entrypoints.api import create_app
from ocop_platform.infra import Endpoints
from ocop_platform.testing.support import isolated_settings, new_run_id, service_api
from ocop_shared.runtime import ServiceRuntime


@dataclass
class CatalogApp:
    client: httpx.AsyncClient
    settings: CatalogSettings
    runtime: ServiceRuntime
    app: FastAPI


@contextlib.asynccontextmanager
async def running_catalog(infra: Endpoints, **extra: Any) -> AsyncIterator[CatalogApp]:
    """The catalogue app on the test servers with its own database (dropped afterwards)."""
    settings = isolated_settings(
        CatalogSettings,
        kafka=infra.kafka_bootstrap_servers,
        mongodb=infra.mongodb_uri,
        run_id=new_run_id(),
        **extra,
    )
    apps: list[FastAPI] = []

    def make(s: CatalogSettings) -> FastAPI:
        apps.append(create_app(s))
        return apps[0]

    async with service_api(settings, make) as (client, _):
        yield CatalogApp(client, settings, apps[0].state.runtime, apps[0])


@pytest_asyncio.fixture
async def catalog_app(infra: Endpoints) -> AsyncIterator[CatalogApp]:
    async with running_catalog(infra) as app:
        yield app
