"""Commands the events service accepts, validated at the edge (unknown fields refused)."""

from __future__ import annotations

from datetime import date
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ocop_events.domain.labels import TITLES
from ocop_events.domain.model import EligibilityRules
from ocop_shared.contracts.events import TradeEventKind
from ocop_shared.text import MultilineText, Text

_ID = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
_TEXT = Field(min_length=2, max_length=200)
_REASON = Field(min_length=3, max_length=1000)


class _Command(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, field_title_generator=TITLES
    )


class CreateTradeEvent(_Command):
    kind: TradeEventKind
    name: Text = _TEXT
    venue: Text = _TEXT
    province: Text = Field(min_length=2, max_length=100)
    organiser: Text = _TEXT
    starts_on: date
    ends_on: date
    registration_opens: date
    registration_closes: date
    rules: EligibilityRules = EligibilityRules()
    description: MultilineText | None = Field(None, max_length=4000)

    @model_validator(mode="after")
    def _dates_in_order(self) -> Self:
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on: ngày kết thúc phải sau ngày bắt đầu")
        if self.registration_closes < self.registration_opens:
            raise ValueError("registration_closes: hạn đăng ký phải sau ngày mở đăng ký")
        if self.registration_closes > self.ends_on:
            raise ValueError("registration_closes: hạn đăng ký phải trước khi sự kiện kết thúc")
        return self


class GenerateBooths(_Command):
    """Bulk booth generation for one zone: prefix A, 1..50 → A01 … A50."""

    zone: Text = Field(min_length=1, max_length=40)
    prefix: Text = Field(min_length=1, max_length=8, pattern=r"^[A-Z][A-Z0-9-]*$")
    first: int = Field(1, ge=1, le=999)
    last: int = Field(ge=1, le=999)
    size_m2: int = Field(9, ge=1, le=500)

    @model_validator(mode="after")
    def _range(self) -> Self:
        if self.last < self.first:
            raise ValueError("last: số cuối phải lớn hơn hoặc bằng số đầu")
        if self.last - self.first >= 500:
            raise ValueError("last: tối đa 500 gian mỗi lần")
        return self


class RegisterParticipation(_Command):
    producer_id: Text = _ID
    producer_name: Text | None = Field(None, min_length=2, max_length=200)
    product_ids: list[Text] = Field(min_length=1, max_length=50)
    note: MultilineText | None = Field(None, max_length=1000)

    @field_validator("product_ids")
    @classmethod
    def _ids(cls, value: list[str]) -> list[str]:
        for item in value:
            if not (1 <= len(item) <= 64) or not item.replace("-", "").replace("_", "").isalnum():
                raise ValueError("mã sản phẩm không hợp lệ")
        if len(set(value)) != len(value):
            raise ValueError("mã sản phẩm bị lặp")
        return value


class ConfirmParticipation(_Command):
    booth_code: Text | None = Field(
        None, min_length=1, max_length=16, pattern=r"^[A-Z0-9][A-Z0-9-]*$"
    )
    """The booth to allocate; the first free one (by code) when omitted."""


class MoveBooth(_Command):
    booth_code: Text = Field(min_length=1, max_length=16, pattern=r"^[A-Z0-9][A-Z0-9-]*$")


class RejectParticipation(_Command):
    reason: MultilineText = _REASON


class WithdrawParticipation(_Command):
    reason: MultilineText = _REASON


class FileFairReport(_Command):
    """What a participant reports after the event (sales not rung up on the POS, visitors…)."""

    sales_vnd: int = Field(ge=0, le=10**13)
    """Sales not rung up on the fair POS (those arrive as sale events already)."""
    visitors: int = Field(0, ge=0, le=10**7)
    contracts_signed: int = Field(0, ge=0, le=10_000)
    contracts_value_vnd: int = Field(0, ge=0, le=10**14)
    note: MultilineText | None = Field(None, max_length=2000)
