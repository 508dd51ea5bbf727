"""What a withdrawal (or a stock-take shortfall) takes off the shelf: expired lots first, then
the first-expiring. Pure; the service layer moves the units into quarantine."""

from __future__ import annotations

from datetime import date

from ocop_orders.domain.model import Lot


def shelf_first_out(lots: list[Lot], today: date) -> list[Lot]:
    """Expired lots first, then first-expiring: what a withdrawal or a shortfall takes."""
    return sorted(
        (lot for lot in lots if lot.on_hand > 0),
        key=lambda lot: (lot.expires_on or date.max, lot.received_at, lot.id),
    )


def take_from_shelf(lots: list[Lot], quantity: int | None, today: date) -> list[tuple[str, int]]:
    """Units to take off the shelf (all when ``quantity`` is None), expired lots first."""
    takes: list[tuple[str, int]] = []
    remaining = quantity if quantity is not None else sum(lot.on_hand for lot in lots)
    for lot in shelf_first_out(lots, today):
        if remaining <= 0:
            break
        n = min(lot.on_hand, remaining)
        takes.append((lot.id, n))
        remaining -= n
    return takes
