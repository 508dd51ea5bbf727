"""Demo data for trade promotion and its idempotent seeding through the HTTP API.

Events (DOMAIN.md §8): the Phú Thọ OCOP and trade fair (over 250 booths in 2025) with 250
booths in five zones, an OCOP sales week in Hà Nội and a supply-demand forum; buyers (a
supermarket chain, a distributor, an exporter) with their demands, and supply offers of the
demo products of DOMAIN.md §11. Buyer names, venues, volumes, prices and report figures are
illustrative (dữ liệu minh hoạ). Dates are set relative to the day of seeding so the fair is
on and the other events are ahead. Run after the certification demo: producers register the
catalogue's products (which reach this service through Kafka), so the seeding waits a while
for that read model. Running it again creates nothing twice: events are matched by name,
booths by code, registrations by producer, demands and offers by title and owner, matches by
pair.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx
import structlog

from ocop_shared.text import words
from ocop_shared.timeutil import today_in_vietnam

log = structlog.get_logger(__name__)

Progress = Callable[[str], None]


class SeedError(RuntimeError):
    """The API refused a demo request in a way seeding cannot work around."""


@dataclass(frozen=True)
class DemoZone:
    zone: str
    prefix: str
    booths: int
    size_m2: int
    groups: tuple[str, ...]
    """Product groups (1048 sector codes) shown in the zone."""


@dataclass(frozen=True)
class DemoEvent:
    key: str
    kind: str
    name: str
    venue: str
    province: str
    organiser: str
    starts_in_days: int
    days: int
    registration_from_days: int
    registration_to_days: int
    zones: tuple[DemoZone, ...] = ()
    description: str | None = None

    def body(self, today: date) -> dict[str, Any]:
        starts = today + timedelta(days=self.starts_in_days)
        return {
            "kind": self.kind,
            "name": self.name,
            "venue": self.venue,
            "province": self.province,
            "organiser": self.organiser,
            "starts_on": str(starts),
            "ends_on": str(starts + timedelta(days=self.days - 1)),
            "registration_opens": str(today + timedelta(days=self.registration_from_days)),
            "registration_closes": str(today + timedelta(days=self.registration_to_days)),
            "description": self.description,
        }


FAIR = DemoEvent(
    key="fair",
    kind="fair",
    name="Hội chợ OCOP và Xúc tiến thương mại tỉnh Phú Thọ",
    venue="Quảng trường Hùng Vương, phường Việt Trì",
    province="Phú Thọ",
    organiser="Sở Công Thương tỉnh Phú Thọ",
    starts_in_days=-1,
    days=6,
    registration_from_days=-45,
    registration_to_days=0,
    zones=(
        DemoZone("Khu A – Nông sản, thực phẩm", "A", 90, 9, ("food",)),
        DemoZone("Khu B – Đồ uống, chè, rượu", "B", 50, 9, ("drink",)),
        DemoZone("Khu C – Thủ công mỹ nghệ", "C", 40, 9, ("keepsake", "cloth")),
        DemoZone("Khu D – Dược liệu", "D", 30, 9, ("herbs",)),
        DemoZone("Khu E – Du lịch cộng đồng, tỉnh bạn", "E", 40, 12, ("travel",)),
    ),
    description="Hơn 250 gian hàng sản phẩm OCOP, nông sản chủ lực và hàng tỉnh bạn.",
)
SALES_WEEK = DemoEvent(
    key="week",
    kind="sales_week",
    name="Tuần hàng OCOP Phú Thọ tại Hà Nội",
    venue="Trung tâm thương mại, quận Hoàn Kiếm (minh hoạ)",
    province="Hà Nội",
    organiser="Trung tâm Xúc tiến thương mại tỉnh Phú Thọ",
    starts_in_days=20,
    days=7,
    registration_from_days=-10,
    registration_to_days=14,
    zones=(DemoZone("Khu sản phẩm OCOP Phú Thọ", "S", 40, 6, ("food", "drink", "keepsake")),),
)
FORUM = DemoEvent(
    key="forum",
    kind="forum",
    name="Diễn đàn kết nối cung - cầu nông sản, sản phẩm OCOP Phú Thọ – Hà Nội",
    venue="Hội trường Sở Công Thương, phường Việt Trì",
    province="Phú Thọ",
    organiser="Sở Công Thương tỉnh Phú Thọ",
    starts_in_days=10,
    days=1,
    registration_from_days=-20,
    registration_to_days=8,
    description="Kết nối chủ thể OCOP với siêu thị, nhà phân phối và doanh nghiệp xuất khẩu.",
)
EVENTS = (FAIR, SALES_WEEK, FORUM)

SUPERMARKET = ("demo-sieu-thi-sen-vang", "Chuỗi siêu thị Sen Vàng (minh hoạ)", "supermarket")
DISTRIBUTOR = (
    "demo-npp-viet-bac",
    "Công ty CP Phân phối Nông sản Việt Bắc (minh hoạ)",
    "distributor",
)
EXPORTER = ("demo-xk-song-hong", "Công ty TNHH Xuất khẩu Nông sản Sông Hồng (minh hoạ)", "exporter")


@dataclass(frozen=True)
class DemoDemand:
    buyer: tuple[str, str, str]
    title: str
    keywords: str
    group_code: str | None
    monthly_volume_kg: int
    price: tuple[int, int]
    min_stars: int
    delivery_province: str
    season_months: tuple[int, ...] = ()
    standards: tuple[str, ...] = ()
    at_forum: bool = True

    def body(self, forum_id: str | None) -> dict[str, Any]:
        buyer_id, buyer_name, kind = self.buyer
        return {
            "buyer_id": buyer_id,
            "buyer_name": buyer_name,
            "buyer_kind": kind,
            "title": self.title,
            "keywords": self.keywords,
            "group_code": self.group_code,
            "monthly_volume_kg": self.monthly_volume_kg,
            "price_min_vnd": self.price[0],
            "price_max_vnd": self.price[1],
            "min_stars": self.min_stars,
            "standards": list(self.standards),
            "delivery_province": self.delivery_province,
            "season_months": list(self.season_months),
            "trade_event_id": forum_id if self.at_forum else None,
        }


DEMANDS = (
    DemoDemand(
        SUPERMARKET,
        "Bưởi Đoan Hùng",
        "bưởi Đoan Hùng loại 1, quả 0,8–1,2 kg",
        "food",
        2000,
        (25_000, 40_000),
        3,
        "Hà Nội",
        (9, 10, 11, 12),
        ("VietGAP",),
    ),
    DemoDemand(
        SUPERMARKET,
        "Mì gạo",
        "mì gạo sợi nhỏ, đóng gói 500 g",
        "food",
        800,
        (40_000, 70_000),
        3,
        "Hà Nội",
    ),
    DemoDemand(
        DISTRIBUTOR,
        "Chè búp, chè xanh",
        "trà xanh, chè búp, túi lọc",
        "drink",
        500,
        (150_000, 350_000),
        3,
        "Hà Nội",
    ),
    DemoDemand(
        DISTRIBUTOR,
        "Thịt chua",
        "thịt chua đặc sản, hút chân không",
        "food",
        300,
        (200_000, 300_000),
        4,
        "Hà Nội",
        at_forum=False,
    ),
    DemoDemand(
        EXPORTER,
        "Bưởi tươi xuất khẩu",
        "bưởi Đoan Hùng, bưởi Sửu",
        "food",
        10_000,
        (30_000, 45_000),
        4,
        "Hải Phòng",
        (9, 10, 11, 12),
        ("VietGAP", "GlobalGAP"),
    ),
    DemoDemand(
        EXPORTER,
        "Gạo nếp gà gáy",
        "gạo nếp, nếp gà gáy",
        "food",
        5000,
        (30_000, 45_000),
        3,
        "Hải Phòng",
        (10, 11, 12, 1),
    ),
)


@dataclass(frozen=True)
class DemoOffer:
    product_name: str
    """Name of the catalogue product (DOMAIN.md §11) the offer is for."""
    keywords: str
    group_code: str
    capacity_kg_per_month: int
    price_vnd: int
    moq_kg: int
    province: str = "Phú Thọ"
    season_months: tuple[int, ...] = ()
    standards: tuple[str, ...] = ()


OFFERS = (
    DemoOffer(
        "Bưởi Đoan Hùng",
        "bưởi Bằng Luân, bưởi Chí Đám",
        "food",
        3000,
        32_000,
        500,
        season_months=(9, 10, 11, 12, 1),
        standards=("VietGAP",),
    ),
    DemoOffer(
        "Bưởi Sửu Chí Đám",
        "bưởi Sửu, bưởi Đoan Hùng",
        "food",
        1500,
        38_000,
        300,
        season_months=(9, 10, 11, 12),
        standards=("VietGAP", "GlobalGAP"),
    ),
    DemoOffer("Rượu bưởi Đoan Hùng", "rượu bưởi", "drink", 300, 180_000, 50),
    DemoOffer(
        "Chè búp tím",
        "chè búp tím, trà tím",
        "drink",
        400,
        280_000,
        20,
        season_months=(3, 4, 5, 6, 7, 8, 9, 10),
    ),
    DemoOffer("Chè xanh túi lọc Long Cốc", "trà xanh túi lọc", "drink", 600, 200_000, 50),
    DemoOffer("Mì gạo Hùng Lô loại đặc biệt", "mì gạo Hùng Lô", "food", 2000, 55_000, 200),
    DemoOffer("Thịt chua Thanh Sơn", "thịt chua", "food", 500, 250_000, 30),
    DemoOffer(
        "Gạo nếp gà gáy", "nếp gà gáy", "food", 8000, 35_000, 1000, season_months=(10, 11, 12, 1)
    ),
    DemoOffer("Mít sấy", "mít sấy giòn", "food", 300, 220_000, 30),
    DemoOffer(
        "Cam sành Trung Hà",
        "cam sành",
        "food",
        4000,
        20_000,
        500,
        province="Tuyên Quang",
        season_months=(11, 12, 1, 2),
    ),
    DemoOffer(
        "Chè Nhân Sơn", "chè xanh Nhân Sơn", "drink", 300, 250_000, 20, province="Tuyên Quang"
    ),
)

# (offer product, demand title, stage, deal value): where the demo pipeline stands.
PIPELINE = (
    ("Bưởi Đoan Hùng", "Bưởi Đoan Hùng", "deal_signed", 840_000_000),
    ("Mì gạo Hùng Lô loại đặc biệt", "Mì gạo", "meeting", None),
    ("Chè búp tím", "Chè búp, chè xanh", "contacted", None),
)
_STAGES = ("proposed", "contacted", "meeting", "deal_signed")
_ZONE_GROUP_FALLBACK = "A"


def demo_step_count() -> int:
    """How many times ``seed_demo`` calls ``progress``."""
    zones = sum(len(e.zones) for e in EVENTS)
    return len(EVENTS) + zones + 1 + 2 + len(DEMANDS) + len(OFFERS) + 2


@dataclass
class SeedReport:
    events_created: int = 0
    booths_created: int = 0
    registrations_created: int = 0
    booths_allocated: int = 0
    reports_filed: int = 0
    demands_created: int = 0
    offers_created: int = 0
    matches_proposed: int = 0
    pipeline_moves: int = 0
    catalogue_products_seen: int = 0
    event_ids: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        return (
            f"Xúc tiến thương mại: +{self.events_created} sự kiện, +{self.booths_created} gian, "
            f"+{self.registrations_created} đăng ký ({self.booths_allocated} xếp gian, "
            f"{self.reports_filed} báo cáo), +{self.demands_created} nhu cầu, "
            f"+{self.offers_created} chào bán, +{self.matches_proposed} đề xuất kết nối, "
            f"{self.pipeline_moves} bước chuyển; {self.catalogue_products_seen} sản phẩm "
            "trong danh mục."
        )


def _json(response: httpx.Response) -> Any:
    if response.status_code >= 400:
        raise SeedError(
            f"{response.request.method} {response.request.url.path}: "
            f"{response.status_code} {response.text[:300]}"
        )
    return response.json()


def _figure(name: str, low: int, high: int) -> int:
    """A stable illustrative number for a name (same on every run)."""
    return low + zlib.crc32(name.encode()) % (high - low)


async def _events(client: httpx.AsyncClient, report: SeedReport, step: Progress) -> None:
    today = today_in_vietnam()
    existing = {
        e["name"]: e["id"]
        for e in _json(await client.get("/api/v1/trade-events", params={"include_past": True}))
    }
    for demo in EVENTS:
        event_id = existing.get(demo.name)
        if event_id is None:
            event_id = _json(await client.post("/api/v1/trade-events", json=demo.body(today)))["id"]
            report.events_created += 1
        report.event_ids[demo.key] = event_id
        step(demo.name)
        for zone in demo.zones:
            body = {
                "zone": zone.zone,
                "prefix": zone.prefix,
                "first": 1,
                "last": zone.booths,
                "size_m2": zone.size_m2,
            }
            created = _json(await client.post(f"/api/v1/trade-events/{event_id}/booths", json=body))
            report.booths_created += created["created"]
            step(f"{zone.zone}: {zone.prefix}01…{zone.prefix}{zone.booths:02d}")


async def _catalogue(client: httpx.AsyncClient, wait_s: float) -> list[dict[str, Any]]:
    """The product read model, once catalogue events have stopped arriving (or after wait_s)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_s
    counts: list[int] = []
    while True:
        products: list[dict[str, Any]] = _json(await client.get("/api/v1/products"))
        counts.append(len(products))
        settled = len(counts) >= 4 and counts[-1] > 0 and len(set(counts[-4:])) == 1
        if settled or loop.time() > deadline:
            return products
        await asyncio.sleep(1.0)


def _slug(name: str) -> str:
    return "demo-" + "-".join(words(name))


def _zone_prefix(group: str | None) -> str:
    for zone in FAIR.zones:
        if group in zone.groups:
            return zone.prefix
    return _ZONE_GROUP_FALLBACK


async def _fair_participation(
    client: httpx.AsyncClient, products: list[dict[str, Any]], report: SeedReport
) -> None:
    """Each demo producer registers its fair-eligible products; staff confirm into zones."""
    event_id = report.event_ids[FAIR.key]
    live = {
        p["producer_id"]: p
        for p in _json(await client.get(f"/api/v1/trade-events/{event_id}/participations"))
        if p["status"] in ("registered", "waitlisted", "confirmed")
    }
    by_producer: dict[str, list[dict[str, Any]]] = {}
    for product in products:
        if "fair" in product["eligible_channels"]:
            by_producer.setdefault(product["producer_id"], []).append(product)
    for producer_id, items in sorted(by_producer.items()):
        participation = live.get(producer_id)
        if participation is None:
            response = await client.post(
                f"/api/v1/trade-events/{event_id}/participations",
                json={"producer_id": producer_id, "product_ids": [p["id"] for p in items[:5]]},
            )
            if response.status_code in (409, 422):
                log.info("demo_registration_skipped", producer_id=producer_id, answer=response.text)
                continue
            participation = _json(response)
            report.registrations_created += 1
        if participation["status"] == "registered":
            prefix = _zone_prefix(items[0].get("group_code"))
            booths = _json(await client.get(f"/api/v1/trade-events/{event_id}/booths"))
            free = [b["code"] for b in booths if not b["taken"] and b["code"].startswith(prefix)]
            body = {"booth_code": free[0]} if free else {}
            response = await client.post(
                f"/api/v1/participations/{participation['id']}/confirm", json=body
            )
            if response.status_code == 200:
                participation = response.json()
                report.booths_allocated += 1
        if participation["status"] == "confirmed":
            name = items[0]["name"]
            figures = {
                "sales_vnd": _figure(name, 8, 60) * 1_000_000,
                "visitors": _figure(name, 150, 900),
                "contracts_signed": _figure(name, 0, 3),
                "contracts_value_vnd": _figure(name, 0, 3) * 150_000_000,
                "note": "Số liệu minh hoạ",
            }
            response = await client.put(
                f"/api/v1/participations/{participation['id']}/report", json=figures
            )
            if response.status_code == 200:
                report.reports_filed += 1


async def _matching(
    client: httpx.AsyncClient,
    products: list[dict[str, Any]],
    report: SeedReport,
    step: Progress,
) -> None:
    demands = {d["title"]: d for d in _json(await client.get("/api/v1/demands"))}
    for demo in DEMANDS:
        if demo.title not in demands:
            demands[demo.title] = _json(
                await client.post(
                    "/api/v1/demands", json=demo.body(report.event_ids.get(FORUM.key))
                )
            )
            report.demands_created += 1
        step(f"Nhu cầu: {demo.title}")
    by_name = {p["name"]: p for p in products}
    offers = {o["title"] for o in _json(await client.get("/api/v1/offers"))}
    for demo_offer in OFFERS:
        product = by_name.get(demo_offer.product_name)
        if demo_offer.product_name not in offers:
            body = {
                "producer_id": product["producer_id"]
                if product
                else _slug(demo_offer.product_name),
                "producer_name": f"Chủ thể {demo_offer.product_name}",
                "product_id": product["id"] if product else None,
                "title": demo_offer.product_name,
                "keywords": demo_offer.keywords,
                "group_code": demo_offer.group_code,
                "capacity_kg_per_month": demo_offer.capacity_kg_per_month,
                "season_months": list(demo_offer.season_months),
                "price_vnd": demo_offer.price_vnd,
                "moq_kg": demo_offer.moq_kg,
                "standards": list(demo_offer.standards),
                "province": demo_offer.province,
            }
            _json(await client.post("/api/v1/offers", json=body))
            report.offers_created += 1
        step(f"Chào bán: {demo_offer.product_name}")
    proposed = _json(await client.post("/api/v1/matching/runs", json={"per_demand": 3}))
    report.matches_proposed += len(proposed)
    step("Chạy ghép nối cung - cầu")
    matches = _json(await client.get("/api/v1/matches"))
    for offer_title, demand_title, target, value in PIPELINE:
        match = next(
            (
                m
                for m in matches
                if m["offer_title"] == offer_title and m["demand_title"] == demand_title
            ),
            None,
        )
        if match is None or match["stage"] not in _STAGES:
            continue
        for stage in _STAGES[_STAGES.index(match["stage"]) + 1 : _STAGES.index(target) + 1]:
            move: dict[str, Any] = {"stage": stage}
            if stage == "deal_signed":
                move["deal_value_vnd"] = value
            _json(await client.post(f"/api/v1/matches/{match['id']}/advance", json=move))
            report.pipeline_moves += 1
    step("Tiến trình kết nối")


async def seed_demo(
    base_url: str,
    token: str,
    *,
    progress: Progress | None = None,
    timeout_s: float = 30.0,
    catalogue_wait_s: float = 60.0,
) -> SeedReport:
    """Create what is missing of the demo; ``token`` needs trade_staff or admin."""
    step: Progress = progress or (lambda _: None)
    report = SeedReport()
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=timeout_s) as client:
        await _events(client, report, step)
        products = await _catalogue(client, catalogue_wait_s)
        report.catalogue_products_seen = len(products)
        step("Danh mục sản phẩm OCOP")
        await _fair_participation(client, products, report)
        step("Đăng ký và xếp gian hội chợ")
        step("Báo cáo kết quả hội chợ")
        await _matching(client, products, report, step)
    log.info("demo_seeded", summary=report.summary())
    return report
