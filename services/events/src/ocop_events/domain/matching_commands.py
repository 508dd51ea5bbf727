"""Commands of supply-demand matching: demands, offers, matching runs, pipeline moves."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from ocop_events.domain.labels import TITLES
from ocop_events.domain.matching_model import BuyerKind, MatchStage
from ocop_shared.text import MultilineText, Text

_ID = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
_TEXT = Field(min_length=2, max_length=200)
_GROUP = Field(None, min_length=1, max_length=32, pattern=r"^[a-z0-9_.-]+$")
Standard = Annotated[Text, StringConstraints(min_length=1, max_length=50)]
Month = Annotated[int, Field(ge=1, le=12)]
Money = Annotated[int, Field(ge=0, le=10**10)]


class _Command(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, field_title_generator=TITLES
    )


def _distinct_months(months: list[int]) -> list[int]:
    if len(set(months)) != len(months):
        raise ValueError("season_months: tháng bị lặp")
    return sorted(months)


class PostDemand(_Command):
    """Nhu cầu của người mua: khối lượng kg/tháng, giá VND/kg, mùa vụ, tiêu chuẩn."""

    buyer_id: Text | None = Field(None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")
    """Only staff give it (posting for a buyer); a buyer's own id comes from the token."""
    buyer_name: Text = _TEXT
    buyer_kind: BuyerKind
    title: Text = _TEXT
    keywords: Text = Field("", max_length=500)
    group_code: Text | None = _GROUP
    monthly_volume_kg: int = Field(gt=0, le=10**9)
    price_min_vnd: Money | None = None
    price_max_vnd: Money | None = None
    min_stars: int = Field(0, ge=0, le=5)
    standards: list[Standard] = Field(default_factory=list, max_length=10)
    delivery_province: Text = Field(min_length=2, max_length=100)
    season_months: list[Month] = Field(default_factory=list, max_length=12)
    trade_event_id: Text | None = Field(None, min_length=1, max_length=64)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if (
            self.price_min_vnd is not None
            and self.price_max_vnd is not None
            and self.price_min_vnd > self.price_max_vnd
        ):
            raise ValueError("price_max_vnd: giá trần phải lớn hơn hoặc bằng giá sàn")
        _distinct_months(self.season_months)
        return self


class PostOffer(_Command):
    """Chào bán của chủ thể: năng lực kg/tháng, mùa vụ, giá VND/kg, đơn tối thiểu (MOQ)."""

    producer_id: Text = _ID
    producer_name: Text = _TEXT
    product_id: Text | None = Field(None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    title: Text = _TEXT
    keywords: Text = Field("", max_length=500)
    group_code: Text | None = _GROUP
    capacity_kg_per_month: int = Field(gt=0, le=10**9)
    season_months: list[Month] = Field(default_factory=list, max_length=12)
    price_vnd: int = Field(gt=0, le=10**10)
    moq_kg: int = Field(0, ge=0, le=10**9)
    standards: list[Standard] = Field(default_factory=list, max_length=10)
    province: Text = Field(min_length=2, max_length=100)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        _distinct_months(self.season_months)
        return self


class RunMatching(_Command):
    demand_ids: list[Annotated[Text, StringConstraints(min_length=1, max_length=64)]] | None = (
        Field(None, max_length=1000)
    )
    """Only these demands; every open demand when omitted."""
    per_demand: int = Field(5, ge=1, le=50)
    min_score: float = Field(0.5, ge=0, le=1)


class AdvanceMatch(_Command):
    stage: MatchStage
    deal_value_vnd: int | None = Field(None, gt=0, le=10**14)
    signed_on: date | None = None
    reason: MultilineText | None = Field(None, min_length=3, max_length=1000)
    note: MultilineText | None = Field(None, max_length=2000)

    @model_validator(mode="after")
    def _needs(self) -> Self:
        if self.stage is MatchStage.PROPOSED:
            raise ValueError("stage: không thể quay lại bước đề xuất")
        if self.stage is MatchStage.DEAL_SIGNED and self.deal_value_vnd is None:
            raise ValueError("deal_value_vnd: cần giá trị hợp đồng khi ghi nhận ký kết")
        if self.stage is MatchStage.DECLINED and not self.reason:
            raise ValueError("reason: cần lý do khi không tiếp tục")
        return self
