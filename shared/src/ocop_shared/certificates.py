"""A product's certificate as its consumers mirror it from certification's events.

Catalogue, orders and events each keep "the certificate this product carries now". They
follow it with one pure function, so the rules are written once:

- **ordering** (`ocop_shared.messaging.ordering`): a state change (issued, revoked,
  expired) applies only if its version is newer than the one applied; a note (superseded,
  expiring) only if it is not older, and it does not move the applied version, so the
  issued event of the same decision is never taken for stale whichever comes first; an
  event without a sequence never overrides sequenced state. The version is the envelope
  ``sequence``, or the contract's ``certification_version`` when the envelope has none (both
  are the product's certification version).
- **identity**: an end (revoked, expired) or a note (superseded, expiring) is about one
  certificate, matched by its id. Numbers are printed on paper and can repeat (a renewal
  under the same number, a typo fixed in a re-issue); ids cannot, so an event about another
  certificate leaves the current one standing, even when the numbers are equal.
- **content**: an issued certificate replaces the current one; an end changes the matching
  certificate's status (or records the ended certificate when none was mirrored: that is
  still the truth about the product); notes annotate the matching certificate while active.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict

from ocop_shared.contracts.catalog import CertificateStatus
from ocop_shared.contracts.certification import (
    CertificateExpiredV1,
    CertificateExpiringV1,
    CertificateIssuedV1,
    CertificateRevokedV1,
    CertificateSupersededV1,
)
from ocop_shared.contracts.envelope import Envelope
from ocop_shared.messaging.ordering import is_current, is_newer, version_after
from ocop_shared.timeutil import VIETNAM

CertificateEvent = (
    CertificateIssuedV1
    | CertificateRevokedV1
    | CertificateExpiredV1
    | CertificateSupersededV1
    | CertificateExpiringV1
)
CertificateEnd = CertificateRevokedV1 | CertificateExpiredV1

CERTIFICATE_EVENTS: tuple[type[CertificateEvent], ...] = (
    CertificateIssuedV1,
    CertificateRevokedV1,
    CertificateExpiredV1,
    CertificateSupersededV1,
    CertificateExpiringV1,
)


class CertificateMirror(BaseModel):
    """The certificate a product carries now, as told by certification events only.

    Only the id, number and status are always known: an end of a certificate never seen
    issued carries no validity start. Services subclass it to add their own display
    helpers (and may narrow fields they always have).
    """

    model_config = ConfigDict(frozen=True)

    certificate_id: str
    number: str
    status: CertificateStatus
    stars: int | None = None
    level: str | None = None
    issuing_authority: str | None = None
    decision_number: str | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    status_reason: str | None = None
    expiry_reminder_on: date | None = None
    """When certification last reminded that this certificate is about to expire."""
    superseded_by: str | None = None

    def status_on(self, day: date) -> CertificateStatus:
        """An active certificate past its end date counts as expired, event or not."""
        if (
            self.status is CertificateStatus.ACTIVE
            and self.valid_until is not None
            and day > self.valid_until
        ):
            return CertificateStatus.EXPIRED
        return self.status


class Unchanged(Enum):
    """The event changes nothing in the mirrored certificate."""

    UNCHANGED = "unchanged"


UNCHANGED: Literal[Unchanged.UNCHANGED] = Unchanged.UNCHANGED

EndReason = Callable[[CertificateEnd], str]
"""How a service words an end for its users (stored as ``status_reason``)."""


def describe_end(event: CertificateEnd) -> str:
    """The default wording of an end (the catalogue's)."""
    if isinstance(event, CertificateRevokedV1):
        return f"Thu hồi theo QĐ {event.decision_number}: {event.reason}"
    return f"Hết hiệu lực ngày {event.expired_on:%d/%m/%Y}"


def mirror_certificate(
    event: CertificateEvent,
    stored: CertificateMirror | None,
    *,
    sent_on: date,
    reason: EndReason = describe_end,
) -> CertificateMirror | Literal[Unchanged.UNCHANGED]:
    """The mirrored certificate after `event`, or `UNCHANGED`; versions are not looked at.

    `sent_on` is the day (in Vietnam) the event was sent, recorded for a reminder. A changed
    stored certificate keeps its class (``model_copy``); a new one is a `CertificateMirror`.
    """
    new: CertificateMirror | None
    about_stored = stored is not None and stored.certificate_id == event.certificate_id
    if isinstance(event, CertificateIssuedV1):
        new = CertificateMirror(
            certificate_id=event.certificate_id,
            number=event.certificate_number,
            status=CertificateStatus.ACTIVE,
            stars=event.stars,
            level=event.level.value,
            issuing_authority=event.issuing_authority,
            decision_number=event.decision_number,
            valid_from=event.valid_from,
            valid_until=event.valid_until,
        )
    elif isinstance(event, CertificateRevokedV1 | CertificateExpiredV1):
        status = (
            CertificateStatus.REVOKED
            if isinstance(event, CertificateRevokedV1)
            else CertificateStatus.EXPIRED
        )
        why = reason(event)
        if stored is None:
            new = _ended_unseen(event, status, why)
        elif about_stored:
            new = stored.model_copy(update={"status": status, "status_reason": why})
        else:
            new = None  # an older certificate ended: the current one stands
    elif not about_stored or stored is None or stored.status is not CertificateStatus.ACTIVE:
        new = None  # a note about another certificate, or one that already ended
    elif isinstance(event, CertificateSupersededV1):
        new = stored.model_copy(update={"superseded_by": event.superseded_by_certificate_id})
    else:
        new = stored.model_copy(update={"expiry_reminder_on": sent_on})
    if new is None or new == stored:
        return UNCHANGED
    return new


def _ended_unseen(
    event: CertificateEnd, status: CertificateStatus, reason: str
) -> CertificateMirror:
    """An end of a certificate never mirrored: what the end event itself says of it."""
    return CertificateMirror(
        certificate_id=event.certificate_id,
        number=event.certificate_number,
        status=status,
        stars=event.stars,
        level=event.level.value if event.level else None,
        decision_number=event.decision_number if isinstance(event, CertificateExpiredV1) else None,
        valid_until=event.valid_until if isinstance(event, CertificateRevokedV1) else None,
        status_reason=reason,
    )


@dataclass(frozen=True)
class CertificateUpdate:
    """What a consumer stores after a certificate event it did not ignore."""

    certificate: CertificateMirror | None
    """The certificate the product carries now (the stored one if `changed` is False)."""
    version: int
    """The certification version applied (unchanged by a note or a sequence-less event)."""
    changed: bool
    """Whether `certificate` differs from the stored one (the version may move alone)."""


def follow_certificate(
    event: CertificateEvent,
    envelope: Envelope,
    *,
    stored: CertificateMirror | None,
    applied: int | None,
    reason: EndReason = describe_end,
) -> CertificateUpdate | None:
    """Apply one certificate event to a product's mirror: None when it is to be ignored.

    `stored` and `applied` are what the consumer holds for the product (None / 0 when it
    holds nothing). The ordering rule and the certificate's identity are decided here; what
    the service does with a changed certificate (settle, withdraw, flag) is its own.
    """
    incoming = envelope.sequence
    if incoming is None:
        incoming = event.certification_version
    if isinstance(event, CertificateSupersededV1 | CertificateExpiringV1):  # notes
        if not is_current(incoming, applied):
            return None
        version = applied or 0
    else:
        if not is_newer(incoming, applied):
            return None
        version = version_after(incoming, applied)
    sent_on = envelope.time.astimezone(VIETNAM).date()
    mirrored = mirror_certificate(event, stored, sent_on=sent_on, reason=reason)
    if mirrored is UNCHANGED:
        return CertificateUpdate(stored, version, changed=False)
    return CertificateUpdate(mirrored, version, changed=True)
