"""Authorisation matrix tests: every mutating endpoint called with a token of every role."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import httpx

from ocop_platform.testing.support import bearer
from ocop_shared.auth import Role
from ocop_shared.settings import ServiceSettings

Call = tuple[str, str, Any, set[str]]
"""(method, url, payload, the role names allowed past authorisation)."""
Send = Callable[[str, str, Any, dict[str, str], str], Awaitable[httpx.Response]]
"""Sends one call: (method, url, payload, headers, role name) → response."""


def role_headers(
    settings: ServiceSettings, **overrides: dict[str, str]
) -> dict[str, dict[str, str]]:
    """Bearer headers for every role, keyed by role name, plus ``anonymous`` (no token).

    ``overrides`` replace or add named callers (the owning producer, another showroom's
    operator, ...).
    """
    headers = {role.value: bearer(settings, role) for role in Role}
    headers.update(overrides)
    headers["anonymous"] = {}
    return headers


async def authorisation_mismatches(
    send: Send, table: Iterable[Call], headers: dict[str, dict[str, str]]
) -> list[str]:
    """Calls every row as every caller; returns where passing auth differs from ``allowed``.

    Refused callers go first, so an allowed call that changes state cannot mask a refusal.
    Never a 5xx; no token is always 401.
    """
    wrong: list[str] = []
    for method, url, payload, allowed in table:
        for role in sorted(headers, key=lambda r: r in allowed):
            response = await send(method, url, payload, headers[role], role)
            status = response.status_code
            assert status < 500, (method, url, role, response.text)
            if (status not in (401, 403)) != (role in allowed):
                wrong.append(f"{method} {url} as {role}: {status} {response.text[:120]}")
            if role == "anonymous":
                assert status == 401, (method, url)
    return wrong
