"""Errors of the events service; all are shared DomainErrors underneath."""

from __future__ import annotations

from ocop_shared.errors import ConflictError, InvalidStateError, NotFoundError


class TradeEventNotFoundError(NotFoundError):
    code = "trade-event-not-found"


class ParticipationNotFoundError(NotFoundError):
    code = "participation-not-found"


class BoothTakenError(ConflictError):
    code = "booth-taken"


class NoFreeBoothError(ConflictError):
    code = "no-free-booth"


class AlreadyRegisteredError(ConflictError):
    code = "already-registered"


class NotEligibleError(InvalidStateError):
    status = 422
    code = "not-eligible"
    title = "Sản phẩm không đủ điều kiện"


class MatchNotFoundError(NotFoundError):
    code = "match-not-found"
