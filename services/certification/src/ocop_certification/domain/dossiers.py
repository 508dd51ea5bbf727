"""Dossiers (hồ sơ) and their state machine; every transition is audited (who, when, why)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from ocop_certification.domain.labels import TITLES
from ocop_certification.domain.rules import LevelDecision, RoundLevel, ScoreResult
from ocop_shared.errors import InvalidStateError
from ocop_shared.text import MultilineText, Text


class DossierStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHECKED = "checked"
    UNDER_EVALUATION = "under_evaluation"
    SCORED = "scored"
    RECOGNISED = "recognised"
    NOT_RECOGNISED = "not_recognised"
    FORWARDED = "forwarded"


STATUS_LABELS_VI = {
    DossierStatus.DRAFT: "Đang soạn",
    DossierStatus.SUBMITTED: "Đã nộp",
    DossierStatus.CHECKED: "Đã kiểm tra",
    DossierStatus.UNDER_EVALUATION: "Đang đánh giá",
    DossierStatus.SCORED: "Đã chấm điểm",
    DossierStatus.RECOGNISED: "Được công nhận",
    DossierStatus.NOT_RECOGNISED: "Không được công nhận",
    DossierStatus.FORWARDED: "Chuyển cấp trên",
}


class Action(StrEnum):
    SUBMIT = "submit"
    RETURN = "return"
    CHECK = "check"
    START_EVALUATION = "start_evaluation"
    CLOSE_SCORING = "close_scoring"
    RECOGNISE = "recognise"
    NOT_RECOGNISE = "not_recognise"
    FORWARD = "forward"
    TRANSFER = "transfer"


_S = DossierStatus
TRANSITIONS: dict[Action, tuple[frozenset[DossierStatus], DossierStatus]] = {
    Action.SUBMIT: (frozenset({_S.DRAFT}), _S.SUBMITTED),
    # the checking officer sends an incomplete dossier back to the producer, with a reason
    Action.RETURN: (frozenset({_S.SUBMITTED}), _S.DRAFT),
    Action.CHECK: (frozenset({_S.SUBMITTED}), _S.CHECKED),
    Action.START_EVALUATION: (frozenset({_S.CHECKED}), _S.UNDER_EVALUATION),
    Action.CLOSE_SCORING: (frozenset({_S.UNDER_EVALUATION}), _S.SCORED),
    Action.RECOGNISE: (frozenset({_S.SCORED}), _S.RECOGNISED),
    Action.NOT_RECOGNISE: (frozenset({_S.SCORED}), _S.NOT_RECOGNISED),
    # after scoring over the threshold, or straight after the commune pre-check (1489)
    Action.FORWARD: (frozenset({_S.SCORED, _S.CHECKED}), _S.FORWARDED),
    # a forwarded dossier joins a round of the next level, already checked
    Action.TRANSFER: (frozenset({_S.FORWARDED}), _S.CHECKED),
}

ACTION_LABELS_VI = {
    Action.SUBMIT: "Nộp hồ sơ",
    Action.RETURN: "Trả lại để bổ sung",
    Action.CHECK: "Kiểm tra, xác nhận hồ sơ",
    Action.START_EVALUATION: "Đưa ra hội đồng đánh giá",
    Action.CLOSE_SCORING: "Tổng hợp kết quả chấm điểm",
    Action.RECOGNISE: "Công nhận",
    Action.NOT_RECOGNISE: "Không công nhận",
    Action.FORWARD: "Chuyển cấp trên",
    Action.TRANSFER: "Tiếp nhận vào đợt cấp trên",
}

EDITABLE = frozenset({_S.DRAFT})
CLOSED = frozenset({_S.RECOGNISED, _S.NOT_RECOGNISED})


class Transition(BaseModel):
    """One audited step of a dossier: who did what, when and why."""

    model_config = ConfigDict(frozen=True)

    action: Action
    from_status: DossierStatus | None
    to_status: DossierStatus
    by: str
    at: datetime
    reason: str | None = None
    round_id: str | None = None


class CommuneInputs(BaseModel):
    """What the commune supplies for scoring (Chiêm Hóa plan), checked before evaluation."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, field_title_generator=TITLES
    )

    product_origin: MultilineText | None = Field(None, max_length=500)
    local_raw_materials: bool = False
    local_labour: bool = False
    idea_origin: MultilineText | None = Field(None, max_length=500)
    local_identity: MultilineText | None = Field(None, max_length=500)
    distribution_organisation: MultilineText | None = Field(None, max_length=500)
    main_distribution_area: Text | None = Field(None, max_length=200)
    representative_woman_or_ethnic_minority: bool = False
    business_growth: MultilineText | None = Field(None, max_length=500)
    value_added: MultilineText | None = Field(None, max_length=500)

    def bonus_inputs(self) -> dict[str, bool]:
        return {
            "local_raw_materials": self.local_raw_materials,
            "local_labour": self.local_labour,
            "representative_woman_or_ethnic_minority": (
                self.representative_woman_or_ethnic_minority
            ),
        }


class Registration(BaseModel):
    """Phiếu đăng ký sản phẩm tham gia đánh giá."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, field_title_generator=TITLES
    )

    description: MultilineText = Field(min_length=10, max_length=5000)
    target_stars: int = Field(ge=3, le=5)
    production_capacity: Text | None = Field(None, max_length=300)
    raw_materials: MultilineText | None = Field(None, max_length=1000)
    contact_person: Text | None = Field(None, max_length=120)


class EvidenceKind(StrEnum):
    REGISTRATION_FORM = "registration_form"
    SELF_ASSESSMENT = "self_assessment"
    BUSINESS_REGISTRATION = "business_registration"
    QUALITY_TEST = "quality_test"
    TRADEMARK = "trademark"
    TRACEABILITY = "traceability"
    PRODUCT_PHOTO = "product_photo"
    OTHER = "other"


EVIDENCE_LABELS_VI = {
    EvidenceKind.REGISTRATION_FORM: "Phiếu đăng ký",
    EvidenceKind.SELF_ASSESSMENT: "Báo cáo tự đánh giá",
    EvidenceKind.BUSINESS_REGISTRATION: "Đăng ký kinh doanh",
    EvidenceKind.QUALITY_TEST: "Kết quả kiểm nghiệm",
    EvidenceKind.TRADEMARK: "Nhãn hiệu",
    EvidenceKind.TRACEABILITY: "Truy xuất nguồn gốc",
    EvidenceKind.PRODUCT_PHOTO: "Ảnh sản phẩm",
    EvidenceKind.OTHER: "Khác",
}


class EvidenceRef(BaseModel):
    """A document stored in GridFS; the dossier keeps its reference and metadata."""

    model_config = ConfigDict(frozen=True)

    file_id: str
    filename: str
    content_type: str
    size: int
    part: str | None = None
    kind: EvidenceKind
    uploaded_by: str
    uploaded_at: datetime


class PastStage(BaseModel):
    """The result a lower level reached before it forwarded the dossier upward."""

    model_config = ConfigDict(frozen=True)

    round_id: str
    level: RoundLevel
    result: ScoreResult | None
    decision: LevelDecision | None


class Dossier(BaseModel):
    """A product's dossier in one evaluation; it can climb levels after forwarding."""

    model_config = ConfigDict(frozen=True)

    id: str
    product_id: str
    producer_id: str
    round_id: str
    level: RoundLevel
    rule_set: str
    subgroup_code: str
    criteria_set: str
    status: DossierStatus = DossierStatus.DRAFT
    registration: Registration
    self_assessment: dict[str, float] | None = None
    commune_inputs: CommuneInputs | None = None
    evidence: tuple[EvidenceRef, ...] = ()
    result: ScoreResult | None = None
    decision: LevelDecision | None = None
    certificate_id: str | None = None
    previous_round_ids: tuple[str, ...] = ()
    past_stages: tuple[PastStage, ...] = ()
    history: tuple[Transition, ...] = ()
    created_by: str
    version: int = 1
    sheets_revision: int = 0
    """Bumped with every score sheet so a sheet and the closing of scoring conflict."""


class IllegalTransitionError(InvalidStateError):
    code = "illegal-transition"


def apply(
    dossier: Dossier,
    action: Action,
    *,
    by: str,
    at: datetime,
    reason: str | None = None,
    **changes: object,
) -> Dossier:
    """The dossier after `action`, or a clear refusal naming the current state."""
    allowed_from, to_status = TRANSITIONS[action]
    if dossier.status not in allowed_from:
        raise IllegalTransitionError(
            f"Không thể '{ACTION_LABELS_VI[action]}' khi hồ sơ đang ở trạng thái "
            f"'{STATUS_LABELS_VI[dossier.status]}'",
            field="status",
        )
    step = Transition(
        action=action,
        from_status=dossier.status,
        to_status=to_status,
        by=by,
        at=at,
        reason=reason,
        round_id=str(changes.get("round_id", dossier.round_id)),
    )
    return dossier.model_copy(
        update={
            **changes,
            "status": to_status,
            "history": (*dossier.history, step),
            "version": dossier.version + 1,
        }
    )


class ScoreSheet(BaseModel):
    """One council member's scores for one dossier in one round (phiếu chấm điểm)."""

    model_config = ConfigDict(frozen=True)

    id: str
    dossier_id: str
    round_id: str
    member: str
    scores: dict[str, float]
    total: float
    comment: str | None = None
    submitted_at: datetime
    entered_by: str | None = None
    """Set when the council's secretary typed in a member's paper sheet."""
