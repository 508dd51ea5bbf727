"""The demo data (`data/*.yaml`, `data/catalog_content.csv`) as typed, validated models.

Every file is read once and checked strictly (unknown keys are errors), so a typo in the data
fails the unit tests rather than a demo. The models hold values only; what must be computed
when seeding (dates relative to today, council sheets landing on an average) is in the
section modules, next to the calls that use it.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from functools import cache
from importlib.resources import files
from typing import Any, Literal

import yaml  # type: ignore[import-untyped]
from pydantic import BaseModel, ConfigDict, Field

from ocop_shared.contracts.certification import LegalForm, RecognitionLevel


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# -- certification: certified products -------------------------------------------------------


class Revocation(_Data):
    """Thu hồi giấy chứng nhận sau hậu kiểm."""

    decision_number: str
    decision_date: date
    reason: str
    issuing_authority: str


class Certificate(_Data):
    """A recognition decision; later ones for the same product supersede earlier ones."""

    stars: int = Field(ge=3, le=5)
    level: RecognitionLevel
    issuing_authority: str
    decision_number: str
    decision_date: date
    revocation: Revocation | None = None


class CertifiedProduct(_Data):
    name: str
    group_code: str
    """Sector code of 1048/QĐ-TTg: food, drink, herbs, cloth, keepsake, travel."""
    commune: str
    certificates: tuple[Certificate, ...]
    gtin: str | None = None
    province: str | None = None
    """Defaults to the producer's province."""


class Producer(_Data):
    name: str
    legal_form: LegalForm
    tax_code: str
    province: str
    commune: str
    district: str | None = None
    gln: str | None = None
    products: tuple[CertifiedProduct, ...]


class Certificates(_Data):
    producers: tuple[Producer, ...]


# -- certification: evaluations ----------------------------------------------------------------


class CouncilMember(_Data):
    full_name: str
    role: str


class Council(_Data):
    chair_role: str
    members: tuple[CouncilMember, ...]
    """After the chair, in order."""


class RoundCouncil(_Data):
    prefix: str
    chair: str


class Round(_Data):
    key: str
    level: Literal["commune", "district", "province", "central"]
    province: str
    district: str | None = None
    commune: str | None = None
    year: int
    number: int
    opens_on: date
    submission_deadline: date
    scoring_deadline: date
    council: RoundCouncil


class LegalRepresentative(_Data):
    full_name: str
    is_woman: bool
    is_ethnic_minority: bool


class EvaluatedProduct(_Data):
    name: str
    subgroup_code: str
    """Sub-group of 148/QĐ-TTg."""


class EvaluatedProducer(_Data):
    name: str
    legal_form: LegalForm
    tax_code: str
    province: str
    district: str
    commune: str
    legal_representative: LegalRepresentative
    products: tuple[EvaluatedProduct, ...]


class Decision(_Data):
    decision_number: str
    decision_date: date
    issuing_authority: str


class Stage(_Data):
    """One level's work on a dossier: the council's average and, if recognised, the decision."""

    round: str
    average: float = Field(ge=0, le=100)
    commune_inputs: dict[str, bool] = {}
    decision: Decision | None = None
    failed_mandatory: str | None = None
    """A mandatory criterion every member scores 0 (shows the cap)."""
    sheets: int | None = None
    """Stop after this many sheets (scoring still open); None: every member, then close."""


class Evaluation(_Data):
    product: str
    producer_tax_code: str
    subgroup_code: str
    target_stars: int = Field(ge=3, le=5)
    description: str
    stages: tuple[Stage, ...] = Field(min_length=1)


class PlanTarget(_Data):
    province: str
    district: str | None = None
    year: int
    plan_reference: str
    new_products: int
    upgrades_3_to_4: int
    upgrades_4_to_5: int
    re_evaluations: int | None = None
    cumulative_total: int
    communes_target: int
    communes_total: int


class Evaluations(_Data):
    council: Council
    score_spread: tuple[float, ...]
    """Each member's offset from the stage's average (the average stays the stage's)."""
    rounds: tuple[Round, ...]
    producers: tuple[EvaluatedProducer, ...]
    evaluations: tuple[Evaluation, ...]
    plan_targets: tuple[PlanTarget, ...]

    def round(self, key: str) -> Round:
        return next(r for r in self.rounds if r.key == key)


# -- orders ------------------------------------------------------------------------------------


class Kiosks(_Data):
    count: int = Field(ge=1)
    code: str
    """A format of ``n`` (1…count), e.g. ``K{n:02d}``."""
    name: str


class BankAccount(_Data):
    bank_bin: str
    account_number: str
    account_name: str


class Showroom(_Data):
    code: str
    name: str
    address: str
    province: str
    kiosks: Kiosks
    quantity: int = Field(ge=1)
    """Units received of each product."""
    accepts_key_farm_products: bool = False
    low_stock_threshold: int | None = None
    near_expiry_days: int
    commission_percent: int
    bank: BankAccount


class Receiving(_Data):
    note: str
    lot_prefix: str
    low_quantity: int
    low_every: int
    low_offset: int
    near_expiry_every: int
    near_expiry_offset: int
    near_expiry_days: int
    shelf_life_days: int
    fallback_price_vnd: int
    default_prices_vnd: dict[str, int]


class Receipt(_Data):
    method: Literal["cash", "bank_transfer", "card"]
    quantity: int = Field(ge=1)
    kiosk: str
    reference: str | None = None


class Sales(_Data):
    min_on_shelf: int
    receipts: tuple[Receipt, ...]


class Listings(_Data):
    first: str
    products: int
    channels: tuple[str, ...]
    stock: int


class Address(_Data):
    province: str
    commune: str
    street: str


class Buyer(_Data):
    name: str
    phone: str
    address: Address


class OnlineOrder(_Data):
    plan: Literal["placed", "confirmed", "shipped", "cancelled"]
    buyer: Buyer
    quantity: int = Field(ge=1)
    payment: Literal["cod", "prepaid"]


class OnlineOrders(_Data):
    showroom: str
    min_on_shelf: int
    shipping_fee_vnd: int
    fallback_price_vnd: int
    shipping_service: str
    cancel_reason: str
    orders: tuple[OnlineOrder, ...]


class Showrooms(_Data):
    showrooms: tuple[Showroom, ...]
    receiving: Receiving
    sales: Sales
    listings: Listings
    online_orders: OnlineOrders


# -- events ------------------------------------------------------------------------------------


class Zone(_Data):
    zone: str
    prefix: str
    booths: int = Field(ge=1)
    size_m2: int
    groups: tuple[str, ...]
    """Product groups (1048 sector codes) shown in the zone."""


class TradeEvent(_Data):
    key: str
    kind: Literal["fair", "sales_week", "forum", "exhibition", "livestream"]
    name: str
    venue: str
    province: str
    organiser: str
    starts_in_days: int
    days: int = Field(ge=1)
    registration_from_days: int
    registration_to_days: int
    zones: tuple[Zone, ...] = ()
    description: str | None = None


class TradeBuyer(_Data):
    name: str
    kind: str


class Demand(_Data):
    buyer: str
    """Key of `buyers`."""
    title: str
    keywords: str
    group_code: str | None = None
    monthly_volume_kg: int
    price_min_vnd: int
    price_max_vnd: int
    min_stars: int
    delivery_province: str
    season_months: tuple[int, ...] = ()
    standards: tuple[str, ...] = ()
    at_forum: bool = True


class Offer(_Data):
    product_name: str
    """Name of the catalogue product (DOMAIN.md §11) the offer is for; also its title."""
    keywords: str
    group_code: str
    capacity_kg_per_month: int
    price_vnd: int
    moq_kg: int
    province: str = "Phú Thọ"
    season_months: tuple[int, ...] = ()
    standards: tuple[str, ...] = ()


class PipelineStep(_Data):
    offer: str
    demand: str
    stage: Literal["contacted", "meeting", "deal_signed"]
    deal_value_vnd: int | None = None


class TradePromotion(_Data):
    events: tuple[TradeEvent, ...]
    buyers: dict[str, TradeBuyer]
    demands: tuple[Demand, ...]
    offers: tuple[Offer, ...]
    pipeline: tuple[PipelineStep, ...]

    def event(self, key: str) -> TradeEvent:
        return next(e for e in self.events if e.key == key)


# -- catalogue ---------------------------------------------------------------------------------


class ContentRow(_Data):
    """The columns of `catalog_content.csv` the seeder needs to know (the file goes as is)."""

    ma_san_pham: str
    ten_san_pham: str


# -- all of it ---------------------------------------------------------------------------------

CATALOG_CONTENT = "catalog_content.csv"


def data_file(name: str) -> bytes:
    return files("ocop_platform.seeding").joinpath("data", name).read_bytes()


def _yaml(name: str) -> Any:
    return yaml.safe_load(data_file(name))


class DemoData(_Data):
    certificates: Certificates
    evaluations: Evaluations
    catalog_content: tuple[ContentRow, ...]
    showrooms: Showrooms
    trade_promotion: TradePromotion

    def registered_product_names(self) -> list[str]:
        """Products the demo registers in certification (certified and under evaluation)."""
        return [p.name for producer in self.certificates.producers for p in producer.products] + [
            p.name for producer in self.evaluations.producers for p in producer.products
        ]

    def catalogue_only_ids(self) -> list[str]:
        """Products only the catalogue's content file brings (key farm products, own ids)."""
        return [row.ma_san_pham for row in self.catalog_content if row.ma_san_pham]


@cache
def demo_data() -> DemoData:
    rows = csv.DictReader(io.StringIO(data_file(CATALOG_CONTENT).decode("utf-8")))
    return DemoData(
        certificates=Certificates.model_validate(_yaml("certificates.yaml")),
        evaluations=Evaluations.model_validate(_yaml("evaluations.yaml")),
        catalog_content=tuple(
            ContentRow(ma_san_pham=r["ma_san_pham"], ten_san_pham=r["ten_san_pham"]) for r in rows
        ),
        showrooms=Showrooms.model_validate(_yaml("showrooms.yaml")),
        trade_promotion=TradePromotion.model_validate(_yaml("trade_promotion.yaml")),
    )
