"""Property-based fuzzing of every OpenAPI operation of every service (schemathesis), with a
valid token of each role and without one: never a 5xx, and every response conforms to the
operation's documented status codes, content types and schema.

Bounded for CI: a few generated cases per operation and caller (FUZZ_EXAMPLES, default 3),
positive data for every caller and negative data too as admin, no shrinking, the same cases
on every run unless FUZZ_RANDOM=1 (a deeper local run: FUZZ_EXAMPLES=50 FUZZ_RANDOM=1).
Failures are collected over the whole run and reported together, one line per operation and problem.
"""

from __future__ import annotations

import os
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode

from ocop_platform.testing.live import SERVICES
from ocop_platform.testing.support import bearer
from ocop_shared.auth import Role

pytestmark = pytest.mark.integration

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
# The same cases on every CI run (no flaky reds); FUZZ_RANDOM=1 explores new ones.
DERANDOMIZE = os.environ.get("FUZZ_RANDOM", "") in ("", "0")
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]


def callers(live: Any) -> dict[str, dict[str, str]]:
    """A token of every role (scoped ones with an owner), and nobody."""
    s = live.settings
    tokens = {role.value: bearer(s, role) for role in Role}
    tokens["producer"] = bearer(s, Role.PRODUCER, producer_id="prd-fuzz")
    tokens["showroom_operator"] = bearer(s, Role.SHOWROOM_OPERATOR, showroom_ids=["sr-fuzz"])
    tokens["anonymous"] = {}
    return tokens


def fuzz_operation(
    operation: Any, url: str, headers: dict[str, str], mode: GenerationMode
) -> list[str]:
    problems: list[str] = []

    @settings(
        max_examples=EXAMPLES,
        derandomize=DERANDOMIZE,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case: Any) -> None:
        response = case.call(base_url=url, headers=headers, timeout=30)
        try:
            case.validate_response(response, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as exc:  # collect every failure, not the first
            first = str(exc).strip().splitlines()[:3]
            problems.append(f"{response.status_code}: {' / '.join(first)}"[:300])

    try:
        check()
    except Unsatisfiable:  # nothing to negate (no parameters, no body)
        pass
    return problems


@pytest.mark.parametrize("service", SERVICES)
def test_fuzzing_every_operation_as_every_role_finds_no_5xx_and_no_schema_violation(
    service: str, live_services: Any
) -> None:
    live = live_services[service]
    spec = httpx.get(f"{live.url}/openapi.json", timeout=30).json()
    schema = schemathesis.openapi.from_dict(spec)
    failures: set[str] = set()
    for result in schema.get_all_operations():
        operation = result.ok()
        for role, headers in callers(live).items():
            modes = [GenerationMode.POSITIVE]
            if role == "admin":
                modes.append(GenerationMode.NEGATIVE)
            for mode in modes:
                for problem in fuzz_operation(operation, live.url, headers, mode):
                    failures.add(f"{operation.label} as {role} ({mode.value}): {problem}")
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(sorted(failures))
