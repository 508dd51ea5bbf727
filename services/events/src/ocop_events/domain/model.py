"""Trade events, booths, participations and the product read model: plain pydantic, no I/O."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from ocop_events.domain.labels import TITLES
from ocop_shared.certificates import CertificateMirror
from ocop_shared.contracts.catalog import CertificateStatus, Channel
from ocop_shared.contracts.events import TradeEventKind

KIND_LABELS = {
    TradeEventKind.FAIR: "Hội chợ",
    TradeEventKind.EXHIBITION: "Triển lãm",
    TradeEventKind.SALES_WEEK: "Tuần hàng",
    TradeEventKind.FORUM: "Diễn đàn kết nối cung - cầu",
    TradeEventKind.LIVESTREAM: "Livestream",
}


class EligibilityRules(BaseModel):
    """Who may take part; defaults follow the catalogue's fair policy (active, ≥3★)."""

    model_config = ConfigDict(frozen=True, extra="forbid", field_title_generator=TITLES)

    min_stars: int = Field(3, ge=1, le=5)
    max_products_per_producer: int = Field(5, ge=1, le=50)
    require_fair_channel: bool = True
    """The catalogue must list the product as eligible for fairs."""


class TradeEvent(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    kind: TradeEventKind
    name: str
    venue: str
    province: str
    organiser: str
    starts_on: date
    ends_on: date
    registration_opens: date
    registration_closes: date
    rules: EligibilityRules = EligibilityRules()
    description: str | None = None
    created_at: datetime
    version: int = 1

    def phase_on(self, day: date) -> str:
        if day < self.starts_on:
            return "upcoming"
        return "ongoing" if day <= self.ends_on else "ended"

    def registration_open_on(self, day: date) -> bool:
        return self.registration_opens <= day <= self.registration_closes


class Booth(BaseModel):
    """A booth (gian hàng) of an event's plan; at most one participation holds it."""

    model_config = ConfigDict(frozen=True)

    event_id: str
    code: str
    zone: str
    size_m2: int
    participation_id: str | None = None
    producer_id: str | None = None


class ParticipationStatus(StrEnum):
    REGISTERED = "registered"
    WAITLISTED = "waitlisted"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


ACTIVE_STATUSES = (
    ParticipationStatus.REGISTERED,
    ParticipationStatus.WAITLISTED,
    ParticipationStatus.CONFIRMED,
)

STATUS_LABELS = {
    ParticipationStatus.REGISTERED: "Chờ duyệt",
    ParticipationStatus.WAITLISTED: "Danh sách chờ",
    ParticipationStatus.CONFIRMED: "Đã xác nhận",
    ParticipationStatus.REJECTED: "Từ chối",
    ParticipationStatus.WITHDRAWN: "Đã rút",
}


class Flag(BaseModel):
    """Something staff must look at, e.g. a product's certificate revoked after registration."""

    model_config = ConfigDict(frozen=True)

    product_id: str
    kind: str
    reason: str
    raised_at: datetime


class Participation(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    event_id: str
    event_ends_on: date
    producer_id: str
    producer_name: str | None = None
    product_ids: list[str]
    status: ParticipationStatus
    booth_code: str | None = None
    reason: str | None = None
    flags: list[Flag] = []
    registered_at: datetime
    decided_at: datetime | None = None
    version: int = 1

    @property
    def flagged(self) -> bool:
        return bool(self.flags)


class ProductSnapshot(BaseModel):
    """What the events service knows of a product, from catalogue and certification events."""

    model_config = ConfigDict(frozen=True)

    id: str
    producer_id: str
    name: str
    group_code: str | None = None
    province: str | None = None
    stars: int | None = None
    certificate_number: str | None = None
    certificate_status: CertificateStatus = CertificateStatus.NONE
    valid_until: date | None = None
    eligible_channels: list[Channel] = []
    status_reason: str | None = None
    certificate: CertificateMirror | None = None
    """The certificate as certification told it (the fields above are the catalogue's view);
    ends are matched against it by id."""
    catalog_sequence: int = 0
    certification_sequence: int = 0

    def status_on(self, day: date) -> CertificateStatus:
        if (
            self.certificate_status is CertificateStatus.ACTIVE
            and self.valid_until is not None
            and day > self.valid_until
        ):
            return CertificateStatus.EXPIRED
        return self.certificate_status
