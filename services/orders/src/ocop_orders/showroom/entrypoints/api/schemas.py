"""Response shapes of the orders API that are not domain models."""

from __future__ import annotations

from pydantic import BaseModel

from ocop_orders.domain.model import Balance, Lot, Product


class ProductChoice(BaseModel):
    """A product as the till sees it: price, what is left and whether it may be sold."""

    product: Product
    price_vnd: int | None
    available: int
    sellable: bool
    block_reason: str | None


class StockDetail(BaseModel):
    product: Product
    balance: Balance
    lots: list[Lot]
    ledger: list[dict[str, object]]


class AuditResult(BaseModel):
    showroom_id: str
    consistent: bool
    problems: list[str]
