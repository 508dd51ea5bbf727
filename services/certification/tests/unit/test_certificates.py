from datetime import date

import pytest

from ocop_certification.domain import certificates
from ocop_certification.domain.commands import IssueCertificate, RevokeCertificate
from ocop_certification.domain.errors import CertificateNotActiveError
from ocop_certification.domain.model import CertificateStatus, Product, add_months
from ocop_shared.contracts.certification import RecognitionLevel
from ocop_shared.errors import ValidationFailedError

TODAY = date(2026, 11, 23)
PRODUCT = Product(
    id="sp-1",
    producer_id="prd-1",
    name="Bưởi Đoan Hùng",
    group_code="food",
    province="Phú Thọ",
    commune="Chí Đám",
)


def issue_command(**overrides: object) -> IssueCertificate:
    fields: dict[str, object] = {
        "product_id": "sp-1",
        "stars": 4,
        "level": RecognitionLevel.PROVINCE,
        "issuing_authority": "UBND tỉnh Phú Thọ",
        "decision_number": "1/QĐ-UBND",
        "decision_date": date(2025, 1, 31),
    }
    fields.update(overrides)
    return IssueCertificate.model_validate(fields)


def revoke_command(**overrides: object) -> RevokeCertificate:
    fields: dict[str, object] = {
        "decision_number": "9/QĐ-UBND",
        "decision_date": date(2026, 1, 5),
        "reason": "Vi phạm an toàn thực phẩm",
        "issuing_authority": "UBND tỉnh Phú Thọ",
    }
    fields.update(overrides)
    return RevokeCertificate.model_validate(fields)


def test_certificate_is_valid_for_36_months_clamped_to_month_end() -> None:
    _, cert, _, _, _ = certificates.issue(
        PRODUCT, None, issue_command(), certificate_id="gcn-1", issued_by="u", today=TODAY
    )
    assert cert.valid_until == date(2028, 1, 31)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)


def test_new_certificate_supersedes_the_active_one_and_bumps_the_version() -> None:
    product, first, _, _, _ = certificates.issue(
        PRODUCT, None, issue_command(), certificate_id="gcn-1", issued_by="u", today=TODAY
    )
    product2, second, superseded, event, superseded_event = certificates.issue(
        product,
        first,
        issue_command(stars=5, decision_number="2/QĐ"),
        certificate_id="gcn-2",
        issued_by="u",
        today=TODAY,
    )
    assert superseded is not None and superseded.status is CertificateStatus.SUPERSEDED
    assert second.supersedes_certificate_id == "gcn-1"
    assert superseded.superseded_by_certificate_id == "gcn-2"
    assert product2.current_certificate_id == "gcn-2"
    # two state changes, the issue last: a consumer keeping the newest ends with gcn-2
    assert superseded_event is not None
    assert superseded_event.product_version == 2
    assert event.product_version == product2.certification_version == 3


def test_decision_in_the_future_is_refused() -> None:
    with pytest.raises(ValidationFailedError) as info:
        certificates.issue(
            PRODUCT,
            None,
            issue_command(decision_date=date(2027, 1, 1)),
            certificate_id="gcn-1",
            issued_by="u",
            today=TODAY,
        )
    assert info.value.field == "body.decision_date"


def test_revoked_certificate_cannot_be_revoked_again() -> None:
    product, cert, _, _, _ = certificates.issue(
        PRODUCT, None, issue_command(), certificate_id="gcn-1", issued_by="u", today=TODAY
    )
    product, revoked, event = certificates.revoke(product, cert, revoke_command(), revoked_by="u")
    assert revoked.status is CertificateStatus.REVOKED
    assert event.product_version == 2
    with pytest.raises(CertificateNotActiveError):
        certificates.revoke(product, revoked, revoke_command(), revoked_by="u")


def test_revocation_before_the_issue_date_is_refused() -> None:
    product, cert, _, _, _ = certificates.issue(
        PRODUCT, None, issue_command(), certificate_id="gcn-1", issued_by="u", today=TODAY
    )
    with pytest.raises(ValidationFailedError):
        certificates.revoke(
            product, cert, revoke_command(decision_date=date(2024, 1, 1)), revoked_by="u"
        )


def test_a_certificate_reads_expired_the_day_after_its_last_valid_day_not_before() -> None:
    _, cert, _, _, _ = certificates.issue(
        PRODUCT, None, issue_command(), certificate_id="gcn-1", issued_by="u", today=TODAY
    )
    last_valid_day = cert.valid_until  # 31/01/2028, Asia/Ho_Chi_Minh
    assert cert.as_of(last_valid_day).status is CertificateStatus.ACTIVE
    lapsed = cert.as_of(date(2028, 2, 1))
    assert lapsed.status is CertificateStatus.EXPIRED
    assert lapsed.expired_on == date(2028, 2, 1)  # the first invalid day
    assert cert.status is CertificateStatus.ACTIVE  # the stored state is the sweep's to change


def test_a_lapsed_certificate_cannot_be_revoked_before_the_sweep_has_run() -> None:
    product, cert, _, _, _ = certificates.issue(
        PRODUCT, None, issue_command(), certificate_id="gcn-1", issued_by="u", today=TODAY
    )
    with pytest.raises(CertificateNotActiveError, match="Hết hiệu lực"):
        certificates.revoke(
            product,
            cert.as_of(date(2028, 2, 1)),
            revoke_command(decision_date=date(2028, 2, 1)),
            revoked_by="u",
        )


def test_the_sweep_records_the_first_invalid_day_as_the_expiry() -> None:
    product, cert, _, _, _ = certificates.issue(
        PRODUCT, None, issue_command(), certificate_id="gcn-1", issued_by="u", today=TODAY
    )
    assert certificates.expire(product, cert, today=cert.valid_until) is None
    swept = certificates.expire(product, cert, today=date(2028, 2, 1))
    assert swept is not None
    assert swept[1].expired_on == date(2028, 2, 1)
