"""Buyer demands, producer supply offers and the matches between them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class BuyerKind(StrEnum):
    SUPERMARKET = "supermarket"
    DISTRIBUTOR = "distributor"
    EXPORTER = "exporter"
    TRADE_CENTRE = "trade_centre"
    OTHER = "other"


BUYER_KIND_LABELS = {
    BuyerKind.SUPERMARKET: "Siêu thị",
    BuyerKind.DISTRIBUTOR: "Nhà phân phối",
    BuyerKind.EXPORTER: "Doanh nghiệp xuất khẩu",
    BuyerKind.TRADE_CENTRE: "Trung tâm thương mại",
    BuyerKind.OTHER: "Khác",
}


class Demand(BaseModel):
    """A buyer's standing need (nhu cầu), quantities in kg per month, prices in VND per kg."""

    model_config = ConfigDict(frozen=True)

    id: str
    buyer_id: str
    buyer_name: str
    buyer_kind: BuyerKind
    title: str
    keywords: str = ""
    group_code: str | None = None
    monthly_volume_kg: int
    price_min_vnd: int | None = None
    price_max_vnd: int | None = None
    min_stars: int = 0
    standards: list[str] = []
    delivery_province: str
    season_months: list[int] = []
    """Months (1–12) the buyer needs supply; empty: all year."""
    trade_event_id: str | None = None
    open: bool = True
    created_at: datetime


class Offer(BaseModel):
    """A producer's supply offer (chào bán): capacity per month, season, price, MOQ."""

    model_config = ConfigDict(frozen=True)

    id: str
    producer_id: str
    producer_name: str
    product_id: str | None = None
    title: str
    keywords: str = ""
    group_code: str | None = None
    capacity_kg_per_month: int
    season_months: list[int] = []
    price_vnd: int
    moq_kg: int = 0
    stars: int = 0
    """From the product read model when the offer names a product; never from the producer."""
    standards: list[str] = []
    province: str
    open: bool = True
    created_at: datetime


class MatchStage(StrEnum):
    PROPOSED = "proposed"
    CONTACTED = "contacted"
    MEETING = "meeting"
    DEAL_SIGNED = "deal_signed"
    DECLINED = "declined"


STAGE_LABELS = {
    MatchStage.PROPOSED: "Đề xuất",
    MatchStage.CONTACTED: "Đã liên hệ",
    MatchStage.MEETING: "Gặp gỡ, đàm phán",
    MatchStage.DEAL_SIGNED: "Đã ký kết",
    MatchStage.DECLINED: "Không tiếp tục",
}

_ORDER = [MatchStage.PROPOSED, MatchStage.CONTACTED, MatchStage.MEETING, MatchStage.DEAL_SIGNED]


def may_move(current: MatchStage, target: MatchStage) -> bool:
    """Forward only (skipping allowed); declining from any open stage; ends are final."""
    if current in (MatchStage.DEAL_SIGNED, MatchStage.DECLINED):
        return False
    if target is MatchStage.DECLINED:
        return True
    return _ORDER.index(target) > _ORDER.index(current)


class ScorePart(BaseModel):
    """One line of a match's explanation: what was compared, how well, in words."""

    model_config = ConfigDict(frozen=True)

    criterion: str
    weight: float
    score: float
    explanation: str


class Match(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    demand_id: str
    offer_id: str
    buyer_id: str
    buyer_name: str
    producer_id: str
    producer_name: str
    product_id: str | None = None
    demand_title: str
    offer_title: str
    group_code: str | None = None
    trade_event_id: str | None = None
    score: float
    parts: list[ScorePart]
    stage: MatchStage = MatchStage.PROPOSED
    deal_value_vnd: int | None = None
    signed_on: date | None = None
    reason: str | None = None
    note: str | None = None
    proposed_at: datetime
    updated_at: datetime
    version: int = 1
