"""The one place where domain events become published contracts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ocop_events.domain.events import (
    DomainEvent,
    MatchAccepted,
    MatchDealSigned,
    MatchProposed,
    ParticipationConfirmed,
    ParticipationRegistered,
    ParticipationWithdrawn,
)
from ocop_events.domain.matching_model import Match
from ocop_events.domain.model import Participation, ParticipationStatus, TradeEvent
from ocop_shared.contracts import events as contracts
from ocop_shared.contracts.envelope import EventData
from ocop_shared.messaging.unit_of_work import Outgoing


def _participation(p: Participation, event: TradeEvent) -> dict[str, Any]:
    return {
        "participation_id": p.id,
        "trade_event_id": event.id,
        "trade_event_name": event.name,
        "trade_event_kind": event.kind,
        "producer_id": p.producer_id,
        "product_ids": p.product_ids,
    }


def _match(m: Match) -> dict[str, Any]:
    return {
        "match_id": m.id,
        "demand_id": m.demand_id,
        "offer_id": m.offer_id,
        "buyer_id": m.buyer_id,
        "buyer_name": m.buyer_name,
        "producer_id": m.producer_id,
        "product_id": m.product_id,
        "trade_event_id": m.trade_event_id,
    }


def to_contract(event: DomainEvent) -> Outgoing:
    match event:
        case ParticipationRegistered(p, trade_event):
            data: EventData = contracts.ParticipationRegisteredV1(
                **_participation(p, trade_event),
                waitlisted=p.status is ParticipationStatus.WAITLISTED,
                registered_at=p.registered_at,
            )
            return Outgoing(data, p.id, p.version)
        case ParticipationConfirmed(p, trade_event):
            data = contracts.ParticipationConfirmedV1(
                **_participation(p, trade_event),
                booth_code=p.booth_code,
                starts_on=trade_event.starts_on,
                ends_on=trade_event.ends_on,
                confirmed_at=p.decided_at or datetime.now(UTC),
            )
            return Outgoing(data, p.id, p.version)
        case ParticipationWithdrawn(p, trade_event, rejected):
            data = contracts.ParticipationWithdrawnV1(
                **_participation(p, trade_event),
                reason=p.reason or "",
                rejected_by_staff=rejected,
                withdrawn_at=p.decided_at or datetime.now(UTC),
            )
            return Outgoing(data, p.id, p.version)
        case MatchProposed(m):
            data = contracts.MatchProposedV1(**_match(m), score=m.score, proposed_at=m.proposed_at)
            return Outgoing(data, m.id, m.version)
        case MatchAccepted(m):
            data = contracts.MatchAcceptedV1(**_match(m), accepted_at=m.updated_at)
            return Outgoing(data, m.id, m.version)
        case MatchDealSigned(m):
            assert m.deal_value_vnd is not None
            assert m.signed_on is not None
            data = contracts.MatchDealSignedV1(
                **_match(m), deal_value_vnd=m.deal_value_vnd, signed_on=m.signed_on
            )
            return Outgoing(data, m.id, m.version)
    raise AssertionError(f"unmapped event {event!r}")  # pragma: no cover
