"""Evaluation rounds (đợt đánh giá) and their councils."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ocop_certification.domain.labels import TITLES
from ocop_certification.domain.rules import RoundLevel
from ocop_shared.text import Text


class CouncilMember(BaseModel):
    """A member of the evaluation council; ``subject`` is the subject of their login token."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, field_title_generator=TITLES
    )

    subject: Text = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.@:-]+$")
    full_name: Text = Field(min_length=2, max_length=120)
    role: Text = Field("Thành viên", max_length=80)
    """Chủ tịch, Phó Chủ tịch, Thành viên, Thư ký..."""


class Round(BaseModel):
    """A round at one level, judged under the rule set in force on its opening date."""

    model_config = ConfigDict(frozen=True)

    id: str
    level: RoundLevel
    province: str
    district: str | None = None
    commune: str | None = None
    year: int
    number: int
    name: str
    opens_on: date
    submission_deadline: date
    scoring_deadline: date
    rule_set: str
    council: tuple[CouncilMember, ...] = ()
    created_by: str

    def is_member(self, subject: str) -> bool:
        return any(m.subject == subject for m in self.council)

    @property
    def quorum(self) -> int:
        """More than half of the council must have scored before the result is closed."""
        return len(self.council) // 2 + 1 if self.council else 1


class OpenRound(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, field_title_generator=TITLES
    )

    level: RoundLevel
    province: Text = Field(min_length=2, max_length=100)
    district: Text | None = Field(None, max_length=100)
    commune: Text | None = Field(None, max_length=100, description="Xã (đợt tiếp nhận cấp xã)")
    year: int = Field(ge=2013, le=2100)
    number: int = Field(ge=1, le=20)
    name: Text | None = Field(None, max_length=200)
    opens_on: date
    submission_deadline: date
    scoring_deadline: date
    council: tuple[CouncilMember, ...] = Field((), max_length=30)

    @model_validator(mode="after")
    def _dates_in_order(self) -> OpenRound:
        if not self.opens_on <= self.submission_deadline <= self.scoring_deadline:
            raise ValueError("cần: ngày mở ≤ hạn nộp hồ sơ ≤ hạn chấm điểm")
        subjects = [m.subject for m in self.council]
        if len(subjects) != len(set(subjects)):
            raise ValueError("một thành viên hội đồng chỉ được ghi một lần")
        if self.level is RoundLevel.DISTRICT and not self.district:
            raise ValueError("đợt cấp huyện cần tên huyện (district)")
        if self.level is RoundLevel.COMMUNE and not self.commune:
            raise ValueError("đợt cấp xã cần tên xã (commune)")
        return self


class SetCouncil(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", field_title_generator=TITLES)

    council: tuple[CouncilMember, ...] = Field(max_length=30)
