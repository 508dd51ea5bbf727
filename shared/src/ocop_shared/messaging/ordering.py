"""The one rule every consumer uses to decide whether an aggregate event applies.

An event's envelope ``sequence`` is its aggregate's version *after* the change (versions count
changes from 1), and a read model stores the version it last applied, 0 before the first.

Kafka keeps an aggregate's events in order on its partition, but a consumer still sees
them out of order or again: the topic replayed from the start for a new consumer group or
after the inbox forgot (30 days), a dead letter replayed days later, a rebalance re-reading
uncommitted records. The version is what makes every consumer converge on the newest state
whatever the order, so:

- a sequenced event applies only if it is newer than what was applied (equal is a repeat);
- **an event without a sequence never overrides state set by a sequenced event**, and
  applies where nothing sequenced was applied yet (there is nothing to roll back).

Why not apply sequence-less events everywhere? Every producer of aggregate events here
stamps the version (``Outgoing.sequence`` of `run_with_outbox` is required), so an event
without one is a legacy record, a hand-made correction or a foreign producer. Its place in
the history is unknown: applied over ordered state during a replay or a dead-letter redrive,
it could bring a revoked certificate back to life, silently and differently in each
consumer. Dropping it (with a log line) keeps every consumer on the same, newest state; a
correction that must win is published with the next version. Where nothing ordered was
applied yet, it is the best information there is, and any sequenced event later replaces it.
"""

from __future__ import annotations


def is_newer(incoming: int | None, applied: int | None) -> bool:
    """Whether a state change with version `incoming` applies over state at `applied`.

    `applied` is None or 0 when no sequenced event was applied for the aggregate yet.
    """
    if not applied:
        return True
    if incoming is None:
        return False
    return incoming > applied


def is_current(incoming: int | None, applied: int | None) -> bool:
    """Like `is_newer`, for information that does not bump the version (a reminder sent at
    the current version): it applies unless the aggregate has moved past it."""
    if not applied:
        return True
    if incoming is None:
        return False
    return incoming >= applied


def version_after(incoming: int | None, applied: int | None) -> int:
    """The version to store once an event accepted by `is_newer` is applied.

    A sequence-less event leaves the stored version as it was, so any sequenced event
    still applies after it.
    """
    if incoming is None:
        return applied or 0
    return incoming
