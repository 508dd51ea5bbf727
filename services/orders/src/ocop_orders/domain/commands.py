"""Commands the orders service accepts, validated at the edge (no raw dicts reach queries)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ocop_orders.domain.labels import TITLES
from ocop_shared.contracts.orders import PaymentMethod
from ocop_shared.text import MultilineText, Text

Id = Annotated[Text, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Code = Annotated[Text, Field(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9_-]+$")]
Reason = Annotated[Text, Field(min_length=1, max_length=500)]
Note = Annotated[MultilineText, Field(max_length=500)]
Quantity = Annotated[int, Field(gt=0, le=100_000)]
Money = Annotated[int, Field(ge=0, le=10_000_000_000)]


class _Command(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, field_title_generator=TITLES
    )


class KioskInput(_Command):
    code: Code
    name: Text = Field(min_length=1, max_length=100)


class FairPointInput(_Command):
    trade_event_id: Id
    booth_code: Code | None = None


class BankAccountInput(_Command):
    bank_bin: Text = Field(pattern=r"^\d{6}$")
    account_number: Text = Field(min_length=1, max_length=19, pattern=r"^[A-Za-z0-9]+$")
    account_name: Text = Field(min_length=2, max_length=50)


class CreateShowroom(_Command):
    code: Code
    name: Text = Field(min_length=2, max_length=200)
    address: Text = Field(min_length=2, max_length=300)
    province: Text = Field(min_length=2, max_length=100)
    kiosks: list[KioskInput] = Field(default=[], max_length=500)
    fair: FairPointInput | None = None
    accepts_key_farm_products: bool = False
    low_stock_threshold: int | None = Field(None, ge=0, le=100_000)
    near_expiry_days: int | None = Field(None, ge=0, le=365)
    commission_percent: int = Field(10, ge=0, le=100)
    bank: BankAccountInput | None = None

    @model_validator(mode="after")
    def _unique_kiosks(self) -> Self:
        codes = [k.code for k in self.kiosks]
        if len(codes) != len(set(codes)):
            raise ValueError("mã ki-ốt bị trùng")
        return self


class UpdateShowroom(_Command):
    name: Text | None = Field(None, min_length=2, max_length=200)
    address: Text | None = Field(None, min_length=2, max_length=300)
    kiosks: list[KioskInput] | None = Field(None, max_length=500)
    fair: FairPointInput | None = None
    clear_fair: bool = False
    accepts_key_farm_products: bool | None = None
    low_stock_threshold: int | None = Field(None, ge=0, le=100_000)
    near_expiry_days: int | None = Field(None, ge=0, le=365)
    commission_percent: int | None = Field(None, ge=0, le=100)
    bank: BankAccountInput | None = None
    clear_bank: bool = False
    active: bool | None = None


class ReceiptLine(_Command):
    product_id: Id
    quantity: Quantity
    lot_code: Text = Field("KHONG-LO", min_length=1, max_length=40, pattern=r"^[\w.\-/]+$")
    expires_on: date | None = None
    price_vnd: Money | None = None
    """Shelf price at this showroom; kept until changed."""


class ReceiveGoods(_Command):
    """Receipt of consigned goods (nhập hàng ký gửi) from a producer."""

    lines: list[ReceiptLine] = Field(min_length=1, max_length=200)
    note: Note | None = None


class SaleLineInput(_Command):
    product_id: Id
    quantity: Quantity
    unit_price_vnd: Money | None = None
    """Defaults to the showroom's shelf price, then the catalogue's suggested price."""
    discount_vnd: Money = 0
    price_reason: Reason | None = None
    """Required (with the permission) for a unit price below the shelf price."""


class PaymentInput(_Command):
    method: PaymentMethod
    reference: Text | None = Field(None, min_length=1, max_length=100)
    """VietQR transfer content or card approval code."""
    tendered_vnd: Money | None = None


class RecordSale(_Command):
    lines: list[SaleLineInput] = Field(min_length=1, max_length=100)
    discount_vnd: Money = 0
    """Discount on the whole bill, shared among the lines in proportion."""
    payment: PaymentInput
    kiosk_code: Code | None = None


class ReturnLineInput(_Command):
    product_id: Id
    quantity: Quantity


class RecordReturn(_Command):
    lines: list[ReturnLineInput] = Field(min_length=1, max_length=100)
    reason: Reason
    restock: bool = True
    """False for damaged goods: they go to quarantine, not back on the shelf."""


class VoidSale(_Command):
    reason: Reason


class TransferLineInput(_Command):
    product_id: Id
    quantity: Quantity


class CreateTransfer(_Command):
    to_showroom_id: Id
    lines: list[TransferLineInput] = Field(min_length=1, max_length=200)
    note: Note | None = None


class CountLine(_Command):
    product_id: Id
    counted: int = Field(ge=0, le=1_000_000)


class StockTake(_Command):
    """Counted quantities; each difference becomes an adjustment with the reason."""

    lines: list[CountLine] = Field(min_length=1, max_length=1000)
    reason: Reason


class Quarantine(_Command):
    product_id: Id
    reason: Reason
    quantity: Quantity | None = None
    """Default: everything on hand (of the lot, when `lot_id` is given)."""
    lot_id: Id | None = None


class CloseWithdrawal(_Command):
    note: Note | None = None


class SetProductSettings(_Command):
    price_vnd: Money | None = None
    low_stock_threshold: int | None = Field(None, ge=0, le=100_000)
