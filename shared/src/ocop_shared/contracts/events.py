"""Events published by the events service (fairs, participation, supply-demand matching)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from ocop_shared.contracts.envelope import EventData
from ocop_shared.contracts.registry import register

PARTICIPATIONS_TOPIC = "ocop.events.participations"
MATCHES_TOPIC = "ocop.events.matches"


class TradeEventKind(StrEnum):
    FAIR = "fair"
    """Hội chợ."""
    EXHIBITION = "exhibition"
    """Triển lãm."""
    SALES_WEEK = "sales_week"
    """Tuần hàng."""
    FORUM = "forum"
    """Diễn đàn kết nối cung - cầu."""
    LIVESTREAM = "livestream"
    """Phiên bán hàng trực tuyến (livestream)."""


class _Participation(EventData):
    participation_id: str
    trade_event_id: str
    trade_event_name: str
    trade_event_kind: TradeEventKind
    producer_id: str
    product_ids: list[str] = Field(min_length=1)


@register
class ParticipationRegisteredV1(_Participation):
    """Sent when a producer registers for a trade event, or moves up from the waiting list."""

    event_type: ClassVar[str] = "ocop.events.participation.registered.v1"
    topic: ClassVar[str] = PARTICIPATIONS_TOPIC

    waitlisted: bool
    """True when the event was full and the registration joined the waiting list."""
    registered_at: datetime


@register
class ParticipationConfirmedV1(_Participation):
    """Sent when trade-promotion staff confirm a participation and its booth (again on a move)."""

    event_type: ClassVar[str] = "ocop.events.participation.confirmed.v1"
    topic: ClassVar[str] = PARTICIPATIONS_TOPIC

    booth_code: str | None
    """None for events without a booth plan (forums, livestreams)."""
    starts_on: date
    ends_on: date
    confirmed_at: datetime


@register
class ParticipationWithdrawnV1(_Participation):
    """Sent when a participation ends before the event: withdrawn by the producer or rejected."""

    event_type: ClassVar[str] = "ocop.events.participation.withdrawn.v1"
    topic: ClassVar[str] = PARTICIPATIONS_TOPIC

    reason: str
    rejected_by_staff: bool = False
    withdrawn_at: datetime


class _Match(EventData):
    match_id: str
    demand_id: str
    offer_id: str
    buyer_id: str
    buyer_name: str
    producer_id: str
    product_id: str | None = None
    trade_event_id: str | None = None
    """The supply-demand forum the match was made for, if any."""


@register
class MatchProposedV1(_Match):
    """Sent when the matching engine proposes a buyer demand / producer offer pair."""

    event_type: ClassVar[str] = "ocop.events.match.proposed.v1"
    topic: ClassVar[str] = MATCHES_TOPIC

    score: float = Field(ge=0, le=1)
    proposed_at: datetime


@register
class MatchAcceptedV1(_Match):
    """Sent when staff take a proposal forward (both sides contacted and willing to talk)."""

    event_type: ClassVar[str] = "ocop.events.match.accepted.v1"
    topic: ClassVar[str] = MATCHES_TOPIC

    accepted_at: datetime


@register
class MatchDealSignedV1(_Match):
    """Sent when a match ends in a signed deal (hợp đồng / biên bản ghi nhớ), value in VND."""

    event_type: ClassVar[str] = "ocop.events.match.deal_signed.v1"
    topic: ClassVar[str] = MATCHES_TOPIC

    deal_value_vnd: int = Field(gt=0)
    signed_on: date
