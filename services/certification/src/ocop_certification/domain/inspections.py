"""Post-recognition inspections (hậu kiểm) and what a violation leads to."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ocop_certification.domain.commands import RevokeCertificate
from ocop_certification.domain.labels import TITLES
from ocop_shared.text import MultilineText, Text


class FindingCategory(StrEnum):
    """Grounds for revocation named in DOMAIN.md §5."""

    PRODUCTION_PROCESS = "production_process"
    FOOD_SAFETY = "food_safety"
    QUALITY_OR_PACKAGING = "quality_or_packaging"
    STOPPED_OPERATING = "stopped_operating"
    TRACEABILITY = "traceability"
    LABEL_OR_MARK_MISUSE = "label_or_mark_misuse"
    OTHER = "other"


FINDING_LABELS_VI = {
    FindingCategory.PRODUCTION_PROCESS: "Không tuân thủ quy trình sản xuất",
    FindingCategory.FOOD_SAFETY: "Vi phạm an toàn thực phẩm",
    FindingCategory.QUALITY_OR_PACKAGING: "Chất lượng, bao bì không như khi được công nhận",
    FindingCategory.STOPPED_OPERATING: "Chủ thể ngừng hoạt động",
    FindingCategory.TRACEABILITY: "Thiếu hồ sơ truy xuất nguồn gốc",
    FindingCategory.LABEL_OR_MARK_MISUSE: "Sử dụng sai nhãn, biểu trưng OCOP",
    FindingCategory.OTHER: "Khác",
}


class InspectionOutcome(StrEnum):
    COMPLIANT = "compliant"
    VIOLATION = "violation"


class Finding(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, field_title_generator=TITLES
    )

    category: FindingCategory
    description: MultilineText = Field(min_length=3, max_length=2000)


class RecordInspection(BaseModel):
    """An inspection; a violation must come with the revocation decision it leads to."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, field_title_generator=TITLES
    )

    product_id: Text = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    certificate_id: Text | None = Field(
        None,
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="Giấy chứng nhận được hậu kiểm; nếu có, vi phạm chỉ thu hồi đúng giấy này",
    )
    inspected_on: date
    authority: Text = Field(min_length=2, max_length=200)
    inspectors: tuple[Text, ...] = Field((), max_length=20)
    outcome: InspectionOutcome
    findings: tuple[Finding, ...] = Field((), max_length=50)
    revocation: RevokeCertificate | None = None

    @model_validator(mode="after")
    def _violation_has_findings_and_decision(self) -> RecordInspection:
        if self.outcome is InspectionOutcome.VIOLATION:
            if not self.findings:
                raise ValueError("vi phạm cần ít nhất một phát hiện (findings)")
            if self.revocation is None:
                raise ValueError("vi phạm cần quyết định thu hồi (revocation)")
        elif self.revocation is not None:
            raise ValueError("không thu hồi khi kết quả hậu kiểm là đạt")
        return self


class Inspection(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    product_id: str
    producer_id: str
    certificate_id: str | None
    inspected_on: date
    authority: str
    inspectors: tuple[str, ...]
    outcome: InspectionOutcome
    findings: tuple[Finding, ...]
    revoked_certificate_id: str | None = None
    recorded_by: str
    recorded_at: datetime
