"""Backoff and the executor registry of the outbound call journal."""

from __future__ import annotations

import random

import pytest

from ocop_orders.service_layer.outbound import (
    CallResponse,
    Executors,
    OutboundCall,
    backoff_delay,
    excerpt,
)


def test_backoff_grows_exponentially_within_jitter_bounds() -> None:
    rng = random.Random(7)
    for tries, step in [(1, 1.0), (2, 2.0), (3, 4.0), (5, 16.0)]:
        delays = [backoff_delay(tries, 1.0, 300.0, rng) for _ in range(200)]
        assert min(delays) >= step / 2
        assert max(delays) <= step
        assert max(delays) - min(delays) > step / 10  # jitter spreads retries out


def test_backoff_is_capped() -> None:
    assert backoff_delay(30, 1.0, 60.0, random.Random(1)) <= 60.0
    assert backoff_delay(30, 1.0, 60.0, random.Random(1)) >= 30.0


async def _ok(call: OutboundCall) -> CallResponse:
    return CallResponse(status_code=200)


def test_registry_finds_executor_by_target_and_operation() -> None:
    executors = Executors()
    executors.register("postmart", "delist", _ok)
    executors.register("viettelpost", "create_order", _ok)
    assert executors.find("postmart", "delist") is not None
    assert executors.find("postmart", "create_order") is None
    assert executors.kinds() == [("postmart", "delist"), ("viettelpost", "create_order")]


def test_registry_refuses_a_second_executor_for_the_same_kind() -> None:
    executors = Executors()
    executors.register("voso", "delist", _ok)
    with pytest.raises(ValueError, match="voso/delist"):
        executors.register("voso", "delist", _ok)


def test_excerpt_cuts_long_bodies_and_decodes_bytes() -> None:
    assert excerpt(b"\xc3\xa1", 10) == "á"
    assert excerpt("x" * 50, 10) == "x" * 10 + "…"
