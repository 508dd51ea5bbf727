"""Bill arithmetic in whole VND: line discounts, a bill discount shared in proportion."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PricedLine:
    gross_vnd: int
    discount_vnd: int

    @property
    def total_vnd(self) -> int:
        return self.gross_vnd - self.discount_vnd


def share_discount(line_totals: list[int], discount: int) -> list[int]:
    """Split a bill discount over lines in proportion to their totals, to the last đồng.

    Largest remainders get the spare units, so the shares always add up to `discount`.
    """
    base = sum(line_totals)
    if discount == 0 or base == 0:
        return [0] * len(line_totals)
    exact = [total * discount for total in line_totals]
    shares = [e // base for e in exact]
    spare = discount - sum(shares)
    order = sorted(range(len(line_totals)), key=lambda i: exact[i] % base, reverse=True)
    for i in order[:spare]:
        shares[i] += 1
    return shares


def refund_for(line_total_vnd: int, sold: int, already_returned: int, returning: int) -> int:
    """Refund of `returning` units, so that returning every unit refunds the line exactly."""
    before = line_total_vnd * already_returned // sold
    after = line_total_vnd * (already_returned + returning) // sold
    return after - before
