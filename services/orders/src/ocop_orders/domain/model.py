"""Showrooms, the product read model, stock balances, lots, sales and withdrawals."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator

from ocop_shared.contracts.catalog import CertificateStatus
from ocop_shared.contracts.orders import PaymentMethod, SalesChannel, StockMovement


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class Kiosk(_Model):
    code: str
    name: str


class FairPoint(_Model):
    """A showroom that is a booth at a fair: its sales count toward that trade event."""

    trade_event_id: str
    booth_code: str | None = None


class BankAccount(_Model):
    """Where VietQR transfers for this showroom's sales go."""

    bank_bin: str
    """The bank's 6-digit NAPAS BIN (e.g. 970405 Agribank)."""
    account_number: str
    account_name: str


class Showroom(_Model):
    id: str
    code: str
    """Short code printed on receipts (e.g. VT for Việt Trì)."""
    name: str
    address: str
    province: str
    kiosks: list[Kiosk] = []
    fair: FairPoint | None = None
    accepts_key_farm_products: bool = False
    """Also sells key farm products carrying a traceability stamp (Việt Trì policy)."""
    low_stock_threshold: int | None = None
    near_expiry_days: int | None = None
    commission_percent: int = 10
    """Share of consignment sales the showroom keeps; the rest is owed to the producer."""
    bank: BankAccount | None = None
    active: bool = True
    created_at: datetime
    version: int = 1

    @property
    def channel(self) -> SalesChannel:
        return SalesChannel.FAIR if self.fair else SalesChannel.SHOWROOM


class CertificateInfo(_Model):
    """The product's current certificate as told by certification events."""

    certificate_id: str
    number: str
    stars: int | None = None
    valid_until: date | None = None
    status: CertificateStatus
    reason: str | None = None
    """Why it ended, in words for the till (the shared mirror's ``status_reason``)."""
    valid_from: date | None = None
    level: str | None = None
    issuing_authority: str | None = None
    decision_number: str | None = None
    expiry_reminder_on: date | None = None
    superseded_by: str | None = None

    def status_on(self, day: date) -> CertificateStatus:
        """An active certificate past its end date counts as expired, event or not."""
        if (
            self.status is CertificateStatus.ACTIVE
            and self.valid_until is not None
            and day > self.valid_until
        ):
            return CertificateStatus.EXPIRED
        return self.status


class Product(_Model):
    """The orders service's own read model of a product (from certification and catalogue)."""

    id: str
    name: str
    producer_id: str
    producer_name: str | None = None
    gtin: str | None = None
    unit: str | None = None
    suggested_price_vnd: int | None = None
    group_code: str | None = None
    key_farm_product: bool = False
    traceability_url: str | None = None
    certificate: CertificateInfo | None = None
    certificate_sequence: int = 0
    listed_for_showrooms: bool = False
    """The catalogue's showroom policy: "showroom" in its eligible channels."""
    catalog_sequence: int = 0
    catalog_reason: str | None = None
    # Marketplace connectors (from the catalogue's listing content).
    listed_for_marketplace: bool = False
    """The catalogue's marketplace policy: "marketplace" in its eligible channels."""
    description: str | None = None
    image_url: str | None = None
    pack_size: str | None = None
    province: str | None = None

    @property
    def perishable(self) -> bool:
        return (self.group_code or "").startswith("food")


class Lot(_Model):
    id: str
    showroom_id: str
    product_id: str
    lot_code: str
    expires_on: date | None = None
    on_hand: int = 0
    quarantined: int = 0
    in_transit: int = 0
    received_at: datetime


class Balance(_Model):
    """Per showroom and product; every figure is the sum of the ledger's entries."""

    showroom_id: str
    product_id: str
    producer_id: str
    on_hand: int = 0
    reserved: int = 0
    quarantined: int = 0
    in_transit: int = 0
    price_vnd: int | None = None
    low_stock_threshold: int | None = None
    low_alert_open: bool = False
    version: int = 0
    updated_at: datetime | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def available(self) -> int:
        return max(self.on_hand - self.reserved, 0)


class LedgerEntry(_Model):
    id: str
    showroom_id: str
    product_id: str
    lot_id: str | None
    movement: StockMovement
    bucket: str
    """on_hand, quarantined or in_transit: the balance figure this entry changes."""
    delta: int
    reference: str | None = None
    reason: str | None = None
    by: str
    at: datetime


class SaleLotTake(_Model):
    lot_id: str
    quantity: int


class SaleLine(_Model):
    product_id: str
    product_name: str
    producer_id: str
    quantity: int
    unit_price_vnd: int
    discount_vnd: int
    line_total_vnd: int
    lots: list[SaleLotTake] = []
    returned: int = 0
    shelf_price_vnd: int | None = None
    """Set when the line was sold below the shelf price, with the reason given."""
    price_reason: str | None = None


class Payment(_Model):
    method: PaymentMethod
    reference: str | None = None
    tendered_vnd: int | None = None
    change_vnd: int = 0
    confirmed_at: datetime | None = None
    """Bank transfers: when the operator saw the money arrive (None: not checked yet)."""
    confirmed_by: str | None = None


class SaleStatus(StrEnum):
    COMPLETED = "completed"
    VOIDED = "voided"


class ReturnRecord(_Model):
    id: str
    lines: list[dict[str, int | str]]
    refund_vnd: int
    reason: str
    restocked: bool
    at: datetime
    by: str
    idempotency_key: str | None = None


class Sale(_Model):
    id: str
    showroom_id: str
    receipt_number: str
    channel: SalesChannel
    kiosk_code: str | None = None
    lines: list[SaleLine]
    subtotal_vnd: int
    discount_vnd: int
    total_vnd: int
    payment: Payment
    status: SaleStatus = SaleStatus.COMPLETED
    returns: list[ReturnRecord] = []
    refunded_vnd: int = 0
    void_reason: str | None = None
    sold_at: datetime
    sold_by: str
    business_day: date
    trade_event_id: str | None = None
    booth_code: str | None = None
    idempotency_key: str
    fingerprint: str
    version: int = 1

    @field_validator("sold_at")
    @classmethod
    def _stored_precision(cls, value: datetime) -> datetime:
        return to_stored_precision(value)


def to_stored_precision(at: datetime) -> datetime:
    """``at`` in milliseconds, what MongoDB keeps: the first answer to a sale and every
    idempotent replay of it then say the same time."""
    return at.replace(microsecond=at.microsecond - at.microsecond % 1000)


class WithdrawalStatus(StrEnum):
    OPEN = "open"
    RETURNED_TO_PRODUCER = "returned_to_producer"
    RELEASED = "released"


class Withdrawal(_Model):
    """Stock taken off sale into quarantine; the operator returns it to the producer."""

    id: str
    showroom_id: str
    product_id: str
    product_name: str
    producer_id: str
    quantity: int
    reason: str
    certificate_id: str | None = None
    lots: list[SaleLotTake] = []
    status: WithdrawalStatus = WithdrawalStatus.OPEN
    created_at: datetime
    closed_at: datetime | None = None
    closed_by: str | None = None
    note: str | None = None


class TransferStatus(StrEnum):
    IN_TRANSIT = "in_transit"
    RECEIVED = "received"


class TransferLine(_Model):
    product_id: str
    producer_id: str
    lot_code: str
    expires_on: date | None
    quantity: int


class Transfer(_Model):
    id: str
    from_showroom_id: str
    to_showroom_id: str
    lines: list[TransferLine]
    status: TransferStatus = TransferStatus.IN_TRANSIT
    note: str | None = None
    created_at: datetime
    created_by: str
    received_at: datetime | None = None
    received_by: str | None = None


class Alert(_Model):
    kind: str
    """low_stock, near_expiry, expired, withdrawal"""
    showroom_id: str
    product_id: str
    product_name: str
    detail: str
    severity: str = Field(default="warn")
