"""REST routes for rule sets, rounds, dossiers, evidence and council score sheets."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Path, Query, Response, UploadFile, status

from ocop_certification.adapters.evidence import EvidenceStore
from ocop_certification.adapters.repository import CertificationRepository
from ocop_certification.domain.commands import (
    CheckDossier,
    CreateDossier,
    FinaliseDossier,
    Reason,
    SubmitScoreSheet,
    TransferDossier,
    UpdateDossier,
)
from ocop_certification.domain.dossiers import (
    Dossier,
    DossierStatus,
    EvidenceKind,
    EvidenceRef,
    ScoreSheet,
)
from ocop_certification.domain.rounds import OpenRound, Round, SetCouncil
from ocop_certification.domain.rules import RuleSet, Taxonomy
from ocop_certification.entrypoints.api.deps import (
    CouncilMember,
    Ctx,
    DossierUser,
    LocalOfficer,
    Officer,
    Settings,
    Staff,
)
from ocop_certification.service_layer import dossiers as handlers
from ocop_certification.service_layer import evidence, rounds, scoring
from ocop_shared.auth import Principal, Role, ensure_producer_scope
from ocop_shared.errors import ForbiddenError, NotFoundError

router = APIRouter(prefix="/api/v1")

Id = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
FileId = Annotated[str, Path(pattern=r"^[0-9a-f]{24}$")]


# ---------------------------------------------------------------- rules


@router.get("/rule-sets", tags=["rules"])
async def rule_sets(ctx: Ctx, _: Staff) -> list[RuleSet]:
    """Các bộ quy tắc đánh giá (1048, 148, 1489) với thang điểm, hạng sao, ngưỡng chuyển cấp."""
    return ctx.rules.rule_sets


@router.get("/taxonomy", tags=["rules"])
async def taxonomy(ctx: Ctx, _: DossierUser) -> Taxonomy:
    """Bộ nhóm / phân nhóm sản phẩm hiện hành và ánh xạ sang mã ngành 1048."""
    return ctx.rules.latest_taxonomy()


# ---------------------------------------------------------------- rounds


@router.post("/rounds", status_code=status.HTTP_201_CREATED, tags=["rounds"])
async def open_round(body: OpenRound, ctx: Ctx, who: Officer) -> Round:
    """Mở đợt đánh giá; bộ quy tắc là bộ có hiệu lực vào ngày mở đợt."""
    return await rounds.open_round(ctx, body, who)


@router.get("/rounds", tags=["rounds"])
async def list_rounds(
    ctx: Ctx, _: DossierUser, year: Annotated[int | None, Query(ge=2013, le=2100)] = None
) -> list[Round]:
    return await CertificationRepository(ctx.runtime.db).list_rounds(year=year)


@router.get("/rounds/{round_id}", tags=["rounds"])
async def get_round(round_id: Id, ctx: Ctx, _: DossierUser) -> Round:
    return await CertificationRepository(ctx.runtime.db).get_round(round_id)


@router.put("/rounds/{round_id}/council", tags=["rounds"])
async def set_council(round_id: Id, body: SetCouncil, ctx: Ctx, _: Officer) -> Round:
    """Thành lập / cập nhật hội đồng đánh giá của đợt."""
    return await rounds.set_council(ctx, round_id, body)


# ---------------------------------------------------------------- dossiers


async def _visible_dossier(ctx: Ctx, dossier_id: str, who: Principal) -> Dossier:
    repository = CertificationRepository(ctx.runtime.db)
    dossier = await repository.get_dossier(dossier_id)
    if who.has_any(Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER):
        return dossier
    if Role.COUNCIL_MEMBER in who.roles:
        round_ = await repository.get_round(dossier.round_id)
        if round_.is_member(who.subject):
            return dossier
        raise ForbiddenError("Hồ sơ không thuộc đợt bạn chấm", field="dossier_id")
    ensure_producer_scope(who, dossier.producer_id)
    return dossier


@router.post("/dossiers", status_code=status.HTTP_201_CREATED, tags=["dossiers"])
async def create_dossier(body: CreateDossier, ctx: Ctx, who: DossierUser) -> Dossier:
    """Đăng ký hồ sơ sản phẩm vào đợt đánh giá (chủ thể cho sản phẩm của mình, hoặc cán bộ)."""
    return await handlers.create_dossier(ctx, body, who)


@router.get("/dossiers", tags=["dossiers"])
async def list_dossiers(
    ctx: Ctx,
    who: DossierUser,
    round_id: Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")] = None,
    status_: Annotated[DossierStatus | None, Query(alias="status")] = None,
    skip: Annotated[int, Query(ge=0, le=100_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[Dossier]:
    """Danh sách hồ sơ; chủ thể chỉ thấy hồ sơ của mình."""
    producer_id = None
    if not who.has_any(Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER, Role.COUNCIL_MEMBER):
        producer_id = who.producer_id or "-"
    repository = CertificationRepository(ctx.runtime.db)
    dossiers = await repository.list_dossiers(
        round_id=round_id,
        producer_id=producer_id,
        status=None if status_ is None else str(status_),
        skip=skip,
        limit=limit,
    )
    if who.has_any(Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER) or producer_id is not None:
        return dossiers
    # a council member sees the dossiers of the rounds they sit on
    mine = {r.id for r in await repository.list_rounds(year=None) if r.is_member(who.subject)}
    return [d for d in dossiers if d.round_id in mine]


@router.get("/dossiers/{dossier_id}", tags=["dossiers"])
async def get_dossier(dossier_id: Id, ctx: Ctx, who: DossierUser) -> Dossier:
    return await _visible_dossier(ctx, dossier_id, who)


@router.patch("/dossiers/{dossier_id}", tags=["dossiers"])
async def update_dossier(
    dossier_id: Id, body: UpdateDossier, ctx: Ctx, who: DossierUser
) -> Dossier:
    """Sửa hồ sơ đang soạn (phiếu đăng ký, tự đánh giá)."""
    return await handlers.update_dossier(ctx, dossier_id, body, who)


@router.post("/dossiers/{dossier_id}/submit", tags=["dossiers"])
async def submit(dossier_id: Id, ctx: Ctx, who: DossierUser) -> Dossier:
    """Nộp hồ sơ (trước hạn nộp của đợt)."""
    return await handlers.submit(ctx, dossier_id, who)


@router.post("/dossiers/{dossier_id}/return", tags=["dossiers"])
async def return_for_changes(dossier_id: Id, body: Reason, ctx: Ctx, who: LocalOfficer) -> Dossier:
    """Trả hồ sơ để chủ thể bổ sung (ghi rõ lý do)."""
    return await handlers.return_for_changes(ctx, dossier_id, body.reason, who)


@router.post("/dossiers/{dossier_id}/check", tags=["dossiers"])
async def check(dossier_id: Id, body: CheckDossier, ctx: Ctx, who: LocalOfficer) -> Dossier:
    """Kiểm tra hồ sơ và ghi thông tin cấp xã cung cấp để chấm điểm."""
    return await handlers.check(ctx, dossier_id, body, who)


@router.post("/dossiers/{dossier_id}/start-evaluation", tags=["dossiers"])
async def start_evaluation(dossier_id: Id, ctx: Ctx, who: Officer) -> Dossier:
    """Đưa hồ sơ ra hội đồng đánh giá."""
    return await handlers.start_evaluation(ctx, dossier_id, who)


@router.post("/dossiers/{dossier_id}/close-scoring", tags=["dossiers"])
async def close_scoring(dossier_id: Id, ctx: Ctx, who: Officer) -> Dossier:
    """Tổng hợp phiếu chấm: điểm trung bình, giới hạn bởi tiêu chí bắt buộc, hạng sao."""
    return await scoring.close_scoring(ctx, dossier_id, who)


@router.post("/dossiers/{dossier_id}/finalise", tags=["dossiers"])
async def finalise(dossier_id: Id, body: FinaliseDossier, ctx: Ctx, who: Officer) -> Dossier:
    """Kết luận của cấp: công nhận (cấp giấy chứng nhận), không công nhận, hoặc chuyển cấp."""
    return await scoring.finalise(ctx, dossier_id, body, who)


@router.post("/dossiers/{dossier_id}/forward", tags=["dossiers"])
async def forward(dossier_id: Id, body: Reason, ctx: Ctx, who: LocalOfficer) -> Dossier:
    """Cấp xã chuyển hồ sơ đã kiểm tra lên cấp tỉnh (1489/QĐ-TTg)."""
    return await handlers.forward_after_pre_check(ctx, dossier_id, who, body.reason)


@router.post("/dossiers/{dossier_id}/transfer", tags=["dossiers"])
async def transfer(dossier_id: Id, body: TransferDossier, ctx: Ctx, who: Officer) -> Dossier:
    """Tiếp nhận hồ sơ được chuyển lên vào một đợt của cấp trên."""
    return await handlers.transfer(ctx, dossier_id, body, who)


# ---------------------------------------------------------------- evidence


@router.post(
    "/dossiers/{dossier_id}/evidence", status_code=status.HTTP_201_CREATED, tags=["dossiers"]
)
async def upload_evidence(
    dossier_id: Id,
    ctx: Ctx,
    settings: Settings,
    who: DossierUser,
    file: Annotated[UploadFile, File(description="PDF, JPEG, PNG, DOCX, XLSX")],
    kind: Annotated[EvidenceKind, Form()],
    part: Annotated[str | None, Form(pattern=r"^[ABC]$")] = None,
) -> EvidenceRef:
    """Tải lên tệp minh chứng (giới hạn dung lượng và loại tệp)."""
    content = await file.read(settings.evidence_max_bytes + 1)
    return await evidence.attach_evidence(
        ctx,
        dossier_id,
        store=EvidenceStore(ctx.runtime.db),
        filename=(file.filename or "minh-chung")[:200],
        content=content,
        content_type=file.content_type or "application/octet-stream",
        kind=kind,
        part=part,
        limits=(settings.evidence_max_bytes, settings.evidence_content_types),
        by=who,
    )


@router.get("/dossiers/{dossier_id}/evidence/{file_id}", tags=["dossiers"])
async def download_evidence(dossier_id: Id, file_id: FileId, ctx: Ctx, who: DossierUser) -> Any:
    dossier = await _visible_dossier(ctx, dossier_id, who)
    ref = next((e for e in dossier.evidence if e.file_id == file_id), None)
    if ref is None:
        raise NotFoundError("Hồ sơ không có tệp này", field="file_id")
    content = await EvidenceStore(ctx.runtime.db).get(file_id)
    return Response(
        content,
        media_type=ref.content_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(ref.filename)}",
            "X-Content-Type-Options": "nosniff",
        },
    )


# ---------------------------------------------------------------- score sheets


@router.put("/dossiers/{dossier_id}/score-sheets/me", tags=["scoring"])
async def submit_score_sheet(
    dossier_id: Id, body: SubmitScoreSheet, ctx: Ctx, who: CouncilMember
) -> ScoreSheet:
    """Phiếu chấm của thành viên hội đồng (nộp lại trước khi tổng hợp thì thay phiếu cũ)."""
    return await scoring.submit_score_sheet(ctx, dossier_id, body, who)


Member = Annotated[str, Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.@:-]+$")]


@router.put("/dossiers/{dossier_id}/score-sheets/by/{member}", tags=["scoring"])
async def enter_paper_score_sheet(
    dossier_id: Id, member: Member, body: SubmitScoreSheet, ctx: Ctx, who: Officer
) -> ScoreSheet:
    """Thư ký hội đồng nhập phiếu chấm giấy của một thành viên (ghi người nhập)."""
    return await scoring.submit_score_sheet(ctx, dossier_id, body, who, on_behalf_of=member)


@router.get("/dossiers/{dossier_id}/score-sheets", tags=["scoring"])
async def score_sheets(dossier_id: Id, ctx: Ctx, who: DossierUser) -> list[ScoreSheet]:
    """Phiếu chấm của hồ sơ: cán bộ thấy tất cả, thành viên hội đồng thấy phiếu của mình."""
    dossier = await _visible_dossier(ctx, dossier_id, who)
    sheets = await CertificationRepository(ctx.runtime.db).score_sheets(
        dossier.id, dossier.round_id
    )
    if who.has_any(Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER):
        return sheets
    if Role.COUNCIL_MEMBER in who.roles:
        return [s for s in sheets if s.member == who.subject]
    return sheets if dossier.status is not DossierStatus.UNDER_EVALUATION else []
