"""Test table of the ordering rule and the certificate mirror, for every consumer's tests.

Each `CertificateCase` is a history of certificate events a consumer has applied, one more
event, and what the consumer must hold afterwards. `shared/tests` checks the pure functions
against it; each consuming service (catalogue, orders and events) runs the
same cases through its own handlers on the real database and compares what it stored, so
the three mirrors cannot drift apart again. Plain data: no test framework is imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ocop_shared.certificates import CertificateEvent
from ocop_shared.contracts.catalog import CertificateStatus
from ocop_shared.contracts.certification import (
    CertificateExpiredV1,
    CertificateExpiringV1,
    CertificateIssuedV1,
    CertificateRevokedV1,
    CertificateSupersededV1,
    RecognitionLevel,
)
from ocop_shared.contracts.envelope import Envelope, make_envelope

PRODUCER = "ct-case"


@dataclass(frozen=True)
class Sent:
    """A certificate event as certification sends it; `sequence` None: no envelope sequence."""

    event: CertificateEvent
    sequence: int | None

    def for_product(self, product_id: str) -> Sent:
        return Sent(self.event.model_copy(update={"product_id": product_id}), self.sequence)

    def envelope(self) -> Envelope:
        return make_envelope(
            self.event,
            source="certification",
            subject=self.event.product_id,
            sequence=self.sequence,
        )


@dataclass(frozen=True)
class CertificateCase:
    name: str
    history: tuple[Sent, ...]
    """Applied first, in this order (each of them applies)."""
    last: Sent
    """The event under test."""
    applies: bool
    """Whether the ordering rule lets `last` through (a changed version or certificate)."""
    certificate_id: str | None
    """The certificate the product carries afterwards (None: none)."""
    status: CertificateStatus | None
    version: int
    """The certification version stored afterwards."""
    reminded: bool = False
    """Whether the carried certificate is marked as reminded of its expiry."""
    ends_unseen: bool = False
    """`last` ends a certificate the consumer never saw issued (a catalogue cannot show it)."""
    tags: tuple[str, ...] = field(default=())

    def for_product(self, product_id: str) -> CertificateCase:
        """The same case about `product_id` (one product per case in a shared database)."""
        return CertificateCase(
            self.name,
            tuple(s.for_product(product_id) for s in self.history),
            self.last.for_product(product_id),
            self.applies,
            self.certificate_id,
            self.status,
            self.version,
            self.reminded,
            self.ends_unseen,
            self.tags,
        )


def issued(
    certificate_id: str, *, number: str | None = None, stars: int = 4, version: int | None = None
) -> CertificateIssuedV1:
    return CertificateIssuedV1(
        certificate_id=certificate_id,
        certificate_number=number or f"{certificate_id.upper()}/OCOP",
        product_id="sp-case",
        producer_id=PRODUCER,
        stars=stars,
        level=RecognitionLevel.PROVINCE,
        issuing_authority="UBND tỉnh Phú Thọ",
        decision_number=f"{certificate_id}/QĐ-UBND",
        decision_date=date(2025, 6, 15),
        valid_from=date(2025, 6, 15),
        valid_until=date(2099, 6, 15),
        certification_version=version,
    )


def revoked(
    certificate_id: str, *, number: str | None = None, version: int | None = None
) -> CertificateRevokedV1:
    return CertificateRevokedV1(
        certificate_id=certificate_id,
        certificate_number=number or f"{certificate_id.upper()}/OCOP",
        product_id="sp-case",
        producer_id=PRODUCER,
        decision_number="99/QĐ-UBND",
        decision_date=date(2026, 1, 10),
        reason="Vi phạm an toàn thực phẩm",
        issuing_authority="UBND tỉnh Phú Thọ",
        stars=4,
        level=RecognitionLevel.PROVINCE,
        valid_until=date(2099, 6, 15),
        certification_version=version,
    )


def expired(certificate_id: str, *, number: str | None = None) -> CertificateExpiredV1:
    return CertificateExpiredV1(
        certificate_id=certificate_id,
        certificate_number=number or f"{certificate_id.upper()}/OCOP",
        product_id="sp-case",
        producer_id=PRODUCER,
        expired_on=date(2026, 1, 1),
        stars=4,
        level=RecognitionLevel.PROVINCE,
    )


def expiring(certificate_id: str) -> CertificateExpiringV1:
    return CertificateExpiringV1(
        certificate_id=certificate_id,
        certificate_number=f"{certificate_id.upper()}/OCOP",
        product_id="sp-case",
        producer_id=PRODUCER,
        stars=4,
        level=RecognitionLevel.PROVINCE,
        decision_number=f"{certificate_id}/QĐ-UBND",
        valid_until=date(2099, 6, 15),
        lead_months=3,
    )


def superseded(certificate_id: str, by: str) -> CertificateSupersededV1:
    return CertificateSupersededV1(
        certificate_id=certificate_id,
        certificate_number=f"{certificate_id.upper()}/OCOP",
        product_id="sp-case",
        producer_id=PRODUCER,
        stars=4,
        level=RecognitionLevel.PROVINCE,
        decision_number=f"{certificate_id}/QĐ-UBND",
        valid_until=date(2099, 6, 15),
        superseded_by_certificate_id=by,
    )


ACTIVE, REVOKED, EXPIRED = (
    CertificateStatus.ACTIVE,
    CertificateStatus.REVOKED,
    CertificateStatus.EXPIRED,
)
A3 = Sent(issued("gcn-a"), 3)

CASES: tuple[CertificateCase, ...] = (
    CertificateCase(
        "a newer revocation applies", (A3,), Sent(revoked("gcn-a"), 4), True, "gcn-a", REVOKED, 4
    ),
    CertificateCase(
        "an older revocation is stale",
        (A3,),
        Sent(revoked("gcn-a"), 2),
        False,
        "gcn-a",
        ACTIVE,
        3,
        tags=("stale",),
    ),
    CertificateCase(
        "a revocation at the applied version is a repeat",
        (A3,),
        Sent(revoked("gcn-a"), 3),
        False,
        "gcn-a",
        ACTIVE,
        3,
        tags=("stale",),
    ),
    CertificateCase(
        "an out-of-order older issue is stale",
        (Sent(issued("gcn-b", stars=5), 5),),
        Sent(issued("gcn-a"), 4),
        False,
        "gcn-b",
        ACTIVE,
        5,
        tags=("stale",),
    ),
    CertificateCase(
        "a sequence-less revocation does not override ordered state",
        (A3,),
        Sent(revoked("gcn-a"), None),
        False,
        "gcn-a",
        ACTIVE,
        3,
        tags=("sequence-less",),
    ),
    CertificateCase(
        "a sequence-less issue applies where nothing ordered was applied",
        (),
        Sent(issued("gcn-a"), None),
        True,
        "gcn-a",
        ACTIVE,
        0,
        tags=("sequence-less",),
    ),
    CertificateCase(
        "a sequence-less envelope is ordered by the contract's certification_version",
        (A3,),
        Sent(revoked("gcn-a", version=4), None),
        True,
        "gcn-a",
        REVOKED,
        4,
        tags=("sequence-less",),
    ),
    CertificateCase(
        "an upgrade replaces the certificate",
        (A3,),
        Sent(issued("gcn-b", stars=5), 5),
        True,
        "gcn-b",
        ACTIVE,
        5,
    ),
    CertificateCase(
        "another certificate with the same number ending leaves the current one standing",
        (Sent(issued("gcn-a", number="GCN-1/OCOP"), 3),),
        Sent(revoked("gcn-a-old", number="GCN-1/OCOP"), 4),
        True,
        "gcn-a",
        ACTIVE,
        4,
        tags=("identity",),
    ),
    CertificateCase(
        "an older certificate's expiry leaves the current one standing",
        (A3,),
        Sent(expired("gcn-older"), 4),
        True,
        "gcn-a",
        ACTIVE,
        4,
        tags=("identity",),
    ),
    CertificateCase(
        "the current certificate's expiry ends it",
        (A3,),
        Sent(expired("gcn-a"), 4),
        True,
        "gcn-a",
        EXPIRED,
        4,
    ),
    CertificateCase(
        "an end of a certificate never seen issued is recorded",
        (),
        Sent(expired("gcn-a"), 2),
        True,
        "gcn-a",
        EXPIRED,
        2,
        ends_unseen=True,
    ),
    CertificateCase(
        "a reminder at the applied version is noted without moving it",
        (A3,),
        Sent(expiring("gcn-a"), 3),
        True,
        "gcn-a",
        ACTIVE,
        3,
        reminded=True,
    ),
    CertificateCase(
        "a reminder older than the applied version is stale",
        (A3,),
        Sent(expiring("gcn-a"), 2),
        False,
        "gcn-a",
        ACTIVE,
        3,
        tags=("stale",),
    ),
    CertificateCase(
        "a superseded note does not move the version, so the new issue still applies",
        (A3, Sent(superseded("gcn-a", by="gcn-b"), 4)),
        Sent(issued("gcn-b", stars=5), 4),
        True,
        "gcn-b",
        ACTIVE,
        4,
    ),
)
