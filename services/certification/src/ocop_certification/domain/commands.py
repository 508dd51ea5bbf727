"""Commands the certification service accepts, validated at the edge."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from ocop_certification.domain.dossiers import CommuneInputs, Registration
from ocop_certification.domain.labels import TITLES
from ocop_certification.domain.model import Contact, LegalRepresentative
from ocop_shared.contracts.certification import LegalForm, RecognitionLevel
from ocop_shared.identifiers import is_gln, is_gtin, is_tax_code
from ocop_shared.text import MultilineText, Text

_NAME = Field(min_length=2, max_length=200)
_PLACE = Field(min_length=2, max_length=100)


class _Command(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, field_title_generator=TITLES
    )


class RegisterProducer(_Command):
    name: Text = _NAME
    legal_form: LegalForm
    tax_code: Text = Field(description="Mã số thuế / mã số doanh nghiệp (10 hoặc 13 chữ số)")
    province: Text = _PLACE
    commune: Text = _PLACE
    district: Text | None = Field(None, max_length=100, description="Huyện (dữ liệu cũ)")
    gln: Text | None = None
    legal_representative: LegalRepresentative | None = None
    contacts: tuple[Contact, ...] = Field((), max_length=10)

    @field_validator("tax_code")
    @classmethod
    def _tax_code(cls, value: str) -> str:
        if not is_tax_code(value):
            raise ValueError("mã số thuế phải gồm 10 chữ số (hoặc 10-3 cho chi nhánh)")
        return value

    @field_validator("gln")
    @classmethod
    def _gln(cls, value: str | None) -> str | None:
        if value is not None and not is_gln(value):
            raise ValueError("GLN phải có 13 chữ số với số kiểm tra GS1 đúng")
        return value


class RegisterProduct(_Command):
    producer_id: Text = Field(min_length=1, max_length=64)
    name: Text = _NAME
    group_code: Text | None = Field(
        None,
        min_length=1,
        max_length=32,
        pattern=r"^[a-z0-9_.-]+$",
        description="Mã ngành 1048 (food, drink, herbs, cloth, keepsake, travel); "
        "suy ra từ phân nhóm nếu bỏ trống",
    )
    subgroup_code: Text | None = Field(
        None, max_length=16, pattern=r"^[0-9]+(\.[0-9]+)*$", description="Phân nhóm theo 148"
    )
    province: Text = _PLACE
    commune: Text = _PLACE
    district: Text | None = Field(None, max_length=100, description="Huyện (dữ liệu cũ)")
    gtin: Text | None = None

    @field_validator("gtin")
    @classmethod
    def _gtin(cls, value: str | None) -> str | None:
        if value is not None and not is_gtin(value):
            raise ValueError("GTIN phải có 8, 12, 13 hoặc 14 chữ số với số kiểm tra GS1 đúng")
        return value


class IssueCertificate(_Command):
    product_id: Text = Field(min_length=1, max_length=64)
    stars: int = Field(ge=3, le=5, description="Chỉ sản phẩm 3–5 sao được cấp giấy chứng nhận")
    level: RecognitionLevel
    issuing_authority: Text = Field(min_length=2, max_length=200)
    decision_number: Text = Field(min_length=1, max_length=64)
    decision_date: date
    certificate_number: Text | None = Field(None, min_length=1, max_length=64)


class RevokeCertificate(_Command):
    decision_number: Text = Field(min_length=1, max_length=64)
    decision_date: date
    reason: MultilineText = Field(min_length=3, max_length=1000)
    issuing_authority: Text = Field(min_length=2, max_length=200)


CriterionCode = Annotated[Text, StringConstraints(pattern=r"^[A-Z][0-9]{1,2}$")]
Points = Annotated[float, Field(allow_inf_nan=False)]
SafeId = Annotated[
    Text, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
]


class CreateDossier(_Command):
    """Đăng ký hồ sơ đánh giá sản phẩm vào một đợt."""

    product_id: SafeId
    round_id: SafeId
    subgroup_code: Text | None = Field(None, max_length=16, pattern=r"^[0-9]+(\.[0-9]+)*$")
    registration: Registration
    self_assessment: dict[CriterionCode, Points] | None = Field(None, max_length=60)


class UpdateDossier(_Command):
    registration: Registration | None = None
    self_assessment: dict[CriterionCode, Points] | None = Field(None, max_length=60)


class Reason(_Command):
    reason: MultilineText = Field(min_length=3, max_length=2000)


class CheckDossier(_Command):
    commune_inputs: CommuneInputs
    note: MultilineText | None = Field(None, max_length=2000)


class SubmitScoreSheet(_Command):
    scores: dict[CriterionCode, Points] = Field(max_length=60)
    comment: MultilineText | None = Field(None, max_length=2000)


class FinaliseDossier(_Command):
    """The level's decision; a recognition needs the decision's number, date and authority."""

    decision_number: Text | None = Field(None, min_length=1, max_length=64)
    decision_date: date | None = None
    issuing_authority: Text | None = Field(None, min_length=2, max_length=200)
    reason: MultilineText | None = Field(None, max_length=2000)


class TransferDossier(_Command):
    round_id: SafeId
