"""A product's whole road through the four services, over HTTP only, on the running platform:
a producer's dossier is scored by the council and recognised, the certificate reaches the
public catalogue, a showroom receives and sells the product, and the producer takes a booth
at a trade event."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

import httpx
import pytest

from ocop_certification.domain.rules import default_rule_book
from ocop_platform.testing.platform import RunningSystem
from ocop_shared.auth import Role, mint_token
from ocop_shared.settings import ServiceSettings
from ocop_shared.timeutil import today_in_vietnam

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

HANG_GUARD_S = 60.0  # propagation takes well under a second; the machine is shared
MEMBERS = ("hd-e2e-1", "hd-e2e-2", "hd-e2e-3")
T = TypeVar("T")


def headers(*roles: Role, subject: str = "e2e", **claims: Any) -> dict[str, str]:
    token = mint_token(ServiceSettings(), subject=subject, roles=list(roles), **claims)
    return {"Authorization": f"Bearer {token}"}


def call(client: httpx.Client, method: str, url: str, who: dict[str, str], **kw: Any) -> Any:
    response = client.request(method, url, headers=who, **kw)
    assert response.status_code in (200, 201), f"{method} {url}: {response.text}"
    return response.json()


def soon(probe: Callable[[], T], until: Callable[[T], bool]) -> T:
    deadline = time.monotonic() + HANG_GUARD_S
    value = probe()
    while not until(value):
        assert time.monotonic() < deadline, f"not reached in {HANG_GUARD_S}s: {value!r}"
        time.sleep(0.1)
        value = probe()
    return value


def sheet(total: float) -> dict[str, float]:
    """Scores adding up to `total` that pass every mandatory criterion (rule set 1489)."""
    criteria = default_rule_book().get("1489").criteria("product")
    scores = {c.code: float(c.min_points or 0) for c in criteria}
    left = total - sum(scores.values())
    for c in criteria:
        add = min(c.max_points - scores[c.code], left)
        scores[c.code] += add
        left -= add
    return scores


def test_a_recognised_dossier_ends_in_the_catalogue_a_sale_and_a_booth(
    running_system: RunningSystem,
) -> None:
    run = uuid.uuid4().hex[:6]
    today = today_in_vietnam()
    officer = headers(Role.PROVINCE_OFFICER, subject="so-nn")
    commune = headers(Role.COMMUNE_OFFICER, subject="ubnd-xa")
    staff = headers(Role.TRADE_STAFF, subject="xttm")
    with (
        httpx.Client(base_url=running_system.certification, timeout=30) as certification,
        httpx.Client(base_url=running_system.catalog, timeout=30) as catalogue,
        httpx.Client(base_url=running_system.orders, timeout=30) as orders,
        httpx.Client(base_url=running_system.events, timeout=30) as events,
    ):
        # 1. A producer and its product; a commune round and a province round this year.
        producer = call(
            certification,
            "POST",
            "/api/v1/producers",
            officer,
            json={
                "name": f"HTX Chè Hương Cần {run}",
                "legal_form": "cooperative",
                "tax_code": f"26{uuid.uuid4().int % 10**8:08d}",
                "province": "Phú Thọ",
                "commune": "Hương Cần",
                "legal_representative": {"full_name": "Đinh Thị Mai", "is_woman": True},
            },
        )
        owner = headers(Role.PRODUCER, subject="htx", producer_id=producer["id"])
        product = call(
            certification,
            "POST",
            "/api/v1/products",
            owner,
            json={
                "producer_id": producer["id"],
                "name": f"Chè xanh Hương Cần {run}",
                "subgroup_code": "2.1",
                "province": "Phú Thọ",
                "commune": "Hương Cần",
            },
        )

        def round_(level: str) -> str:
            body = {
                "level": level,
                "province": "Phú Thọ",
                "commune": f"Hương Cần {run}" if level == "commune" else None,
                "year": today.year,
                "number": 3 + uuid.uuid4().int % 18,
                "opens_on": str(today - timedelta(days=5)),
                "submission_deadline": str(today + timedelta(days=20)),
                "scoring_deadline": str(today + timedelta(days=40)),
                "council": [{"subject": m, "full_name": f"Thành viên {m}"} for m in MEMBERS],
            }
            return str(call(certification, "POST", "/api/v1/rounds", officer, json=body)["id"])

        # 2. The dossier: submitted, checked by the commune, forwarded, scored by the council.
        dossier = call(
            certification,
            "POST",
            "/api/v1/dossiers",
            owner,
            json={
                "product_id": product["id"],
                "round_id": round_("commune"),
                "registration": {"description": "Chè xanh sao suốt", "target_stars": 4},
                "self_assessment": sheet(75),
            },
        )
        url = f"/api/v1/dossiers/{dossier['id']}"
        call(certification, "POST", f"{url}/submit", owner)
        call(
            certification,
            "POST",
            f"{url}/check",
            commune,
            json={"commune_inputs": {"product_origin": "Hương Cần", "local_raw_materials": True}},
        )
        call(certification, "POST", f"{url}/forward", commune, json={"reason": "Đủ điều kiện"})
        call(
            certification, "POST", f"{url}/transfer", officer, json={"round_id": round_("province")}
        )
        call(certification, "POST", f"{url}/start-evaluation", officer)
        for member, total in zip(MEMBERS, (72, 74, 76), strict=True):
            member_headers = headers(Role.COUNCIL_MEMBER, subject=member)
            call(
                certification,
                "PUT",
                f"{url}/score-sheets/me",
                member_headers,
                json={"scores": sheet(total)},
            )
        scored = call(certification, "POST", f"{url}/close-scoring", officer)
        assert scored["decision"]["outcome"] == "recognised", scored
        stars = scored["result"]["stars"]
        assert stars == 4
        recognised = call(
            certification,
            "POST",
            f"{url}/finalise",
            officer,
            json={
                "decision_number": f"{run}/QĐ-UBND",
                "decision_date": str(today),
                "issuing_authority": "UBND tỉnh Phú Thọ",
            },
        )
        assert recognised["status"] == "recognised" and recognised["certificate_id"]

        # 3. The public catalogue lists it, certified, in every channel.
        listed = soon(
            lambda: catalogue.get(f"/api/v1/products/{product['id']}"),
            lambda r: r.status_code == 200 and r.json()["certificate_status"] == "active",
        ).json()
        assert listed["product"]["certificate"]["stars"] == stars
        assert listed["product"]["eligible_channels"] == ["showroom", "marketplace", "fair"]
        found = catalogue.get("/api/v1/products", params={"q": f"che xanh huong can {run}"})
        assert [i["product"]["id"] for i in found.json()["items"]] == [product["id"]]

        # 4. The Việt Trì showroom receives it and sells it.
        (showroom,) = [
            s for s in call(orders, "GET", "/api/v1/showrooms", staff) if s["code"] == "VT"
        ]
        till = f"/api/v1/showrooms/{showroom['id']}"
        operator = headers(Role.SHOWROOM_OPERATOR, subject="nv-vt", showroom_ids=[showroom["id"]])

        def till_view() -> dict[str, Any] | None:
            shown = call(orders, "GET", f"{till}/products", operator, params={"limit": 200})
            return next((c for c in shown if c["product"]["id"] == product["id"]), None)

        soon(till_view, lambda view: bool(view and view["sellable"]))
        call(
            orders,
            "POST",
            f"{till}/receipts",
            operator,
            json={
                "lines": [
                    {
                        "product_id": product["id"],
                        "quantity": 20,
                        "lot_code": f"HC-{run}",
                        "expires_on": str(today + timedelta(days=180)),
                        "price_vnd": 120_000,
                    }
                ]
            },
        )
        sale = call(
            orders,
            "POST",
            f"{till}/sales",
            {**operator, "Idempotency-Key": uuid.uuid4().hex},
            json={
                "lines": [{"product_id": product["id"], "quantity": 3}],
                "payment": {"method": "cash", "tendered_vnd": 400_000},
            },
        )
        assert sale["total_vnd"] == 360_000, sale
        balance = call(orders, "GET", f"{till}/stock/{product['id']}", operator)["balance"]
        assert balance["available"] == 17

        # 5. The producer registers it for the sales week; staff add booths and confirm one.
        (week,) = [
            e
            for e in call(events, "GET", "/api/v1/trade-events", staff)
            if e["kind"] == "sales_week"
        ]
        soon(
            lambda: call(events, "GET", "/api/v1/products", owner),
            lambda known: any(
                p["id"] == product["id"] and "fair" in p["eligible_channels"] for p in known
            ),
        )
        participation = call(
            events,
            "POST",
            f"/api/v1/trade-events/{week['id']}/participations",
            owner,
            json={"producer_id": producer["id"], "product_ids": [product["id"]]},
        )
        prefix = f"E{run[:3].upper()}"
        call(
            events,
            "POST",
            f"/api/v1/trade-events/{week['id']}/booths",
            staff,
            json={"zone": "Khu E – Đồ uống", "prefix": prefix, "first": 1, "last": 2},
        )
        confirmed = call(
            events,
            "POST",
            f"/api/v1/participations/{participation['id']}/confirm",
            staff,
            json={"booth_code": f"{prefix}01"},
        )
        assert (confirmed["status"], confirmed["booth_code"]) == ("confirmed", f"{prefix}01")
        assert confirmed["flags"] == []
