"""Validation of Vietnamese and GS1 identifiers used across services."""

from __future__ import annotations

import re

# re.ASCII: \d alone also matches Arabic-Indic and other Unicode digits.
_TAX_CODE = re.compile(r"^\d{10}(-\d{3})?$|^\d{12}$", re.ASCII)


def gs1_check_digit_ok(code: str) -> bool:
    """GS1 mod-10 check digit for GTIN-8/12/13/14 and GLN (13)."""
    # ASCII only: "²".isdigit() holds but int("²") raises.
    if not (code.isascii() and code.isdigit()) or len(code) not in (8, 12, 13, 14):
        return False
    digits = [int(c) for c in code]
    body, check = digits[:-1], digits[-1]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def is_gtin(code: str) -> bool:
    return len(code) in (8, 12, 13, 14) and gs1_check_digit_ok(code)


def is_gln(code: str) -> bool:
    return len(code) == 13 and gs1_check_digit_ok(code)


def is_tax_code(code: str) -> bool:
    """Mã số thuế / mã số doanh nghiệp: 10 digits, 10+3 for branches, or a 12-digit personal id."""
    return bool(_TAX_CODE.fullmatch(code))  # fullmatch: "$" alone lets a trailing "\n" in
