"""Booth plans: codes generated per zone, e.g. zone A with 50 booths → A01 … A50."""

from __future__ import annotations

import re

BOOTH_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,15}$")


def booth_codes(prefix: str, first: int, last: int) -> list[str]:
    """Codes prefix+number, zero-padded to the width of the largest number (at least 2)."""
    if first < 1 or last < first:
        raise ValueError("first must be ≥ 1 and last ≥ first")
    width = max(2, len(str(last)))
    return [f"{prefix}{n:0{width}d}" for n in range(first, last + 1)]


def booth_sort_key(code: str) -> tuple[str, int, str]:
    """A2 before A10: letters, then the number, then the rest."""
    match = re.match(r"^([A-Z-]*)(\d*)(.*)$", code)
    assert match is not None
    prefix, number, rest = match.groups()
    return prefix, int(number) if number else 0, rest
