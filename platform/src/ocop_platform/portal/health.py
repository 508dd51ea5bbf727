"""The system's health as operators want it on one screen.

Every service is asked concurrently for `/health/ready` and `/health/messaging`, each call
bounded by a timeout: a service that refuses, hangs or answers nonsense is shown as down (or
its messaging as unknown), never turned into an error of the portal itself.
"""

from __future__ import annotations

import asyncio
from typing import Literal

import httpx
from pydantic import BaseModel, ValidationError

from ocop_platform.portal.config import SERVICES, PortalSettings, ServiceInfo
from ocop_shared.messaging.status import MessagingStatus

State = Literal["up", "degraded", "down"]
Level = Literal["ok", "warn", "bad"]


class ServiceHealth(BaseModel):
    key: str
    title: str
    url: str
    public_url: str
    state: State
    """up: ready; degraded: answers but MongoDB or Kafka is not ready; down: no answer."""
    checks: dict[str, str] = {}
    detail: str = ""
    messaging: MessagingStatus | None = None
    """None when /health/messaging did not answer in time."""
    level: Level = "ok"


class HealthSummary(BaseModel):
    level: Level
    services_up: int
    services_total: int
    outbox_backlog: int
    dead_letters: int
    max_consumer_lag: int | None
    services: list[ServiceHealth]


async def _ready(
    client: httpx.AsyncClient, url: str, timeout_s: float
) -> tuple[State, dict[str, str], str]:
    try:
        response = await asyncio.wait_for(client.get(f"{url}/health/ready"), timeout_s)
    except (httpx.HTTPError, TimeoutError, OSError) as exc:
        return "down", {}, f"không phản hồi ({type(exc).__name__})"
    try:
        body = response.json()
        checks = {str(k): str(v) for k, v in dict(body.get("checks") or {}).items()}
    except (ValueError, TypeError, AttributeError):
        checks = {}
    if response.status_code == 200:
        return "up", checks, ""
    if response.status_code == 503:
        failing = ", ".join(k for k, v in checks.items() if v != "ok") or "?"
        return "degraded", checks, f"chưa sẵn sàng: {failing}"
    return "down", checks, f"HTTP {response.status_code}"


async def _messaging(
    client: httpx.AsyncClient, url: str, timeout_s: float
) -> MessagingStatus | None:
    try:
        response = await asyncio.wait_for(client.get(f"{url}/health/messaging"), timeout_s)
        if response.status_code != 200:
            return None
        return MessagingStatus.model_validate(response.json())
    except (httpx.HTTPError, TimeoutError, OSError, ValueError, ValidationError):
        return None


def service_level(health: ServiceHealth, settings: PortalSettings) -> Level:
    if health.state != "up":
        return "bad"
    messaging = health.messaging
    if messaging is None:
        return "warn"
    if messaging.dead_letters > 0 or messaging.outbox_backlog > settings.backlog_warning:
        return "warn"
    if any(g.lag is None or g.lag > settings.lag_warning for g in messaging.consumer_lag):
        return "warn"
    return "ok"


async def service_health(
    client: httpx.AsyncClient, service: ServiceInfo, settings: PortalSettings
) -> ServiceHealth:
    url = settings.internal_url(service)
    (state, checks, detail), messaging = await asyncio.gather(
        _ready(client, url, settings.ready_timeout_s),
        _messaging(client, url, settings.messaging_timeout_s),
    )
    health = ServiceHealth(
        key=service.key,
        title=service.title,
        url=url,
        public_url=settings.public_url(service),
        state=state,
        checks=checks,
        detail=detail,
        messaging=messaging if state != "down" else None,
    )
    health.level = service_level(health, settings)
    return health


def summarise(services: list[ServiceHealth]) -> HealthSummary:
    levels = {s.level for s in services}
    level: Level = "bad" if "bad" in levels else "warn" if "warn" in levels else "ok"
    known = [s.messaging for s in services if s.messaging is not None]
    lags = [g.lag for m in known for g in m.consumer_lag if g.lag is not None]
    return HealthSummary(
        level=level,
        services_up=sum(1 for s in services if s.state == "up"),
        services_total=len(services),
        outbox_backlog=sum(m.outbox_backlog for m in known),
        dead_letters=sum(m.dead_letters for m in known),
        max_consumer_lag=max(lags) if lags else None,
        services=services,
    )


async def collect_health(
    settings: PortalSettings,
    client: httpx.AsyncClient,
    services: tuple[ServiceInfo, ...] = SERVICES,
) -> HealthSummary:
    """Every service's health, asked concurrently; slow services cost one timeout, not more."""
    results = await asyncio.gather(*(service_health(client, s, settings) for s in services))
    return summarise(list(results))
