"""Certificate lifecycle on a controllable clock: issue → reminders → expire → re-evaluate."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from ocop_certification.domain import certificates
from ocop_certification.domain.commands import IssueCertificate
from ocop_certification.domain.model import CertificateStatus, Product
from ocop_shared.contracts.certification import RecognitionLevel
from ocop_shared.timeutil import FixedClock

PRODUCT = Product(
    id="sp-1",
    producer_id="prd-1",
    name="Chè Thôm Loà",
    group_code="drink",
    province="Tuyên Quang",
    commune="Nhân Lý",
)
LEADS = (6, 3, 1)


def issue(product: Product, current: object, stars: int, number: str, day: date, today: date):  # type: ignore[no-untyped-def]
    command = IssueCertificate(
        product_id=product.id,
        stars=stars,
        level=RecognitionLevel.PROVINCE,
        issuing_authority="UBND tỉnh Tuyên Quang",
        decision_number=number,
        decision_date=day,
    )
    return certificates.issue(
        product,
        current,
        command,
        certificate_id=f"gcn-{number}",
        issued_by="u",
        today=today,  # type: ignore[arg-type]
    )


def test_issue_then_expire_after_36_months_then_re_evaluate() -> None:
    clock = FixedClock(datetime(2024, 10, 20, 3, tzinfo=UTC))
    product, cert, _, issued, _ = issue(PRODUCT, None, 3, "1", date(2024, 10, 20), clock.today())
    assert issued.product_version == 1
    assert cert.valid_until == date(2027, 10, 20)

    clock.moment = datetime(2027, 10, 20, 16, tzinfo=UTC)  # 23:00 on the last valid day
    assert certificates.expire(product, cert, today=clock.today()) is None

    clock.advance(timedelta(hours=2))  # 01:00 the day after, Vietnam time
    expired = certificates.expire(product, cert, today=clock.today())
    assert expired is not None
    product, cert, event = expired
    assert cert.status is CertificateStatus.EXPIRED
    assert event.product_version == product.certification_version == 2
    assert certificates.expire(product, cert, today=clock.today()) is None, "expires only once"

    # re-evaluation: a new certificate; nothing to supersede, the version keeps rising
    product, renewed, superseded, issued, superseded_event = issue(
        product, cert, 3, "2", clock.today(), clock.today()
    )
    assert superseded is None and superseded_event is None
    assert issued.product_version == 3
    assert renewed.status is CertificateStatus.ACTIVE


def test_upgrade_supersedes_the_active_certificate() -> None:
    product, three, _, _, _ = issue(PRODUCT, None, 3, "1", date(2024, 4, 16), date(2025, 12, 1))
    product, four, old, issued, superseded = issue(
        product, three, 4, "2", date(2025, 11, 10), date(2025, 12, 1)
    )
    assert old is not None and old.status is CertificateStatus.SUPERSEDED
    assert superseded is not None and superseded.product_version < issued.product_version
    assert four.supersedes_certificate_id == three.id
    assert certificates.expire(product, old, today=date(2030, 1, 1)) is None


def test_reminders_go_out_once_per_lead_time_without_bumping_the_version() -> None:
    product, cert, _, _, _ = issue(PRODUCT, None, 4, "1", date(2024, 6, 28), date(2024, 7, 1))
    assert (
        certificates.due_reminder(product, cert, today=date(2026, 12, 27), lead_months=LEADS)
        is None
    )
    sent = []
    for day in (
        date(2026, 12, 28),
        date(2027, 1, 5),
        date(2027, 3, 28),
        date(2027, 5, 28),
        date(2027, 6, 1),
    ):
        due = certificates.due_reminder(product, cert, today=day, lead_months=LEADS)
        if due is not None:
            cert, event = due
            assert event.product_version == product.certification_version
            sent.append(event.lead_months)
    assert sent == [6, 3, 1]


def test_a_late_entered_certificate_gets_one_reminder_not_three() -> None:
    product, cert, _, _, _ = issue(PRODUCT, None, 4, "1", date(2024, 6, 28), date(2024, 7, 1))
    due = certificates.due_reminder(product, cert, today=date(2027, 6, 10), lead_months=LEADS)
    assert due is not None
    cert, event = due
    assert event.lead_months == 1
    assert cert.reminders_sent == (1, 3, 6)
    assert (
        certificates.due_reminder(product, cert, today=date(2027, 6, 20), lead_months=LEADS) is None
    )
