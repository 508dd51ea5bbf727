"""The demo data (DOMAIN.md §11) and the one client that loads it, idempotently.

The data is in ``data/`` (YAML, and the catalogue's content as the CSV its import API
takes), validated by the models of `data`. Seeding goes through each service's HTTP API like
any client, never to a database, in `SECTIONS` order (later ones need what earlier ones made
reach them through Kafka). Every record is looked up by the demo's own natural key first, so
a second run creates nothing, and only the demo's own records are touched. `ocop run` and
`ocop seed` drive the sections with one progress bar each and print one `SeedReport`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

from ocop_platform.seeding import catalog, certification, events, orders
from ocop_platform.seeding.client import Progress, SeedClient, SeedError, SeedReport, SeedRun
from ocop_platform.seeding.data import DemoData, demo_data

__all__ = [
    "SECTIONS",
    "Progress",
    "Section",
    "SeedError",
    "SeedReport",
    "SeedRun",
    "demo_data",
    "seed_section",
]


@dataclass(frozen=True)
class Section:
    """The demo data of one service, loaded through its API (``service``: its name in
    `ocop run`'s system, e.g. ``orders``)."""

    service: str
    label: str
    steps: Callable[[DemoData], int]
    seed: Callable[[SeedClient, DemoData, SeedRun], Awaitable[None]]


SECTIONS: tuple[Section, ...] = (
    Section("certification", "Chứng nhận", certification.step_count, certification.seed),
    Section("catalog", "Danh mục", catalog.step_count, catalog.seed),
    Section("orders", "Điểm bán và đơn hàng", orders.step_count, orders.seed),
    Section("events", "Xúc tiến thương mại", events.step_count, events.seed),
)

TIMEOUT_S = 60.0


async def seed_section(
    section: Section,
    base_url: str,
    token: str,
    run: SeedRun,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> None:
    """Load one section into the service at ``base_url``; ``token`` must carry the admin
    role. ``run.step`` is called ``section.steps(demo_data())`` times."""
    async with httpx.AsyncClient(
        base_url=base_url,
        headers={"Authorization": f"Bearer {token}"},
        timeout=TIMEOUT_S,
        transport=transport,
    ) as http:
        await section.seed(SeedClient(http), demo_data(), run)
