"""Numbers typed into console forms the way Vietnamese users write them."""

from __future__ import annotations

import re

from ocop_shared.errors import ValidationFailedError

# "125000", "125.000" or "1,250,000" (one separator kind, groups of three); ASCII digits
# only: "²".isdigit() holds, and int() of thousands of digits raises.
_WHOLE_NUMBER = re.compile(r"\d{1,3}([.,])\d{3}(?:\1\d{3})*|\d{1,15}", re.ASCII)


def whole_number(value: str | None, field: str) -> int | None:
    """The whole number in ``value``; None when left empty.

    Anything else is refused rather than guessed: "1.5" is neither 15 nor 1, and a
    mistyped quantity must not silently become "everything" or "unchanged".
    """
    text = (value or "").replace(" ", "").replace("\u00a0", "").strip()
    if not text:
        return None
    if not _WHOLE_NUMBER.fullmatch(text):
        raise ValidationFailedError(f"«{text[:20]}» không phải số nguyên", field=field)
    return int(text.replace(".", "").replace(",", ""))
