"""2. Propagation: while sales run at a steady rate, certificates are revoked one after another
and the time is measured from the revoke response until
  (a) the public catalogue shows the product revoked,
  (b) the showroom till refuses to sell it,
  (c) both marketplace fakes (Postmart and Voso, real HTTP servers on free ports) have
      received and applied the delist of its listing (it was listed on both before),
  (d) the fair participation that includes it is flagged.

The four services run in this process with their relays and consumers on the run's Kafka and
SecantusDB, sharing one topic prefix, exactly as tests/e2e/test_revocation_reaches_every_service.py
sets them up; its small API clients are reused. The orders connectors worker (outbound call
journal) runs too, with its default poll interval (0.2 s), so (c) is what a deployment sees:
consumer → journal → worker → partner API.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from benchmarks.common import ROOT, Outcome, Row, Servers, load_script, percentile
from ocop_catalog.config import CatalogSettings
from ocop_certification.config import CertificationSettings
from ocop_events.config import EventsSettings
from ocop_orders.config import OrdersSettings
from ocop_orders.entrypoints.connectors import run_connectors
from ocop_platform.stand_ins.marketplace import RunningFake, running_marketplace
from ocop_platform.testing.support import bearer, isolated_settings
from ocop_shared.auth import Role
from ocop_shared.timeutil import today_in_vietnam

NAME = "propagation"
E2E = ROOT / "tests/e2e/test_revocation_reaches_every_service.py"


@dataclass
class Revoked:
    """One product whose certificate is revoked during the run."""

    producer_id: str
    product_id: str
    certificate_id: str
    participation_id: str


@dataclass(frozen=True)
class Probe:
    """One place the revocation must reach: `reached(platform, revoked)` polls it once."""

    label: str
    reached: Callable[[Any, Revoked], Awaitable[bool]]


async def _catalogue(platform: Any, item: Revoked) -> bool:
    view = await platform.catalogue.product(item.product_id)
    return bool(view and view["certificate_status"] == "revoked")


async def _till(platform: Any, item: Revoked) -> bool:
    # More than the shelf holds: while still sellable it answers out-of-stock, selling nothing.
    response = await platform.till.sell(item.product_id, 10_000, key=uuid.uuid4().hex)
    return bool(response.json().get("type") == "not-sellable")


MARKETPLACES = ("postmart", "voso")


def _applied(fake: RunningFake, sku: str, ending: str) -> bool:
    return any(
        r["path"].endswith(f"{sku}{ending}") and 200 <= int(r.get("status", 0)) < 300
        for r in fake.state.requests
    )


async def _marketplaces(platform: Any, item: Revoked) -> bool:
    return all(_applied(fake, item.product_id, "/delist") for fake in platform.marketplaces)


async def _fair(platform: Any, item: Revoked) -> bool:
    return bool((await platform.fair.participation(item.participation_id))["flags"])


PROBES: list[Probe] = [
    Probe("(a) catalogue shows it revoked", _catalogue),
    Probe("(b) till refuses the product", _till),
    Probe("(c) Postmart and Voso received the delist", _marketplaces),
    Probe("(d) fair participation flagged", _fair),
]


@contextlib.asynccontextmanager
async def whole_platform(servers: Servers, e2e: Any) -> AsyncIterator[Any]:
    common = {"kafka": servers.kafka, "mongodb": servers.mongodb, "run_id": uuid.uuid4().hex[:8]}
    quiet = {"log_level": "WARNING"}
    cert = isolated_settings(CertificationSettings, **common, **quiet)
    catalog = isolated_settings(CatalogSettings, **common, **quiet)
    events = isolated_settings(EventsSettings, **common, **quiet)
    async with (
        running_marketplace("postmart") as postmart,
        running_marketplace("voso") as voso,
    ):
        orders = isolated_settings(
            OrdersSettings,
            **common,
            **quiet,
            postmart_base_url=postmart.base_url,
            voso_base_url=voso.base_url,
        )
        connectors = e2e._worker(run_connectors, orders)
        async with e2e.running_services(
            servers.mongodb, cert, catalog, orders, events, connectors
        ) as platform:
            platform.marketplaces = [postmart, voso]
            yield platform


async def _certified_product(platform: Any, e2e: Any, n: int) -> tuple[str, str, str]:
    today = today_in_vietnam()
    producer_id = await platform.certification.register_producer(f"HTX thử nghiệm {n}")
    product_id = await platform.certification.register_product(producer_id, f"Sản phẩm {n}")
    certificate_id = await platform.certification.issue(
        product_id, stars=4, decision=f"{n}/QĐ-UBND", on=today - timedelta(days=30)
    )
    return producer_id, product_id, certificate_id


async def _list_everywhere(platform: Any, e2e: Any, producer_id: str, product_id: str) -> None:
    """The producer lists the product on both marketplaces; wait until both applied it."""
    producer = bearer(platform.till.settings, Role.PRODUCER, producer_id=producer_id)
    for channel in MARKETPLACES:

        async def listed(channel: str = channel) -> tuple[int, str]:
            response = await platform.till.client.post(
                "/api/v1/listings",
                json={
                    "product_id": product_id,
                    "channel": channel,
                    "stock": 10,
                    "price_vnd": 85_000,
                },
                headers=producer,
            )
            return int(response.status_code), response.text[:300]

        await e2e.soon(listed, lambda answer: answer[0] in (200, 201))
    for fake in platform.marketplaces:
        await e2e.soon(
            lambda f=fake: asyncio.sleep(0, _applied(f, product_id, "")), lambda ok: bool(ok)
        )


async def run(servers: Servers, *, quick: bool) -> Outcome:
    e2e = load_script(E2E, "e2e_revocation")
    count, steady_rate = (5, 5.0) if quick else (20, 10.0)
    samples: dict[str, list[float]] = {probe.label: [] for probe in PROBES}
    sales = {"ok": 0, "other": 0}
    async with whole_platform(servers, e2e) as platform:
        steady_ids = [(await _certified_product(platform, e2e, 1000 + i))[1] for i in range(2)]
        revoked_items = []
        for n in range(count):
            producer_id, product_id, certificate_id = await _certified_product(platform, e2e, n)
            revoked_items.append((producer_id, product_id, certificate_id))
        await platform.till.open_showroom("BENCH")
        await platform.fair.open_with_booths(count + 2)
        for product_id in [*steady_ids, *(p for _, p, _ in revoked_items)]:
            await e2e.soon(
                lambda p=product_id: platform.till.view(p), lambda v: bool(v and v["sellable"])
            )
            await platform.till.receive(product_id, 100_000, lot=f"L-{product_id}")
        items: list[Revoked] = []
        for n, (producer_id, product_id, certificate_id) in enumerate(revoked_items):
            await e2e.soon(
                lambda pr=producer_id, p=product_id: platform.fair.known_product(pr, p),
                lambda v: bool(v and "fair" in v["eligible_channels"]),
            )
            await _list_everywhere(platform, e2e, producer_id, product_id)
            participation = await platform.fair.register(producer_id, product_id)
            await platform.fair.confirm(participation["id"], f"A{n + 1:02d}")
            items.append(Revoked(producer_id, product_id, certificate_id, participation["id"]))

        stop = asyncio.Event()

        async def steady_sales() -> None:
            i = 0
            while not stop.is_set():
                response = await platform.till.sell(steady_ids[i % 2], 1, key=uuid.uuid4().hex)
                sales["ok" if response.status_code == 201 else "other"] += 1
                i += 1
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), 1 / steady_rate)

        seller = asyncio.create_task(steady_sales())
        started_all = time.perf_counter()
        try:
            for item in items:
                await platform.certification.revoke(
                    item.certificate_id, reason="Vi phạm khi hậu kiểm", on=today_in_vietnam()
                )
                revoked_at = asyncio.get_running_loop().time()

                async def measure(
                    probe: Probe, item: Revoked = item, at: float = revoked_at
                ) -> None:
                    seconds = await e2e.seconds_until(
                        at, lambda: probe.reached(platform, item), lambda ok: ok
                    )
                    samples[probe.label].append(seconds)

                await asyncio.gather(*(measure(probe) for probe in PROBES))
                await asyncio.sleep(0.5)
        finally:
            stop.set()
            await seller
        elapsed = time.perf_counter() - started_all
    rows = []
    for label, values in samples.items():
        ms = [v * 1000 for v in values]
        rows.append(
            Row(
                NAME,
                f"revoke → {label}",
                f"p50 {percentile(ms, 50):.0f} ms, p99 {percentile(ms, 99):.0f} ms, "
                f"max {max(ms):.0f} ms",
                note=(
                    f"{len(values)} revocations, steady sales {sales['ok'] / elapsed:.1f}/s "
                    f"(target {steady_rate:.0f}/s, {sales['other']} not 201)"
                ),
            )
        )
    return Outcome(NAME, "python3 -m uv run python -m benchmarks.run --only propagation", rows)
