"""Rules for issuing and revoking certificates."""

from __future__ import annotations

from datetime import date

from ocop_certification.domain.commands import IssueCertificate, RevokeCertificate
from ocop_certification.domain.errors import CertificateNotActiveError
from ocop_certification.domain.events import (
    CertificateExpired,
    CertificateExpiring,
    CertificateIssued,
    CertificateRevoked,
    CertificateSuperseded,
)
from ocop_certification.domain.model import (
    CERTIFICATE_STATUS_VI,
    Certificate,
    CertificateStatus,
    Product,
    Revocation,
    add_months,
    certificate_valid_until,
)
from ocop_shared.errors import ValidationFailedError


def issue(
    product: Product,
    current: Certificate | None,
    command: IssueCertificate,
    *,
    certificate_id: str,
    issued_by: str,
    today: date,
    dossier_id: str | None = None,
) -> tuple[
    Product, Certificate, Certificate | None, CertificateIssued, CertificateSuperseded | None
]:
    """A new certificate for `product`; an active one it replaces becomes superseded.

    Superseding and issuing are two state changes of the product's certification, each with
    its own version, the issue last: a consumer that applies only newer versions ends with
    the new certificate.
    """
    if command.decision_date > today:
        raise ValidationFailedError(
            "Ngày quyết định không được ở tương lai", field="body.decision_date"
        )
    if (
        current is not None
        and current.status is CertificateStatus.ACTIVE
        and command.decision_date < current.decision_date
    ):
        raise ValidationFailedError(
            f"Quyết định mới phải sau quyết định đang hiệu lực ({current.decision_number})",
            field="body.decision_date",
        )
    number = command.certificate_number or f"OCOP-{command.decision_number}-{product.id[-6:]}"
    superseded = None
    version = product.certification_version
    superseded_event = None
    if current is not None and current.status is CertificateStatus.ACTIVE:
        superseded = current.model_copy(
            update={
                "status": CertificateStatus.SUPERSEDED,
                "superseded_by_certificate_id": certificate_id,
            }
        )
        version += 1
        superseded_event = CertificateSuperseded(superseded, version)
    certificate = Certificate(
        id=certificate_id,
        number=number,
        product_id=product.id,
        producer_id=product.producer_id,
        stars=command.stars,
        level=command.level,
        issuing_authority=command.issuing_authority,
        decision_number=command.decision_number,
        decision_date=command.decision_date,
        valid_from=command.decision_date,
        valid_until=certificate_valid_until(command.decision_date),
        supersedes_certificate_id=superseded.id if superseded else None,
        issued_by=issued_by,
        dossier_id=dossier_id,
    )
    updated = product.model_copy(
        update={"current_certificate_id": certificate.id, "certification_version": version + 1}
    )
    return (
        updated,
        certificate,
        superseded,
        CertificateIssued(certificate, updated.certification_version),
        superseded_event,
    )


def revoke(
    product: Product, certificate: Certificate, command: RevokeCertificate, *, revoked_by: str
) -> tuple[Product, Certificate, CertificateRevoked]:
    """Revocation (thu hồi) of an active certificate by decision."""
    if certificate.status is not CertificateStatus.ACTIVE:
        raise CertificateNotActiveError(
            f"Giấy chứng nhận đang ở trạng thái «{CERTIFICATE_STATUS_VI[certificate.status]}», "
            "không thể thu hồi",
            field="certificate_id",
        )
    if command.decision_date < certificate.decision_date:
        raise ValidationFailedError(
            "Ngày quyết định thu hồi phải sau ngày cấp", field="body.decision_date"
        )
    revoked = certificate.model_copy(
        update={
            "status": CertificateStatus.REVOKED,
            "revocation": Revocation(
                decision_number=command.decision_number,
                decision_date=command.decision_date,
                reason=command.reason,
                issuing_authority=command.issuing_authority,
                revoked_by=revoked_by,
            ),
        }
    )
    updated = product.model_copy(
        update={"certification_version": product.certification_version + 1}
    )
    return updated, revoked, CertificateRevoked(revoked, updated.certification_version)


def expire(
    product: Product, certificate: Certificate, *, today: date
) -> tuple[Product, Certificate, CertificateExpired] | None:
    """Expire an active certificate whose last valid day has passed; None if nothing to do."""
    if certificate.status is not CertificateStatus.ACTIVE or certificate.valid_until >= today:
        return None
    expired = certificate.model_copy(
        update={"status": CertificateStatus.EXPIRED, "expired_on": certificate.first_invalid_day}
    )
    updated = product.model_copy(
        update={"certification_version": product.certification_version + 1}
    )
    return updated, expired, CertificateExpired(expired, updated.certification_version)


def due_reminder(
    product: Product, certificate: Certificate, *, today: date, lead_months: tuple[int, ...]
) -> tuple[Certificate, CertificateExpiring] | None:
    """The shortest lead time now reached and not yet reminded (one reminder per run).

    Longer lead times passed at the same time (a certificate entered late) are marked as
    sent too, so the holder gets one reminder, not three.
    """
    if certificate.status is not CertificateStatus.ACTIVE or certificate.valid_until < today:
        return None
    reached = [
        m
        for m in sorted(lead_months)
        if add_months(certificate.valid_until, -m) <= today and m not in certificate.reminders_sent
    ]
    if not reached:
        return None
    reminded = certificate.model_copy(
        update={"reminders_sent": tuple(sorted({*certificate.reminders_sent, *reached}))}
    )
    return reminded, CertificateExpiring(reminded, product.certification_version, reached[0])
