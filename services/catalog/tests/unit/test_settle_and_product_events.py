"""Every change bumps the product version once and announces itself to the channels once."""

from datetime import date

from ocop_catalog.domain.model import CatalogProduct, CertificateState, ProductContent
from ocop_catalog.service_layer.catalogue import settle
from ocop_shared.contracts.catalog import (
    CertificateStatus,
    ProductPublishedV1,
    ProductUpdatedV1,
    ProductWithdrawnV1,
)

TODAY = date(2026, 1, 1)
CERT = CertificateState(
    certificate_id="gcn-1",
    number="OCOP-1",
    stars=4,
    level="province",
    issuing_authority="UBND tỉnh Phú Thọ",
    decision_number="1/QĐ",
    valid_from=date(2025, 1, 1),
    valid_until=date(2028, 1, 1),
    status=CertificateStatus.ACTIVE,
)
BARE = CatalogProduct(id="sp-1", name="Bưởi Đoan Hùng", producer_id="ct-1")


def test_first_certificate_publishes_with_version_one() -> None:
    settled = settle(None, BARE.model_copy(update={"certificate": CERT}), TODAY)
    assert settled is not None
    assert settled.product.version == 1
    assert isinstance(settled.event, ProductPublishedV1)
    assert settled.event.eligible_channels == ["showroom", "marketplace", "fair"]


def test_nothing_changed_means_no_write_and_no_event() -> None:
    first = settle(None, BARE.model_copy(update={"certificate": CERT}), TODAY)
    assert first is not None
    assert settle(first.product, first.product, TODAY) is None


def test_price_change_of_a_listed_product_is_an_update_with_the_new_content() -> None:
    first = settle(None, BARE.model_copy(update={"certificate": CERT}), TODAY)
    assert first is not None
    priced = first.product.model_copy(
        update={"content": ProductContent(suggested_price_vnd=85_000, unit="quả")}
    )
    settled = settle(first.product, priced, TODAY)
    assert settled is not None
    assert settled.product.version == 2
    assert isinstance(settled.event, ProductUpdatedV1)
    assert settled.event.suggested_price_vnd == 85_000
    assert settled.event.unit == "quả"


def test_content_change_of_an_unlisted_product_is_stored_but_not_announced() -> None:
    settled = settle(None, BARE, TODAY)
    assert settled is not None
    priced = settled.product.model_copy(update={"content": ProductContent(description="Ngọt")})
    again = settle(settled.product, priced, TODAY)
    assert again is not None
    assert again.product.version == 2
    assert again.event is None


def test_revocation_withdraws_with_the_reason() -> None:
    first = settle(None, BARE.model_copy(update={"certificate": CERT}), TODAY)
    assert first is not None
    revoked = CERT.model_copy(
        update={"status": CertificateStatus.REVOKED, "status_reason": "Thu hồi theo QĐ 9"}
    )
    settled = settle(
        first.product, first.product.model_copy(update={"certificate": revoked}), TODAY
    )
    assert settled is not None
    assert isinstance(settled.event, ProductWithdrawnV1)
    assert settled.event.reason == "Thu hồi theo QĐ 9"
    assert settled.event.eligible_channels == []
    assert settled.product.version == 2


def test_every_certificate_event_is_subscribed_and_typed_to_its_contract() -> None:
    from ocop_catalog.service_layer.consumed import CatalogueHandlers
    from ocop_shared.certificates import CERTIFICATE_EVENTS

    subscribed = CatalogueHandlers().handlers()
    for contract in CERTIFICATE_EVENTS:
        assert contract.event_type in subscribed
        assert subscribed.contract(contract.event_type) is contract
    assert "ocop.certification.certificate.superseded.v1" in subscribed
    assert "ocop.certification.certificate.expiring.v1" in subscribed
