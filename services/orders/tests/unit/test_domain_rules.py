"""Pure rules of the orders domain: discounts to the đồng, FEFO, who may sell what."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import given
from hypothesis import strategies as st

from ocop_orders.domain.eligibility import block_reason
from ocop_orders.domain.fefo import allocate
from ocop_orders.domain.model import CertificateInfo, Lot, Product, Showroom
from ocop_orders.showroom.domain.pricing import refund_for, share_discount
from ocop_shared.contracts.catalog import CertificateStatus

TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, tzinfo=UTC)


@given(st.lists(st.integers(0, 10**8), min_size=1, max_size=20), st.data())
def test_bill_discount_shares_add_up_exactly_and_never_exceed_a_line(
    totals: list[int], data: st.DataObject
) -> None:
    discount = data.draw(st.integers(0, sum(totals)))
    shares = share_discount(totals, discount)
    assert sum(shares) == discount
    assert all(0 <= s <= t for s, t in zip(shares, totals, strict=True))


@given(st.integers(0, 10**7), st.integers(1, 50), st.data())
def test_returning_every_unit_in_any_steps_refunds_the_line_exactly(
    line_total: int, sold: int, data: st.DataObject
) -> None:
    returned, refunded = 0, 0
    while returned < sold:
        step = data.draw(st.integers(1, sold - returned))
        refunded += refund_for(line_total, sold, returned, step)
        returned += step
    assert refunded == line_total


def _lot(code: str, on_hand: int, expires: date | None) -> Lot:
    return Lot(
        id=code,
        showroom_id="s",
        product_id="p",
        lot_code=code,
        expires_on=expires,
        on_hand=on_hand,
        received_at=NOW,
    )


def test_first_expiring_lot_goes_first_and_expired_lots_are_never_sold() -> None:
    lots = [
        _lot("undated", 5, None),
        _lot("late", 2, date(2027, 3, 1)),
        _lot("expired", 9, date(2026, 11, 23)),
        _lot("soon", 1, date(2026, 11, 24)),
    ]
    takes = allocate(lots, 4, TODAY)
    assert takes is not None
    assert [(lot.id, n) for lot, n in takes] == [("soon", 1), ("late", 2), ("undated", 1)]
    assert allocate(lots, 9, TODAY) is None


def _product(status: CertificateStatus, **extra: object) -> Product:
    return Product(
        id="p",
        name="Bưởi",
        producer_id="prd",
        certificate=CertificateInfo(
            certificate_id="c", number="n", valid_until=date(2028, 1, 1), status=status
        ),
        listed_for_showrooms=True,
        **extra,  # type: ignore[arg-type]
    )


def _showroom(**extra: object) -> Showroom:
    return Showroom(
        id="s", code="VT", name="VT", address="a", province="p", created_at=NOW, **extra
    )  # type: ignore[arg-type]


def test_only_an_active_listed_certificate_may_be_sold() -> None:
    assert block_reason(_product(CertificateStatus.ACTIVE), _showroom(), TODAY) is None
    assert "thu hồi" in (
        block_reason(_product(CertificateStatus.REVOKED), _showroom(), TODAY) or ""
    )
    assert "hết hiệu lực" in (
        block_reason(_product(CertificateStatus.EXPIRED), _showroom(), TODAY) or ""
    )
    unlisted = _product(CertificateStatus.ACTIVE).model_copy(update={"listed_for_showrooms": False})
    assert block_reason(unlisted, _showroom(), TODAY) is not None


def test_certificate_past_its_end_date_blocks_without_waiting_for_an_event() -> None:
    assert block_reason(_product(CertificateStatus.ACTIVE), _showroom(), date(2028, 1, 2))


def test_viet_tri_policy_admits_key_farm_products_with_a_traceability_stamp() -> None:
    farm = _product(
        CertificateStatus.EXPIRED,
        key_farm_product=True,
        traceability_url="https://truyxuatnguongoc.gov.vn/x",
    )
    assert block_reason(farm, _showroom(accepts_key_farm_products=True), TODAY) is None
    assert block_reason(farm, _showroom(), TODAY) is not None
    revoked = farm.model_copy(
        update={
            "certificate": farm.certificate.model_copy(update={"status": CertificateStatus.REVOKED})
        }  # type: ignore[union-attr]
    )
    assert block_reason(revoked, _showroom(accepts_key_farm_products=True), TODAY) is not None


def test_a_sale_keeps_its_time_in_milliseconds_as_stored() -> None:
    from ocop_orders.domain.model import to_stored_precision

    at = datetime(2026, 11, 24, 3, 0, 0, 123_456, tzinfo=UTC)
    assert to_stored_precision(at) == datetime(2026, 11, 24, 3, 0, 0, 123_000, tzinfo=UTC)
    assert to_stored_precision(to_stored_precision(at)) == to_stored_precision(at)
