"""Rules for issuing and revoking certificates."""

from __future__ import annotations

from datetime import date

from ocop_certification.domain.commands import IssueCertificate, RevokeCertificate
from ocop_certification.domain.errors import CertificateNotActiveError
from ocop_certification.domain.events import CertificateIssued, CertificateRevoked
from ocop_certification.domain.model import (
    Certificate,
    CertificateStatus,
    Product,
    Revocation,
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
) -> tuple[Product, Certificate, Certificate | None, CertificateIssued]:
    """A new certificate for `product`; an active one it replaces becomes superseded."""
    if command.decision_date > today:
        raise ValidationFailedError(
            "Ngày quyết định không được ở tương lai", field="body.decision_date"
        )
    number = command.certificate_number or f"OCOP-{command.decision_number}-{product.id[-6:]}"
    superseded = None
    if current is not None and current.status is CertificateStatus.ACTIVE:
        superseded = current.model_copy(update={"status": CertificateStatus.SUPERSEDED})
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
    )
    updated = product.model_copy(
        update={
            "current_certificate_id": certificate.id,
            "certification_version": product.certification_version + 1,
        }
    )
    return (
        updated,
        certificate,
        superseded,
        CertificateIssued(certificate, updated.certification_version),
    )


def revoke(
    product: Product, certificate: Certificate, command: RevokeCertificate, *, revoked_by: str
) -> tuple[Product, Certificate, CertificateRevoked]:
    """Revocation (thu hồi) of an active certificate by decision."""
    if certificate.status is not CertificateStatus.ACTIVE:
        raise CertificateNotActiveError(
            f"Giấy chứng nhận đang ở trạng thái '{certificate.status}', không thể thu hồi",
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
