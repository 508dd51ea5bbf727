"""Registration, eligibility, booth allocation under concurrency, waiting list, flags."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest

from ocop_events.config import EventsSettings
from ocop_platform.testing.support import bearer
from ocop_shared.auth import Role
from ocop_shared.contracts.catalog import CertificateStatus
from ocop_shared.contracts.certification import CertificateExpiredV1, CertificateRevokedV1
from ocop_shared.mongo import create_client
from ocop_shared.timeutil import today_in_vietnam

from .helpers import apply_event, assert_problem, fair_body, listing

pytestmark = pytest.mark.integration

Api = tuple[httpx.AsyncClient, EventsSettings]


async def _fair(api: Api, booths: int, **rules: Any) -> str:
    client, settings = api
    staff = bearer(settings, Role.TRADE_STAFF)
    created = await client.post("/api/v1/trade-events", json=fair_body(**rules), headers=staff)
    assert created.status_code == 201, created.text
    event_id: str = created.json()["id"]
    generated = await client.post(
        f"/api/v1/trade-events/{event_id}/booths",
        json={"zone": "Khu A – Nông sản", "prefix": "A", "first": 1, "last": booths},
        headers=staff,
    )
    assert generated.json() == {"created": booths, "total": booths}
    return event_id


async def _producer_with_product(settings: EventsSettings, n: int, **kw: Any) -> tuple[str, str]:
    producer_id, product_id = f"prd-{n}", f"sp-{n}"
    await apply_event(
        settings, listing(product_id, producer_id, **kw), subject=product_id, sequence=1
    )
    return producer_id, product_id


async def _revoke(
    settings: EventsSettings, producer: str, product: str, decision: str, reason: str
) -> None:
    """The certificate of ``product`` revoked by ``decision``, as the consumer receives it."""
    revoked = CertificateRevokedV1(
        certificate_id="gcn-1",
        certificate_number=f"GCN-{product}",
        product_id=product,
        producer_id=producer,
        decision_number=decision,
        decision_date=today_in_vietnam(),
        reason=reason,
        issuing_authority="UBND tỉnh Phú Thọ",
    )
    await apply_event(settings, revoked, subject=product, sequence=3)


async def _register(api: Api, event_id: str, producer_id: str, product_id: str) -> httpx.Response:
    client, settings = api
    producer = bearer(settings, Role.PRODUCER, producer_id=producer_id)
    return await client.post(
        f"/api/v1/trade-events/{event_id}/participations",
        json={"producer_id": producer_id, "product_ids": [product_id]},
        headers=producer,
    )


async def test_booth_generation_is_idempotent_and_codes_sort_naturally(api: Api) -> None:
    client, settings = api
    event_id = await _fair(api, 12)
    staff = bearer(settings, Role.TRADE_STAFF)
    again = await client.post(
        f"/api/v1/trade-events/{event_id}/booths",
        json={"zone": "Khu A", "prefix": "A", "first": 1, "last": 12},
        headers=staff,
    )
    assert again.json() == {"created": 0, "total": 12}
    codes = [
        b["code"] for b in (await client.get(f"/api/v1/trade-events/{event_id}/booths")).json()
    ]
    assert codes[:3] == ["A01", "A02", "A03"]
    assert codes[-1] == "A12"


async def test_two_star_and_expired_products_are_refused_with_a_clear_reason(api: Api) -> None:
    _, settings = api
    event_id = await _fair(api, 5)
    producer, two_star = await _producer_with_product(settings, 1, name="Mít sấy", stars=2)
    refused = assert_problem(
        await _register(api, event_id, producer, two_star), 422, "body.product_ids"
    )
    assert "đạt 2★" in refused["detail"]
    assert "từ 3★" in refused["detail"]

    past = today_in_vietnam() - timedelta(days=3)
    producer, expired = await _producer_with_product(
        settings, 2, name="Chè búp tím", valid_until=past
    )
    refused = assert_problem(
        await _register(api, event_id, producer, expired), 422, "body.product_ids"
    )
    assert "hết hạn" in refused["detail"]

    # Still valid today but ends before the fair does.
    soon = today_in_vietnam() + timedelta(days=31)
    producer, ends_early = await _producer_with_product(settings, 3, valid_until=soon)
    refused = assert_problem(
        await _register(api, event_id, producer, ends_early), 422, "body.product_ids"
    )
    assert "trước khi sự kiện kết thúc" in refused["detail"]

    producer, revoked = await _producer_with_product(settings, 4, status=CertificateStatus.REVOKED)
    refused = assert_problem(await _register(api, event_id, producer, revoked), 422)
    assert "thu hồi" in refused["detail"]


async def test_producer_registers_only_for_itself_and_only_once(api: Api) -> None:
    client, settings = api
    event_id = await _fair(api, 5)
    producer, product = await _producer_with_product(settings, 1)
    other = bearer(settings, Role.PRODUCER, producer_id="prd-someone-else")
    forbidden = await client.post(
        f"/api/v1/trade-events/{event_id}/participations",
        json={"producer_id": producer, "product_ids": [product]},
        headers=other,
    )
    assert_problem(forbidden, 403, "producer_id")
    assert (await _register(api, event_id, producer, product)).status_code == 201
    assert_problem(await _register(api, event_id, producer, product), 409, "body.producer_id")
    buyer = bearer(settings, Role.BUYER)
    assert_problem(
        await client.post(
            f"/api/v1/trade-events/{event_id}/participations",
            json={"producer_id": producer, "product_ids": [product]},
            headers=buyer,
        ),
        403,
    )


async def test_concurrent_confirmations_never_double_book_a_booth(api: Api) -> None:
    client, settings = api
    booths, producers = 12, 30
    event_id = await _fair(api, booths)
    ids = []
    for n in range(producers):
        producer, product = await _producer_with_product(settings, n)
        response = await _register(api, event_id, producer, product)
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    staff = bearer(settings, Role.TRADE_STAFF)
    statuses = await client.get(f"/api/v1/trade-events/{event_id}/participations", headers=staff)
    by_status: dict[str, int] = {}
    for p in statuses.json():
        by_status[p["status"]] = by_status.get(p["status"], 0) + 1
    assert by_status == {"registered": booths, "waitlisted": producers - booths}
    registered = [p["id"] for p in statuses.json() if p["status"] == "registered"]

    # Everyone asks for the same booth at once: exactly one wins.
    same = await asyncio.gather(
        *(
            client.post(
                f"/api/v1/participations/{pid}/confirm", json={"booth_code": "A01"}, headers=staff
            )
            for pid in registered
        )
    )
    codes = sorted(r.status_code for r in same)
    assert codes == [200] + [409] * (booths - 1), [r.text for r in same]
    taken = [r for r in same if r.status_code == 409]
    assert all(r.json()["type"] in ("booth-taken", "conflict") for r in taken)

    # The rest confirmed at once with automatic allocation (plus repeats of each request).
    rest = [pid for pid, r in zip(registered, same, strict=True) if r.status_code == 409]
    auto = await asyncio.gather(
        *(
            client.post(f"/api/v1/participations/{pid}/confirm", json={}, headers=staff)
            for pid in rest * 2
        )
    )
    assert sum(r.status_code == 200 for r in auto) == len(rest)
    assert all(r.status_code in (200, 409) for r in auto), [r.text for r in auto]

    allocations = (
        await client.get(f"/api/v1/trade-events/{event_id}/booth-allocations", headers=staff)
    ).json()
    holders = [b["participation_id"] for b in allocations if b["participation_id"]]
    assert len(holders) == booths
    assert len(set(holders)) == booths
    confirmed = (
        await client.get(
            f"/api/v1/trade-events/{event_id}/participations",
            params={"status": "confirmed"},
            headers=staff,
        )
    ).json()
    assert sorted(p["booth_code"] for p in confirmed) == sorted(b["code"] for b in allocations)

    # The plan is full: everyone else stays on the waiting list.
    waiting = (
        await client.get(
            f"/api/v1/trade-events/{event_id}/participations",
            params={"status": "waitlisted"},
            headers=staff,
        )
    ).json()
    assert len(waiting) == producers - booths


async def test_withdrawal_frees_the_booth_and_promotes_the_waiting_list(api: Api) -> None:
    client, settings = api
    event_id = await _fair(api, 1)
    staff = bearer(settings, Role.TRADE_STAFF)
    producer_a, product_a = await _producer_with_product(settings, 1)
    producer_b, product_b = await _producer_with_product(settings, 2)
    first = (await _register(api, event_id, producer_a, product_a)).json()
    second = (await _register(api, event_id, producer_b, product_b)).json()
    assert (first["status"], second["status"]) == ("registered", "waitlisted")
    confirmed = await client.post(
        f"/api/v1/participations/{first['id']}/confirm", json={}, headers=staff
    )
    assert confirmed.json()["booth_code"] == "A01"
    producer = bearer(settings, Role.PRODUCER, producer_id=producer_a)
    withdrawn = await client.post(
        f"/api/v1/participations/{first['id']}/withdraw",
        json={"reason": "Không thu xếp được nhân lực"},
        headers=producer,
    )
    assert withdrawn.json()["status"] == "withdrawn"
    promoted = await client.get(f"/api/v1/participations/{second['id']}", headers=staff)
    assert promoted.json()["status"] == "registered"
    now_confirmed = await client.post(
        f"/api/v1/participations/{second['id']}/confirm", json={"booth_code": "A01"}, headers=staff
    )
    assert now_confirmed.status_code == 200
    # The outbox carries registered, confirmed, withdrawn, registered (promotion), confirmed.
    mongo = create_client(settings.mongodb_uri, app_name="test")
    types = [d["type"] for d in await mongo[settings.mongodb_database]["outbox"].find().to_list()]
    await mongo.close()
    assert types.count("ocop.events.participation.withdrawn.v1") == 1
    assert types.count("ocop.events.participation.confirmed.v1") == 2


async def test_revocation_after_registration_flags_the_participation(api: Api) -> None:
    client, settings = api
    event_id = await _fair(api, 3)
    staff = bearer(settings, Role.TRADE_STAFF)
    producer, product = await _producer_with_product(settings, 1)
    registration = (await _register(api, event_id, producer, product)).json()
    await _revoke(
        settings, producer, product, "99/QĐ-UBND", "Vi phạm an toàn thực phẩm khi hậu kiểm"
    )
    flagged = (
        await client.get(f"/api/v1/participations/{registration['id']}", headers=staff)
    ).json()
    assert len(flagged["flags"]) == 1
    assert flagged["flags"][0]["kind"] == "revoked"
    assert "99/QĐ-UBND" in flagged["flags"][0]["reason"]
    refused = await client.post(
        f"/api/v1/participations/{registration['id']}/confirm", json={}, headers=staff
    )
    assert_problem(refused, 409, "participation_id")
    # A new registration with that product is refused too.
    again = await _register(api, event_id, "prd-x", product)
    assert again.status_code in (403, 422)


async def test_bad_input_is_a_problem_naming_the_field(api: Api) -> None:
    client, settings = api
    staff = bearer(settings, Role.TRADE_STAFF)
    body = fair_body()
    body["ends_on"] = "2020-01-01"
    assert_problem(await client.post("/api/v1/trade-events", json=body, headers=staff), 422)
    body = {**fair_body(), "rules": {"min_stars": {"$gt": 0}}}
    assert_problem(
        await client.post("/api/v1/trade-events", json=body, headers=staff),
        422,
        "body.rules.min_stars",
    )
    assert_problem(await client.post("/api/v1/trade-events", json=fair_body()), 401)
    assert_problem(await client.get("/api/v1/trade-events/sk-none"), 404)
    event_id = await _fair(api, 2)
    assert_problem(
        await client.post(
            f"/api/v1/trade-events/{event_id}/booths",
            json={"zone": "B", "prefix": "b!", "last": 3},
            headers=staff,
        ),
        422,
        "body.prefix",
    )
    public = await client.get("/api/v1/trade-events")
    assert public.status_code == 200
    assert event_id in [e["id"] for e in public.json()]


async def test_new_booths_move_the_waiting_list_up(api: Api) -> None:
    client, settings = api
    event_id = await _fair(api, 1)
    staff = bearer(settings, Role.TRADE_STAFF)
    statuses = []
    for n in range(3):
        producer, product = await _producer_with_product(settings, n)
        statuses.append((await _register(api, event_id, producer, product)).json()["status"])
    assert statuses == ["registered", "waitlisted", "waitlisted"]
    await client.post(
        f"/api/v1/trade-events/{event_id}/booths",
        json={"zone": "Khu B", "prefix": "B", "last": 1},
        headers=staff,
    )
    after = await client.get(f"/api/v1/trade-events/{event_id}/participations", headers=staff)
    assert [p["status"] for p in after.json()] == ["registered", "registered", "waitlisted"]


async def test_forum_without_booths_confirms_without_a_booth(api: Api) -> None:
    client, settings = api
    staff = bearer(settings, Role.TRADE_STAFF)
    body = {**fair_body("Diễn đàn kết nối cung - cầu"), "kind": "forum"}
    event_id = (await client.post("/api/v1/trade-events", json=body, headers=staff)).json()["id"]
    producer, product = await _producer_with_product(settings, 1)
    registered = (await _register(api, event_id, producer, product)).json()
    assert registered["status"] == "registered"
    confirmed = await client.post(
        f"/api/v1/participations/{registered['id']}/confirm", json={}, headers=staff
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["booth_code"] is None


async def test_renewed_certificate_lets_a_flagged_registration_be_confirmed(api: Api) -> None:
    client, settings = api
    event_id = await _fair(api, 2)
    staff = bearer(settings, Role.TRADE_STAFF)
    producer, product = await _producer_with_product(settings, 1)
    registration = (await _register(api, event_id, producer, product)).json()
    await _revoke(
        settings, producer, product, "7/QĐ-UBND", "Bao bì không còn như khi được công nhận"
    )
    refused = await client.post(
        f"/api/v1/participations/{registration['id']}/confirm", json={}, headers=staff
    )
    assert "thu hồi" in assert_problem(refused, 409, "participation_id")["detail"]
    renewed = listing(product, producer).model_copy(update={"certificate_number": "GCN-moi"})
    await apply_event(settings, renewed, subject=product, sequence=9)
    confirmed = await client.post(
        f"/api/v1/participations/{registration['id']}/confirm", json={}, headers=staff
    )
    assert confirmed.status_code == 200, confirmed.text
    assert len(confirmed.json()["flags"]) == 1  # the history stays for staff to see


async def test_moving_to_a_taken_booth_keeps_the_old_one(api: Api) -> None:
    client, settings = api
    event_id = await _fair(api, 3)
    staff = bearer(settings, Role.TRADE_STAFF)
    confirmed = []
    for n in range(2):
        producer, product = await _producer_with_product(settings, n)
        registration = (await _register(api, event_id, producer, product)).json()
        response = await client.post(
            f"/api/v1/participations/{registration['id']}/confirm", json={}, headers=staff
        )
        confirmed.append(response.json())
    first, second = confirmed
    assert (first["booth_code"], second["booth_code"]) == ("A01", "A02")
    taken = await client.post(
        f"/api/v1/participations/{first['id']}/move-booth",
        json={"booth_code": "A02"},
        headers=staff,
    )
    assert_problem(taken, 409, "body.booth_code")
    after_refusal = (
        await client.get(f"/api/v1/trade-events/{event_id}/booth-allocations", headers=staff)
    ).json()
    assert after_refusal[0]["participation_id"] == first["id"]  # A01 was never let go
    moved = await client.post(
        f"/api/v1/participations/{first['id']}/move-booth",
        json={"booth_code": "A03"},
        headers=staff,
    )
    assert moved.json()["booth_code"] == "A03"
    allocations = (
        await client.get(f"/api/v1/trade-events/{event_id}/booth-allocations", headers=staff)
    ).json()
    holders = {b["code"]: b.get("participation_id") for b in allocations}
    assert holders == {"A01": None, "A02": second["id"], "A03": first["id"]}


async def test_concurrent_booth_generation_creates_each_code_once(api: Api) -> None:
    client, settings = api
    staff = bearer(settings, Role.TRADE_STAFF)
    created = await client.post("/api/v1/trade-events", json=fair_body(), headers=staff)
    event_id = created.json()["id"]
    answers = await asyncio.gather(
        *(
            client.post(
                f"/api/v1/trade-events/{event_id}/booths",
                json={"zone": "Khu A", "prefix": "A", "first": 1, "last": 50},
                headers=staff,
            )
            for _ in range(6)
        )
    )
    assert all(a.status_code in (200, 409) for a in answers), [a.text for a in answers]
    assert sum(a.json().get("created", 0) for a in answers if a.status_code == 200) == 50
    booths = (await client.get(f"/api/v1/trade-events/{event_id}/booths")).json()
    assert len(booths) == 50


async def test_concurrent_duplicate_registrations_leave_one(api: Api) -> None:
    _, settings = api
    event_id = await _fair(api, 5)
    producer, product = await _producer_with_product(settings, 1)
    answers = await asyncio.gather(*(_register(api, event_id, producer, product) for _ in range(8)))
    assert sorted(a.status_code for a in answers) == [201] + [409] * 7, [a.text for a in answers]


async def test_expiry_flags_and_stale_certificate_events_are_ignored(api: Api) -> None:
    client, settings = api
    event_id = await _fair(api, 3)
    staff = bearer(settings, Role.TRADE_STAFF)
    producer, product = await _producer_with_product(settings, 1)
    registration = (await _register(api, event_id, producer, product)).json()
    expired = CertificateExpiredV1(
        certificate_id="gcn-1",
        certificate_number=f"GCN-{product}",
        product_id=product,
        producer_id=producer,
        expired_on=today_in_vietnam(),
    )
    await apply_event(settings, expired, subject=product, sequence=5)
    await apply_event(settings, expired, subject=product, sequence=4)  # older: ignored
    older_certificate = expired.model_copy(update={"certificate_number": "GCN-cu"})
    await apply_event(settings, older_certificate, subject=product, sequence=6)  # not current
    flags = (
        await client.get(f"/api/v1/participations/{registration['id']}", headers=staff)
    ).json()["flags"]
    assert [f["kind"] for f in flags] == ["expired"]
    assert "hết hiệu lực" in flags[0]["reason"]
