"""GS1 identifiers printed on OCOP products: GTIN (8/12/13/14 digits) and GLN (13 digits)."""

from __future__ import annotations


def gs1_check_digit_ok(code: str) -> bool:
    """The last digit is the GS1 mod-10 check digit of the others (weights 3,1 from the right)."""
    # ASCII only: "²".isdigit() holds but int("²") raises (a 500 on import).
    if not (code.isascii() and code.isdigit()) or len(code) < 2:
        return False
    body, check = code[:-1], int(code[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def is_gtin(code: str) -> bool:
    return len(code) in (8, 12, 13, 14) and gs1_check_digit_ok(code)


def is_gln(code: str) -> bool:
    return len(code) == 13 and gs1_check_digit_ok(code)
