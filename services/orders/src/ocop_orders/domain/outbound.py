"""The partner-call journal's vocabulary: calls, outcomes, responses, failures, backoff.

Pure values and rules; the journal itself is `adapters/outbound_journal.py`, the worker that
drains it `service_layer/outbound.py`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

EXCERPT_CHARS = 2000


class CallOutcome(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    PARKED = "parked"


@dataclass(frozen=True)
class NewCall:
    """What to call: ``ordering_key`` groups calls that must run strictly in order."""

    target: str
    operation: str
    key: str
    payload: dict[str, Any]
    ordering_key: str | None = None  # defaults to "target:key"


@dataclass(frozen=True)
class OutboundCall:
    id: str
    target: str
    operation: str
    key: str
    ordering_key: str
    payload: dict[str, Any]
    outcome: CallOutcome
    tries: int
    max_attempts: int
    next_attempt_at: datetime
    created_at: datetime
    attempts: list[dict[str, Any]] = field(default_factory=list)
    last_error: str | None = None
    result: dict[str, Any] | None = None


@dataclass(frozen=True)
class CallResponse:
    """A successful call: what was sent and what came back (excerpts are journalled)."""

    status_code: int | None = None
    body: str = ""
    request: str = ""
    result: dict[str, Any] = field(default_factory=dict)


class CallFailedError(Exception):
    """The partner did not do it. ``retryable`` says whether trying again may help."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        status_code: int | None = None,
        body: str = "",
        request: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.status_code = status_code
        self.body = body
        self.request = request


def backoff_delay(
    tries: int, base_s: float, cap_s: float, rng: random.Random | None = None
) -> float:
    """Seconds to wait after ``tries`` failed attempts: exponential, capped, equal jitter.

    Half of the exponential step is fixed, half random, so retries of many calls failing
    together spread out but never come back sooner than half the step.
    """
    step = min(cap_s, base_s * (2 ** max(0, tries - 1)))
    return float(step / 2 + (rng or random).uniform(0, step / 2))


def excerpt(text: str | bytes | None, limit: int = EXCERPT_CHARS) -> str:
    if text is None:
        return ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return text if len(text) <= limit else text[:limit] + "…"
