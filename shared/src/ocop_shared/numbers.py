"""Numbers written the Vietnamese way, for pages, exports and domain messages alike."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from fractions import Fraction


def format_number_vn(value: int | float | Fraction | Decimal | None, decimals: int = 2) -> str:
    """Thousands separated by dots, decimals by a comma, trailing zeros dropped:
    ``12.345``, ``12.345,5``, ``89,67``.

    Decimals are cut, never rounded up, so a score of 89.999 reads ``89,99`` and never shows
    a band edge (90) it did not reach.
    """
    if value is None:
        return ""
    if isinstance(value, Fraction):
        exact = Decimal(value.numerator) / Decimal(value.denominator)
    else:
        exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    cut = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_DOWN)
    sign = "-" if cut < 0 else ""
    whole, _, fraction = f"{abs(cut):f}".partition(".")
    fraction = fraction.rstrip("0")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"{sign}{grouped},{fraction}" if fraction else f"{sign}{grouped}"


def format_points_vn(points: int | float | Fraction | Decimal) -> str:
    """A score: ``89,99 điểm``."""
    return f"{format_number_vn(points)} điểm"
