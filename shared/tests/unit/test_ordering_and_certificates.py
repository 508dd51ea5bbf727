"""The one "apply if newer" rule and the certificate mirror, checked against the shared table."""

from __future__ import annotations

from datetime import date

import pytest

from ocop_shared.certificate_cases import CASES, CertificateCase, Sent, expired, issued, revoked
from ocop_shared.certificates import (
    UNCHANGED,
    CertificateMirror,
    CertificateUpdate,
    follow_certificate,
    mirror_certificate,
)
from ocop_shared.contracts.catalog import CertificateStatus
from ocop_shared.messaging.ordering import is_current, is_newer, version_after

TODAY = date(2026, 12, 7)


@pytest.mark.parametrize(
    ("incoming", "applied", "newer", "current"),
    [
        (4, 3, True, True),  # newer
        (3, 3, False, True),  # equal: a repeat of a change, still current for a note
        (2, 3, False, False),  # stale
        (None, 3, False, False),  # sequence-less over ordered state
        (None, 0, True, True),  # sequence-less where nothing ordered was applied
        (None, None, True, True),
        (0, 0, True, True),  # nothing applied yet: whatever comes applies
        (1, None, True, True),
    ],
)
def test_the_ordering_rule(
    incoming: int | None, applied: int | None, newer: bool, current: bool
) -> None:
    assert is_newer(incoming, applied) is newer
    assert is_current(incoming, applied) is current


def test_a_sequence_less_event_leaves_the_applied_version_as_it_was() -> None:
    assert version_after(None, 3) == 3
    assert version_after(None, None) == 0
    assert version_after(5, 3) == 5


def follow_history(case: CertificateCase) -> tuple[CertificateMirror | None, int]:
    stored: CertificateMirror | None = None
    applied = 0
    for sent in case.history:
        update = follow_certificate(sent.event, sent.envelope(), stored=stored, applied=applied)
        assert update is not None, f"history of {case.name!r} must apply"
        stored, applied = update.certificate, update.version
    return stored, applied


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_shared_certificate_cases(case: CertificateCase) -> None:
    stored, applied = follow_history(case)
    update = follow_certificate(
        case.last.event, case.last.envelope(), stored=stored, applied=applied
    )
    assert (update is not None) is case.applies
    after = update or CertificateUpdate(stored, applied, changed=False)
    cert = after.certificate
    assert (cert.certificate_id if cert else None) == case.certificate_id
    assert (cert.status if cert else None) == case.status
    assert after.version == case.version
    assert (cert is not None and cert.expiry_reminder_on is not None) is case.reminded


def test_the_table_covers_stale_sequence_less_and_identity_cases() -> None:
    tags = {t for c in CASES for t in c.tags}
    assert {"stale", "sequence-less", "identity"} <= tags


def active(certificate_id: str, number: str) -> CertificateMirror:
    return CertificateMirror(
        certificate_id=certificate_id,
        number=number,
        status=CertificateStatus.ACTIVE,
        stars=4,
        valid_until=date(2099, 6, 15),
    )


def test_an_end_is_matched_by_id_never_by_number() -> None:
    current = active("gcn-new", "GCN-1/OCOP")
    same_number = revoked("gcn-old", number="GCN-1/OCOP")
    assert mirror_certificate(same_number, current, sent_on=TODAY) is UNCHANGED
    same_id = revoked("gcn-new", number="a typo fixed later")
    ended = mirror_certificate(same_id, current, sent_on=TODAY)
    assert ended is not UNCHANGED
    assert (ended.certificate_id, ended.status) == ("gcn-new", CertificateStatus.REVOKED)
    assert ended.number == "GCN-1/OCOP"  # the mirror keeps what the issue said


def test_the_service_words_the_end_and_its_own_class_is_kept() -> None:
    class Shown(CertificateMirror):
        def label(self) -> str:
            return f"{self.number} ({self.status})"

    current = Shown(certificate_id="gcn-a", number="N", status=CertificateStatus.ACTIVE)
    ended = mirror_certificate(
        expired("gcn-a"),
        current,
        sent_on=TODAY,
        reason=lambda e: f"Giấy chứng nhận {e.certificate_number} hết hiệu lực",
    )
    assert isinstance(ended, Shown)
    assert ended.status_reason == "Giấy chứng nhận GCN-A/OCOP hết hiệu lực"
    assert ended.label() == "N (expired)"


def test_the_default_wording_of_an_end() -> None:
    revocation = mirror_certificate(revoked("gcn-a"), None, sent_on=TODAY)
    expiry = mirror_certificate(expired("gcn-a"), None, sent_on=TODAY)
    assert revocation is not UNCHANGED and expiry is not UNCHANGED
    assert revocation.status_reason == "Thu hồi theo QĐ 99/QĐ-UBND: Vi phạm an toàn thực phẩm"
    assert expiry.status_reason == "Hết hiệu lực ngày 01/01/2026"


def test_an_issue_equal_to_the_stored_certificate_changes_nothing() -> None:
    first = follow_certificate(
        issued("gcn-a"), Sent(issued("gcn-a"), 3).envelope(), stored=None, applied=0
    )
    assert first is not None and first.certificate is not None
    assert mirror_certificate(issued("gcn-a"), first.certificate, sent_on=TODAY) is UNCHANGED


def test_status_on_counts_an_active_certificate_past_its_end_as_expired() -> None:
    cert = active("gcn-a", "N")
    assert cert.status_on(date(2099, 6, 15)) is CertificateStatus.ACTIVE
    assert cert.status_on(date(2099, 6, 16)) is CertificateStatus.EXPIRED
