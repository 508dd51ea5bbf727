"""Domain events raised by the events service (mapped to contracts in adapters)."""

from __future__ import annotations

from dataclasses import dataclass

from ocop_events.domain.matching_model import Match
from ocop_events.domain.model import Participation, TradeEvent


@dataclass(frozen=True)
class ParticipationRegistered:
    participation: Participation
    event: TradeEvent


@dataclass(frozen=True)
class ParticipationConfirmed:
    participation: Participation
    event: TradeEvent


@dataclass(frozen=True)
class ParticipationWithdrawn:
    participation: Participation
    event: TradeEvent
    rejected_by_staff: bool


@dataclass(frozen=True)
class MatchProposed:
    match: Match


@dataclass(frozen=True)
class MatchAccepted:
    match: Match


@dataclass(frozen=True)
class MatchDealSigned:
    match: Match


DomainEvent = (
    ParticipationRegistered
    | ParticipationConfirmed
    | ParticipationWithdrawn
    | MatchProposed
    | MatchAccepted
    | MatchDealSigned
)
