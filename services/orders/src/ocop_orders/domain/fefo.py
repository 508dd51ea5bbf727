"""First-expiring, first-out: which lots a sale or transfer draws from."""

from __future__ import annotations

from datetime import date

from ocop_orders.domain.model import Lot


def sellable_lots(lots: list[Lot], today: date) -> list[Lot]:
    """Lots with units on the shelf and not expired, first-expiring first (undated last)."""
    usable = [
        lot
        for lot in lots
        if lot.on_hand > 0 and (lot.expires_on is None or lot.expires_on >= today)
    ]
    return sorted(usable, key=lambda lot: (lot.expires_on or date.max, lot.received_at, lot.id))


def allocate(lots: list[Lot], quantity: int, today: date) -> list[tuple[Lot, int]] | None:
    """Takes per lot covering `quantity`, or None when the sellable lots do not have enough."""
    takes: list[tuple[Lot, int]] = []
    remaining = quantity
    for lot in sellable_lots(lots, today):
        take = min(lot.on_hand, remaining)
        takes.append((lot, take))
        remaining -= take
        if remaining == 0:
            return takes
    return None


def after_taking(lots: list[Lot], takes: list[tuple[Lot, int]]) -> list[Lot]:
    """The lots as they will be once `takes` are applied (for a second line of one product)."""
    taken = {lot.id: n for lot, n in takes}
    return [
        lot.model_copy(update={"on_hand": lot.on_hand - taken[lot.id]}) if lot.id in taken else lot
        for lot in lots
    ]
