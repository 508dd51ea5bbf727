"""The demo data files validate against their typed models and the services' own command
models, and hang together (every reference points at something the data defines)."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from ocop_certification.domain.commands import (
    IssueCertificate,
    RegisterProducer,
    RegisterProduct,
    RevokeCertificate,
)
from ocop_platform.seeding import SECTIONS, demo_data
from ocop_platform.seeding.certification import council, member_sheet
from ocop_platform.seeding.client import KINDS, SeedReport
from ocop_platform.seeding.data import CertifiedProduct, DemoData, Producer
from ocop_platform.seeding.orders import showroom_body
from ocop_shared.contracts.certification import RecognitionLevel
from ocop_shared.identifiers import is_gln, is_gtin, is_tax_code

GROUPS_1048 = {"food", "drink", "herbs", "cloth", "keepsake", "travel"}
DISTRICTS_ABOLISHED = date(2025, 7, 1)

DATA = demo_data()
PRODUCERS = DATA.certificates.producers


def certified() -> list[tuple[Producer, CertifiedProduct]]:
    return [(producer, product) for producer in PRODUCERS for product in producer.products]


def test_there_is_enough_demo_data() -> None:
    assert len(PRODUCERS) >= 8
    assert len(certified()) >= 15
    assert {p.province for p in PRODUCERS} == {"Phú Thọ", "Tuyên Quang"}
    assert len(DATA.registered_product_names()) == 17 + 8  # certified, under evaluation


@pytest.mark.parametrize(
    "producer", [*PRODUCERS, *DATA.evaluations.producers], ids=lambda p: p.name
)
def test_every_producer_is_a_valid_registration(producer: object) -> None:
    assert hasattr(producer, "model_dump")
    body = producer.model_dump(mode="json", exclude={"products"}, exclude_none=True)
    command = RegisterProducer.model_validate(body)
    assert command.tax_code == body["tax_code"] and is_tax_code(command.tax_code)
    assert len(command.tax_code) == 10
    assert command.gln is None or is_gln(command.gln)


def test_tax_codes_and_product_names_are_unique() -> None:
    producers = [*PRODUCERS, *DATA.evaluations.producers]
    assert not [t for t, n in Counter(p.tax_code for p in producers).items() if n > 1]
    assert not [t for t, n in Counter(p.name for p in producers).items() if n > 1]
    names = DATA.registered_product_names()
    assert sorted(names) == sorted(set(names))


def test_every_product_is_a_valid_registration() -> None:
    for producer, product in certified():
        command = RegisterProduct(
            producer_id="prd-demo",
            name=product.name,
            group_code=product.group_code,
            province=product.province or producer.province,
            district=producer.district,
            commune=product.commune,
            gtin=product.gtin,
        )
        assert command.name == product.name
        assert product.group_code in GROUPS_1048
    for evaluated in DATA.evaluations.producers:
        for item in evaluated.products:
            RegisterProduct(
                producer_id="prd-demo",
                name=item.name,
                subgroup_code=item.subgroup_code,
                province=evaluated.province,
                district=evaluated.district,
                commune=evaluated.commune,
            )


def test_gtins_are_unique_and_correct() -> None:
    gtins = [product.gtin for _, product in certified() if product.gtin]
    assert gtins
    assert len(gtins) == len(set(gtins))
    assert all(is_gtin(g) and len(g) == 13 and g.startswith("893") for g in gtins)


def test_every_certificate_is_a_valid_issue_command() -> None:
    stars_seen: set[int] = set()
    for _, product in certified():
        assert product.certificates, f"{product.name} has no certificate"
        previous: date | None = None
        for certificate in product.certificates:
            body = certificate.model_dump(mode="json", exclude={"revocation"})
            IssueCertificate.model_validate({**body, "product_id": "sp-demo"})
            assert date(2023, 1, 1) <= certificate.decision_date <= date(2025, 12, 31)
            assert previous is None or certificate.decision_date > previous, product.name
            previous = certificate.decision_date
            stars_seen.add(certificate.stars)
            # The district level issues nothing after it was abolished; 5★ is the ministry's.
            if certificate.level is RecognitionLevel.DISTRICT:
                assert certificate.decision_date < DISTRICTS_ABOLISHED
                assert certificate.stars == 3
            assert (certificate.stars == 5) == (certificate.level is RecognitionLevel.CENTRAL)
    assert stars_seen == {3, 4, 5}


def test_one_certificate_is_revoked_after_issue() -> None:
    revoked = [
        (product, certificate)
        for _, product in certified()
        for certificate in product.certificates
        if certificate.revocation is not None
    ]
    assert len(revoked) >= 1
    for product, certificate in revoked:
        assert certificate.revocation is not None
        command = RevokeCertificate.model_validate(certificate.revocation.model_dump())
        assert command.decision_date > certificate.decision_date
        # Only the current certificate can be revoked: it must be the product's last one.
        assert certificate is product.certificates[-1]


def test_evaluations_refer_to_demo_rounds_products_and_producers() -> None:
    e = DATA.evaluations
    rounds = {r.key for r in e.rounds}
    assert len(rounds) == len(e.rounds)
    products = {
        item.name: producer.tax_code for producer in e.producers for item in producer.products
    }
    for evaluation in e.evaluations:
        assert products[evaluation.product] == evaluation.producer_tax_code
        assert {s.round for s in evaluation.stages} <= rounds
    for demo_round in e.rounds:
        members = council(e, demo_round)
        assert [m["subject"] for m in members] == [
            f"{demo_round.council.prefix}-{i}" for i in range(1, 6)
        ]
    assert len(e.score_spread) == len(e.council.members) + 1
    assert sum(e.score_spread) == 0  # the council's average stays the stage's


def test_demo_evaluations_reach_the_outcomes_the_rules_give() -> None:
    """Each stage's average, under its round's rule set, gives the intended outcome."""
    from ocop_certification.domain.rules import decide_at_level, default_rule_book, score

    book = default_rule_book()
    e = DATA.evaluations
    outcomes = {}
    for evaluation in e.evaluations:
        for stage in evaluation.stages:
            demo_round = e.round(stage.round)
            rule_set = book.in_force_on(demo_round.opens_on)
            if stage.average == 0 or stage.sheets is not None:
                continue
            criteria = [c.model_dump() for c in rule_set.criteria("product")]
            sheets = [
                member_sheet(criteria, stage.average + d, stage.failed_mandatory)
                for d in e.score_spread
            ]
            result = score(rule_set, "product", sheets, dict(stage.commune_inputs))
            decision = decide_at_level(rule_set, demo_round.level, result)  # type: ignore[arg-type]
            outcomes[(evaluation.product, stage.round)] = decision.outcome.value
            assert (decision.outcome.value == "recognised") == (stage.decision is not None)
    assert outcomes[("Thịt dê Kiên Đài", "ch-2024-huyen")] == "forwarded"
    assert outcomes[("Tôm rang sông Gâm", "ch-2024-huyen")] == "not_recognised"
    assert outcomes[("Gạo nếp gà gáy Cao Xá", "pt-2022-huyen")] == "forwarded"


def test_member_sheet_adds_up_and_respects_each_criterion() -> None:
    criteria = [
        {"code": "A1", "max_points": 10, "min_points": 2},
        {"code": "B1", "max_points": 20},
        {"code": "C4", "max_points": 15, "min_points": 5},
    ]
    sheet = member_sheet(criteria, 30, failed="C4")
    assert sum(sheet.values()) == 30 and sheet["C4"] == 0
    assert all(0 <= sheet[c["code"]] <= c["max_points"] for c in criteria)


def test_showrooms_are_what_the_tour_and_the_pages_show() -> None:
    s = DATA.showrooms
    kiosks = {room.code: [k["code"] for k in showroom_body(room)["kiosks"]] for room in s.showrooms}
    assert {code: len(codes) for code, codes in kiosks.items()} == {"VT": 42, "DH": 100, "XS": 3}
    assert kiosks["VT"][:2] == ["K01", "K02"] and kiosks["DH"][-1] == "G100"
    assert kiosks["XS"] == ["Q1", "Q2", "Q3"]
    assert {sale.kiosk for sale in s.sales.receipts} <= set(kiosks[s.showrooms[0].code])
    assert s.online_orders.showroom in kiosks
    assert [o.plan for o in s.online_orders.orders] == [
        "placed",
        "confirmed",
        "shipped",
        "cancelled",
    ]
    assert s.listings.first in DATA.registered_product_names()


def test_trade_promotion_references_hold() -> None:
    t = DATA.trade_promotion
    assert sum(z.booths for z in t.event("fair").zones) == 250
    assert {e.key for e in t.events} >= {"fair", "forum"}
    assert {d.buyer for d in t.demands} <= set(t.buyers)
    demands = {d.title for d in t.demands}
    offers = {o.product_name for o in t.offers}
    assert all(p.offer in offers and p.demand in demands for p in t.pipeline)
    for demand in t.demands:
        assert demand.price_min_vnd <= demand.price_max_vnd
        assert set(demand.season_months) <= set(range(1, 13))


def test_catalogue_content_names_demo_products_or_brings_its_own() -> None:
    names = set(DATA.registered_product_names())
    for row in DATA.catalog_content:
        assert row.ten_san_pham in names or row.ma_san_pham, row.ten_san_pham
    assert DATA.catalogue_only_ids() == ["kfp-gao-nep-ga-gay"]


def test_unknown_keys_in_the_data_are_errors() -> None:
    raw = DATA.model_dump()
    raw["showrooms"]["showrooms"][0]["kiosk"] = 3
    with pytest.raises(ValueError, match="kiosk"):
        DemoData.model_validate(raw)


def test_the_report_counts_created_and_existing_per_kind() -> None:
    report = SeedReport()
    report.add("producer", created=True, count=2)
    report.add("producer", created=False)
    report.add("sale", created=False, count=6)
    assert report.total_created == 2
    assert report.rows() == [(KINDS["producer"], 2, 1), (KINDS["sale"], 0, 6)]
    assert report.summary().startswith("+2 chủ thể (đã có 1)")
    with pytest.raises(AssertionError):
        report.add("unicorn", created=True)


def test_sections_are_one_per_service_in_dependency_order() -> None:
    assert [s.service for s in SECTIONS] == ["certification", "catalog", "orders", "events"]
    assert all(s.steps(DATA) > 0 for s in SECTIONS)
