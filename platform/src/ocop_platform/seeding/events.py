"""Trade-promotion section: events and booths, fair registrations and reports, demands,
offers, matching and the pipeline.

The products come from the events service's read model (catalogue events through Kafka), so
the section waits until it settles. Only the demo's own products register at the fair and
back offers. Events are matched by name, booths by code, registrations by producer, demands
by title, offers by title, matches by (offer, demand), fair reports by participant.
"""

from __future__ import annotations

import asyncio
import zlib
from datetime import date, timedelta
from typing import Any

import structlog

from ocop_platform.seeding.client import SeedClient, SeedRun, checked
from ocop_platform.seeding.data import DemoData, TradeEvent, TradePromotion
from ocop_platform.seeding.orders import demo_product_ids
from ocop_shared.text import words
from ocop_shared.timeutil import today_in_vietnam

log = structlog.get_logger(__name__)

CATALOGUE_WAIT_S = 60.0
FAIR = "fair"
FORUM = "forum"
STAGES = ("proposed", "contacted", "meeting", "deal_signed")
ZONE_FALLBACK = "A"
"""Booth zone of a product whose group no zone shows."""
REGISTERED_PRODUCTS = 5
"""At most this many products per producer on a fair registration."""


def step_count(data: DemoData) -> int:
    t = data.trade_promotion
    zones = sum(len(e.zones) for e in t.events)
    return len(t.events) + zones + 1 + 2 + len(t.demands) + len(t.offers) + 2


async def seed(
    api: SeedClient,
    data: DemoData,
    run: SeedRun,
    *,
    catalogue_wait_s: float = CATALOGUE_WAIT_S,
) -> None:
    t = data.trade_promotion
    event_ids = await _events(api, t, run)
    ours = demo_product_ids(data, run)
    products = [p for p in await _catalogue(api, catalogue_wait_s) if p["id"] in ours]
    run.step("Danh mục sản phẩm OCOP")
    await _fair_participation(api, t, event_ids[FAIR], products, run)
    run.step("Đăng ký và xếp gian hội chợ")
    run.step("Báo cáo kết quả hội chợ")
    await _matching(api, t, event_ids.get(FORUM), products, run)


def event_body(event: TradeEvent, today: date) -> dict[str, Any]:
    """The event with its dates set relative to the day of seeding."""
    starts = today + timedelta(days=event.starts_in_days)
    return {
        "kind": event.kind,
        "name": event.name,
        "venue": event.venue,
        "province": event.province,
        "organiser": event.organiser,
        "starts_on": str(starts),
        "ends_on": str(starts + timedelta(days=event.days - 1)),
        "registration_opens": str(today + timedelta(days=event.registration_from_days)),
        "registration_closes": str(today + timedelta(days=event.registration_to_days)),
        "description": event.description,
    }


async def _events(api: SeedClient, t: TradePromotion, run: SeedRun) -> dict[str, str]:
    today = today_in_vietnam()
    existing = {
        e["name"]: e["id"] for e in await api.get("/api/v1/trade-events", {"include_past": True})
    }
    ids: dict[str, str] = {}
    for event in t.events:
        event_id = existing.get(event.name)
        run.report.add("trade_event", created=event_id is None)
        if event_id is None:
            event_id = (await api.post("/api/v1/trade-events", event_body(event, today)))["id"]
        ids[event.key] = str(event_id)
        run.step(event.name)
        for zone in event.zones:
            body = {
                "zone": zone.zone,
                "prefix": zone.prefix,
                "first": 1,
                "last": zone.booths,
                "size_m2": zone.size_m2,
            }
            created = int(
                (await api.post(f"/api/v1/trade-events/{event_id}/booths", body))["created"]
            )
            run.report.add("booth", created=True, count=created)
            run.report.add("booth", created=False, count=zone.booths - created)
            run.step(f"{zone.zone}: {zone.prefix}01…{zone.prefix}{zone.booths:02d}")
    return ids


async def _catalogue(api: SeedClient, wait_s: float) -> list[dict[str, Any]]:
    """The product read model, once catalogue events have stopped arriving (or after wait_s)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_s
    counts: list[int] = []
    while True:
        products: list[dict[str, Any]] = await api.get("/api/v1/products")
        counts.append(len(products))
        settled = len(counts) >= 4 and counts[-1] > 0 and len(set(counts[-4:])) == 1
        if settled or loop.time() > deadline:
            return products
        await asyncio.sleep(1.0)


def illustrative_figure(name: str, low: int, high: int) -> int:
    """A stable illustrative number in [low, high) for a name (the same on every run)."""
    return low + zlib.crc32(name.encode()) % (high - low)


def fair_report(product_name: str) -> dict[str, Any]:
    """A participant's illustrative fair results, derived from its first product's name."""
    return {
        "sales_vnd": illustrative_figure(product_name, 8, 60) * 1_000_000,
        "visitors": illustrative_figure(product_name, 150, 900),
        "contracts_signed": illustrative_figure(product_name, 0, 3),
        "contracts_value_vnd": illustrative_figure(product_name, 0, 3) * 150_000_000,
        "note": "Số liệu minh hoạ",
    }


def _zone_prefix(t: TradePromotion, group: str | None) -> str:
    for zone in t.event(FAIR).zones:
        if group in zone.groups:
            return zone.prefix
    return ZONE_FALLBACK


async def _fair_participation(
    api: SeedClient,
    t: TradePromotion,
    event_id: str,
    products: list[dict[str, Any]],
    run: SeedRun,
) -> None:
    """Each demo producer registers its fair-eligible demo products; staff confirm them into
    the zone of the first product's group; confirmed participants report their results."""
    live = {
        p["producer_id"]: p
        for p in await api.get(f"/api/v1/trade-events/{event_id}/participations")
        if p["status"] in ("registered", "waitlisted", "confirmed")
    }
    results = await api.get("/api/v1/results", {"event_id": event_id})
    reported = {r["producer_id"] for r in results["producers"] if r["visitors"] > 0}
    by_producer: dict[str, list[dict[str, Any]]] = {}
    for product in products:
        if "fair" in product["eligible_channels"]:
            by_producer.setdefault(product["producer_id"], []).append(product)
    for producer_id, items in sorted(by_producer.items()):
        participation = live.get(producer_id)
        if participation is not None:
            run.report.add("registration", created=False)
        else:
            response = await api.http.post(
                f"/api/v1/trade-events/{event_id}/participations",
                json={
                    "producer_id": producer_id,
                    "product_ids": [p["id"] for p in items[:REGISTERED_PRODUCTS]],
                },
            )
            if response.status_code in (409, 422):
                log.info("demo_registration_skipped", producer_id=producer_id, answer=response.text)
                continue
            participation = checked(response)
            run.report.add("registration", created=True)
        if participation["status"] == "registered":
            prefix = _zone_prefix(t, items[0].get("group_code"))
            booths = await api.get(f"/api/v1/trade-events/{event_id}/booths")
            free = [b["code"] for b in booths if not b["taken"] and b["code"].startswith(prefix)]
            response = await api.http.post(
                f"/api/v1/participations/{participation['id']}/confirm",
                json={"booth_code": free[0]} if free else {},
            )
            if response.status_code == 200:
                participation = response.json()
                run.report.add("booth_allocation", created=True)
        if participation["status"] == "confirmed":
            if producer_id in reported:
                run.report.add("fair_report", created=False)
                continue
            response = await api.http.put(
                f"/api/v1/participations/{participation['id']}/report",
                json=fair_report(items[0]["name"]),
            )
            if response.status_code == 200:
                run.report.add("fair_report", created=True)


def demand_body(t: TradePromotion, index: int, forum_id: str | None) -> dict[str, Any]:
    demand = t.demands[index]
    buyer = t.buyers[demand.buyer]
    body = demand.model_dump(mode="json", exclude={"buyer", "at_forum"})
    return {
        "buyer_id": demand.buyer,
        "buyer_name": buyer.name,
        "buyer_kind": buyer.kind,
        **body,
        "standards": list(demand.standards),
        "season_months": list(demand.season_months),
        "trade_event_id": forum_id if demand.at_forum else None,
    }


async def _matching(
    api: SeedClient,
    t: TradePromotion,
    forum_id: str | None,
    products: list[dict[str, Any]],
    run: SeedRun,
) -> None:
    demands = {d["title"] for d in await api.get("/api/v1/demands")}
    for index, demand in enumerate(t.demands):
        run.report.add("demand", created=demand.title not in demands)
        if demand.title not in demands:
            await api.post("/api/v1/demands", demand_body(t, index, forum_id))
        run.step(f"Nhu cầu: {demand.title}")
    by_name = {p["name"]: p for p in products}
    offers = {o["title"] for o in await api.get("/api/v1/offers")}
    for offer in t.offers:
        product = by_name.get(offer.product_name)
        run.report.add("offer", created=offer.product_name not in offers)
        if offer.product_name not in offers:
            body = {
                # No such catalogue product: a stand-in producer named after it.
                "producer_id": product["producer_id"]
                if product
                else "demo-" + "-".join(words(offer.product_name)),
                "producer_name": f"Chủ thể {offer.product_name}",
                "product_id": product["id"] if product else None,
                "title": offer.product_name,
                **offer.model_dump(mode="json", exclude={"product_name"}),
                "season_months": list(offer.season_months),
                "standards": list(offer.standards),
            }
            await api.post("/api/v1/offers", body)
        run.step(f"Chào bán: {offer.product_name}")
    proposed = await api.post("/api/v1/matching/runs", {"per_demand": 3})
    run.report.add("match", created=True, count=len(proposed))
    run.step("Chạy ghép nối cung - cầu")
    matches = await api.get("/api/v1/matches")
    for step in t.pipeline:
        match = next(
            (
                m
                for m in matches
                if m["offer_title"] == step.offer and m["demand_title"] == step.demand
            ),
            None,
        )
        if match is None or match["stage"] not in STAGES:
            continue
        for stage in STAGES[STAGES.index(match["stage"]) + 1 : STAGES.index(step.stage) + 1]:
            move: dict[str, Any] = {"stage": stage}
            if stage == "deal_signed":
                move["deal_value_vnd"] = step.deal_value_vnd
            await api.post(f"/api/v1/matches/{match['id']}/advance", move)
            run.report.add("pipeline_move", created=True)
    run.step("Tiến trình kết nối")
