"""The demo data is valid for the service's own command models, without any server."""

from collections import Counter
from datetime import date

import pytest

from ocop_certification.domain.commands import (
    IssueCertificate,
    RegisterProducer,
    RegisterProduct,
    RevokeCertificate,
)
from ocop_certification.entrypoints.demo import (
    PRODUCERS,
    DemoProducer,
    certificate_step_count,
    demo_products,
    demo_step_count,
)
from ocop_certification.entrypoints.demo_evaluations import evaluation_step_count
from ocop_shared.contracts.certification import RecognitionLevel
from ocop_shared.identifiers import is_gln, is_gtin, is_tax_code

GROUPS_1048 = {"food", "drink", "herbs", "cloth", "keepsake", "travel"}
DISTRICTS_ABOLISHED = date(2025, 7, 1)


def test_there_is_enough_demo_data() -> None:
    assert len(PRODUCERS) >= 8
    assert len(demo_products()) >= 15
    assert {p.province for p in PRODUCERS} == {"Phú Thọ", "Tuyên Quang"}


@pytest.mark.parametrize("producer", PRODUCERS, ids=lambda p: p.name)
def test_every_producer_is_a_valid_registration(producer: DemoProducer) -> None:
    command = producer.command()
    assert RegisterProducer.model_validate(command.model_dump()) == command
    assert is_tax_code(producer.tax_code)
    assert len(producer.tax_code) == 10
    assert producer.gln is None or is_gln(producer.gln)


def test_tax_codes_and_names_are_unique() -> None:
    assert not [t for t, n in Counter(p.tax_code for p in PRODUCERS).items() if n > 1]
    assert not [t for t, n in Counter(p.name for p in PRODUCERS).items() if n > 1]
    names = [product.name for _, product in demo_products()]
    assert sorted(names) == sorted(set(names))


def test_every_product_is_a_valid_registration_of_a_demo_producer() -> None:
    tax_codes = {p.tax_code for p in PRODUCERS}
    for producer, product in demo_products():
        assert producer.tax_code in tax_codes
        command = product.command(producer, producer_id="prd-demo")
        assert RegisterProduct.model_validate(command.model_dump()) == command
        assert command.province == producer.province
        assert product.group_code in GROUPS_1048
        assert product.gtin is None or is_gtin(product.gtin), product.name


def test_gtins_are_unique_and_correct() -> None:
    gtins = [product.gtin for _, product in demo_products() if product.gtin]
    assert gtins
    assert len(gtins) == len(set(gtins))
    assert all(is_gtin(g) and len(g) == 13 and g.startswith("893") for g in gtins)


def test_every_certificate_is_a_valid_issue_command() -> None:
    stars_seen: set[int] = set()
    for _, product in demo_products():
        assert product.certificates, f"{product.name} has no certificate"
        previous: date | None = None
        for certificate in product.certificates:
            command = certificate.command("sp-demo")
            assert IssueCertificate.model_validate(command.model_dump()) == command
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
        for _, product in demo_products()
        for certificate in product.certificates
        if certificate.revocation is not None
    ]
    assert len(revoked) >= 1
    for product, certificate in revoked:
        assert certificate.revocation is not None
        command = certificate.revocation.command()
        assert RevokeCertificate.model_validate(command.model_dump()) == command
        assert command.decision_date > certificate.decision_date
        # Only the current certificate can be revoked: it must be the product's last one.
        assert certificate is product.certificates[-1]


def test_step_count_matches_the_progress_calls() -> None:
    expected = sum(
        1 + len(product.certificates)
        for product in (p for producer in PRODUCERS for p in producer.products)
    )
    assert certificate_step_count() == expected + len(PRODUCERS)
    assert demo_step_count() == certificate_step_count() + evaluation_step_count() + 1


def test_demo_evaluations_reach_the_outcomes_the_rules_give() -> None:
    """Each demo stage's average, under its round's rule set, gives the intended outcome."""
    from ocop_certification.domain.rules import decide_at_level, default_rule_book, score
    from ocop_certification.entrypoints.demo_evaluations import (
        EVALUATIONS,
        ROUNDS,
        member_sheet,
    )

    book = default_rule_book()
    rounds = {r.key: r for r in ROUNDS}
    outcomes = {}
    for demo in EVALUATIONS:
        for stage in demo.stages:
            r = rounds[stage.round_key]
            rule_set = book.in_force_on(r.opens_on)
            if stage.average == 0 or stage.sheets is not None:
                continue
            criteria = [c.model_dump() for c in rule_set.criteria("product")]
            sheets = [
                member_sheet(criteria, stage.average + d, stage.failed_mandatory)
                for d in (-2.0, 1.0, 0.0, 2.0, -1.0)
            ]
            flags = {k: bool(v) for k, v in stage.commune_inputs.items()}
            result = score(rule_set, "product", sheets, flags)
            decision = decide_at_level(rule_set, r.level, result)  # type: ignore[arg-type]
            outcomes[(demo.product, stage.round_key)] = decision.outcome.value
            assert (decision.outcome.value == "recognised") == (stage.decision is not None)
    assert outcomes[("Thịt dê Kiên Đài", "ch-2024-huyen")] == "forwarded"
    assert outcomes[("Tôm rang sông Gâm", "ch-2024-huyen")] == "not_recognised"
    assert outcomes[("Gạo nếp gà gáy Cao Xá", "pt-2022-huyen")] == "forwarded"
