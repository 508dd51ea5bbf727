"""Domain events become contracts keyed by product id with the certification version."""

from __future__ import annotations

from datetime import date

from ocop_certification.adapters.contract_mapping import to_contract
from ocop_certification.domain import certificates
from ocop_certification.domain.commands import IssueCertificate
from ocop_certification.domain.model import Product
from ocop_shared.contracts import certification as contracts
from ocop_shared.contracts.envelope import make_envelope

PRODUCT = Product(
    id="sp-9",
    producer_id="prd-9",
    name="Mì gạo Hùng Lô",
    group_code="food",
    province="Phú Thọ",
    commune="Hùng Lô",
)


def issue(product: Product, current: object, stars: int, number: str, day: date):  # type: ignore[no-untyped-def]
    command = IssueCertificate(
        product_id=product.id,
        stars=stars,
        level="province",  # type: ignore[arg-type]
        issuing_authority="UBND tỉnh Phú Thọ",
        decision_number=number,
        decision_date=day,
    )
    return certificates.issue(
        product,
        current,
        command,
        certificate_id=f"gcn-{number}",  # type: ignore[arg-type]
        issued_by="u",
        today=date(2026, 1, 1),
    )


def test_every_certificate_change_maps_to_a_valid_contract_with_ordered_versions() -> None:
    product, first, _, issued1, _ = issue(PRODUCT, None, 4, "1", date(2024, 6, 28))
    product, second, old, issued2, superseded = issue(product, first, 5, "2", date(2025, 11, 3))
    assert superseded is not None and old is not None
    reminder = certificates.due_reminder(
        product, second, today=date(2028, 9, 1), lead_months=(6, 3, 1)
    )
    assert reminder is not None
    outgoing = [to_contract(e) for e in (issued1, superseded, issued2, reminder[1])]
    assert {o.subject for o in outgoing} == {"sp-9"}
    assert [o.sequence for o in outgoing] == [1, 2, 3, product.certification_version]
    assert isinstance(outgoing[1].data, contracts.CertificateSupersededV1)
    assert outgoing[1].data.superseded_by_certificate_id == "gcn-2"
    assert isinstance(outgoing[3].data, contracts.CertificateExpiringV1)
    for o in outgoing:  # producers are strict: the envelope re-validates the contract
        make_envelope(o.data, source="certification", subject=o.subject, sequence=o.sequence)
