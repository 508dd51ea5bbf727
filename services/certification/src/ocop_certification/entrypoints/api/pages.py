"""The certification console, Vietnamese first: dossiers, score sheets, certificates, plans.

Sign-in and the dossier pages; the register and plan pages are in ``pages_register``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from ocop_certification.adapters.repository import CertificationRepository
from ocop_certification.domain.commands import (
    CheckDossier,
    FinaliseDossier,
    Reason,
    SubmitScoreSheet,
    TransferDossier,
)
from ocop_certification.domain.dossiers import (
    ACTION_LABELS_VI,
    EDITABLE,
    EVIDENCE_LABELS_VI,
    STATUS_LABELS_VI,
    CommuneInputs,
    Dossier,
    DossierStatus,
    EvidenceKind,
)
from ocop_certification.domain.rules import RoundLevel
from ocop_certification.entrypoints.api.deps import Ctx
from ocop_certification.entrypoints.api.form_errors import form_error, form_text
from ocop_certification.entrypoints.api.page_auth import (
    page,
    principal,
    sign_in_redirect,
    templates,
)
from ocop_certification.entrypoints.api.routes_oversight import LEVEL_VI
from ocop_certification.service_layer import dossiers as handlers
from ocop_certification.service_layer import scoring
from ocop_certification.service_layer.context import LEVEL_NAMES_VI
from ocop_certification.service_layer.evidence import EVIDENCE_STATUSES
from ocop_shared.auth import Principal, Role
from ocop_shared.errors import DomainError

router = APIRouter(include_in_schema=False)
Id = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


# ---------------------------------------------------------------- dossiers


@router.get("/ho-so", response_class=HTMLResponse)
async def dossier_list(
    request: Request,
    ctx: Ctx,
    round_id: Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_-]*$")] = None,
    status: Annotated[str | None, Query(max_length=32)] = None,
    product_id: Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_-]*$")] = None,
) -> Response:
    who = principal(request)
    if who is None:
        return sign_in_redirect(request)
    repository = CertificationRepository(ctx.runtime.db)
    producer_id = None
    if not who.has_any(Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER, Role.COUNCIL_MEMBER):
        producer_id = who.producer_id or "-"
    chosen = status if status in {s.value for s in DossierStatus} else None
    dossiers = await repository.list_dossiers(
        round_id=round_id or None,
        producer_id=producer_id,
        product_id=product_id or None,
        status=chosen,
        limit=200,
    )
    rounds = {r.id: r for r in await repository.list_rounds(year=None)}
    if Role.COUNCIL_MEMBER in who.roles and not who.has_any(
        Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER
    ):
        dossiers = [
            d
            for d in dossiers
            if d.round_id in rounds and rounds[d.round_id].is_member(who.subject)
        ]
    products = await repository.products_by_id(sorted({d.product_id for d in dossiers}))
    counts: dict[str, int] = defaultdict(int)
    for d in dossiers:
        counts[d.status] += 1
    return page(
        request,
        "dossiers.html",
        who,
        dossiers=dossiers,
        products=products,
        rounds=rounds,
        labels=STATUS_LABELS_VI,
        statuses=list(DossierStatus),
        counts=counts,
        chosen_status=chosen,
        round_id=round_id or "",
        product_id=product_id or "",
        level_vi=LEVEL_VI,
    )


@router.get("/ho-so/{dossier_id}", response_class=HTMLResponse)
async def dossier_detail(request: Request, ctx: Ctx, dossier_id: Id) -> Response:
    who = principal(request)
    if who is None:
        return sign_in_redirect(request)
    return await render_dossier(request, ctx, who, dossier_id)


async def render_dossier(
    request: Request,
    ctx: Ctx,
    who: Principal,
    dossier_id: str,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    repository = CertificationRepository(ctx.runtime.db)
    dossier = await repository.get_dossier(dossier_id)
    round_ = await repository.get_round(dossier.round_id)
    if not who.has_any(Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER):
        if Role.COUNCIL_MEMBER in who.roles and not round_.is_member(who.subject):
            raise HTTPException(403, "Hồ sơ không thuộc đợt bạn chấm")
        if Role.COUNCIL_MEMBER not in who.roles and who.producer_id != dossier.producer_id:
            raise HTTPException(403, "Hồ sơ không thuộc chủ thể của bạn")
    product = await repository.get_product(dossier.product_id)
    producer = await repository.get_producer(dossier.producer_id)
    sheets = await repository.score_sheets(dossier.id, round_.id)
    if not who.has_any(Role.PROVINCE_OFFICER):
        sheets = [s for s in sheets if s.member == who.subject]
    rule_set = ctx.rules.get(dossier.rule_set)
    criteria = rule_set.criteria(dossier.criteria_set)
    sheet_parts = {
        s.id: {
            part: round(sum(s.scores.get(c.code, 0) for c in criteria if c.part == part), 2)
            for part in rule_set.part_maxima
        }
        for s in sheets
    }
    next_rounds = []
    if dossier.status is DossierStatus.FORWARDED:
        levels = list(rule_set.levels)
        if dossier.level in levels and levels.index(dossier.level) + 1 < len(levels):
            upper = levels[levels.index(dossier.level) + 1]
            next_rounds = [
                r
                for r in await repository.list_rounds(year=None)
                if r.level == upper and r.rule_set == dossier.rule_set
            ]
    return templates.TemplateResponse(
        request,
        "dossier.html",
        {
            "who": who,
            "dossier": dossier,
            "round": round_,
            "product": product,
            "producer": producer,
            "sheets": sheets,
            "members": len(round_.council),
            "sheet_count": len(sheets),
            "sheet_parts": sheet_parts,
            "rule_set": rule_set,
            "labels": STATUS_LABELS_VI,
            "actions": ACTION_LABELS_VI,
            "evidence_labels": EVIDENCE_LABELS_VI,
            "criteria_set_vi": CRITERIA_SET_VI,
            "available": _available_actions(who, dossier, rule_set.pre_check_level),
            "next_rounds": next_rounds,
            "error": error,
            "criteria": criteria,
            "level_names": LEVEL_NAMES_VI,
            "sectors": ctx.rules.taxonomy_of(rule_set).sectors_1048,
            "may_edit": dossier.status in EDITABLE
            and who.may_act_for_producer(dossier.producer_id),
            "may_upload": dossier.status in EVIDENCE_STATUSES
            and who.may_act_for_producer(dossier.producer_id),
            "evidence_kinds": list(EvidenceKind),
            "may_score": Role.COUNCIL_MEMBER in who.roles
            and round_.is_member(who.subject)
            and dossier.status is DossierStatus.UNDER_EVALUATION,
        },
        status_code=status_code,
    )


CRITERIA_SET_VI = {"product": "Sản phẩm", "tourism": "Dịch vụ du lịch"}


def _available_actions(who: Principal, dossier: Dossier, pre_check: RoundLevel | None) -> set[str]:
    """The next steps this user may take, so the page offers only buttons that can work."""
    staff = who.has_any(Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER)
    province = who.has_any(Role.PROVINCE_OFFICER)
    owner = who.may_act_for_producer(dossier.producer_id)
    by_status: dict[DossierStatus, set[str]] = {
        DossierStatus.DRAFT: {"submit"} if owner else set(),
        DossierStatus.SUBMITTED: {"check", "return"} if staff else set(),
        DossierStatus.CHECKED: (
            ({"forward"} if staff and dossier.level == pre_check else set())
            | ({"start_evaluation"} if province and dossier.level != pre_check else set())
        ),
        DossierStatus.UNDER_EVALUATION: {"close_scoring"} if province else set(),
        DossierStatus.SCORED: {"finalise"} if province else set(),
        DossierStatus.FORWARDED: {"transfer"} if province else set(),
    }
    return by_status.get(dossier.status, set())


def _form_text(form: Any, name: str) -> str | None:
    return form_text(form, name) or None


@router.post("/ho-so/{dossier_id}/thao-tac", response_class=HTMLResponse)
async def dossier_action(request: Request, ctx: Ctx, dossier_id: Id) -> Response:
    """One form endpoint for the officer's buttons; refusals come back on the page."""
    who = principal(request)
    if who is None:
        return sign_in_redirect(request)
    form = await request.form()
    action = _form_text(form, "action")
    reason = _form_text(form, "reason")
    try:
        if action == "submit":
            await handlers.submit(ctx, dossier_id, who)
        elif action == "return":
            await handlers.return_for_changes(
                ctx, dossier_id, Reason(reason=reason or "").reason, who
            )
        elif action == "check":
            inputs = CommuneInputs(
                product_origin=_form_text(form, "product_origin"),
                local_raw_materials=form.get("local_raw_materials") == "on",
                local_labour=form.get("local_labour") == "on",
                representative_woman_or_ethnic_minority=(
                    form.get("representative_woman_or_ethnic_minority") == "on"
                ),
                main_distribution_area=_form_text(form, "main_distribution_area"),
            )
            await handlers.check(
                ctx, dossier_id, CheckDossier(commune_inputs=inputs, note=reason), who
            )
        elif action == "forward":
            await handlers.forward_after_pre_check(ctx, dossier_id, who, reason)
        elif action == "start_evaluation":
            await handlers.start_evaluation(ctx, dossier_id, who)
        elif action == "close_scoring":
            await scoring.close_scoring(ctx, dossier_id, who)
        elif action == "finalise":
            command = FinaliseDossier.model_validate(
                {
                    "decision_number": _form_text(form, "decision_number"),
                    "decision_date": _form_text(form, "decision_date"),
                    "issuing_authority": _form_text(form, "issuing_authority"),
                    "reason": reason,
                }
            )
            await scoring.finalise(ctx, dossier_id, command, who)
        elif action == "transfer":
            target = TransferDossier(round_id=_form_text(form, "round_id") or "-")
            await handlers.transfer(ctx, dossier_id, target, who)
        else:
            return await render_dossier(
                request, ctx, who, dossier_id, error="Thao tác không hợp lệ", status_code=422
            )
    except (DomainError, ValidationError) as exc:
        error, status = form_error(exc)
        return await render_dossier(request, ctx, who, dossier_id, error=error, status_code=status)
    return RedirectResponse(f"/ho-so/{dossier_id}", status_code=303)


@router.get("/ho-so/{dossier_id}/cham-diem", response_class=HTMLResponse)
async def score_sheet_form(request: Request, ctx: Ctx, dossier_id: Id) -> Response:
    who = principal(request)
    if who is None:
        return sign_in_redirect(request)
    return await _score_form(request, ctx, who, dossier_id, values=None, error=None)


async def _score_form(
    request: Request,
    ctx: Ctx,
    who: Principal,
    dossier_id: str,
    *,
    values: dict[str, str] | None,
    error: str | None,
    status_code: int = 200,
) -> HTMLResponse:
    repository = CertificationRepository(ctx.runtime.db)
    dossier = await repository.get_dossier(dossier_id)
    round_ = await repository.get_round(dossier.round_id)
    if Role.COUNCIL_MEMBER not in who.roles or not round_.is_member(who.subject):
        raise HTTPException(403, "Bạn không phải thành viên hội đồng của đợt này")
    product = await repository.get_product(dossier.product_id)
    mine = next(
        (
            s
            for s in await repository.score_sheets(dossier.id, round_.id)
            if s.member == who.subject
        ),
        None,
    )
    if values is None:
        values = {k: f"{v:g}" for k, v in mine.scores.items()} if mine else {}
    rule_set = ctx.rules.get(dossier.rule_set)
    return templates.TemplateResponse(
        request,
        "score_sheet.html",
        {
            "who": who,
            "dossier": dossier,
            "product": product,
            "round": round_,
            "rule_set": rule_set,
            "criteria": rule_set.criteria(dossier.criteria_set),
            "criteria_set_vi": CRITERIA_SET_VI,
            "values": values,
            "mine": mine,
            "error": error,
            "open": dossier.status is DossierStatus.UNDER_EVALUATION,
        },
        status_code=status_code,
    )


@router.post("/ho-so/{dossier_id}/cham-diem", response_class=HTMLResponse)
async def score_sheet_submit(request: Request, ctx: Ctx, dossier_id: Id) -> Response:
    who = principal(request)
    if who is None:
        return sign_in_redirect(request)
    form = await request.form()
    values = {
        str(k)[6:]: str(v)
        for k, v in form.items()
        if str(k).startswith("score_") and isinstance(v, str)
    }
    comment = form.get("comment")
    try:
        scores = {k: float(v.replace(",", ".")) for k, v in values.items() if v.strip()}
    except ValueError:
        return await _score_form(
            request,
            ctx,
            who,
            dossier_id,
            values=values,
            error="Điểm phải là số (ví dụ 4 hoặc 3,5)",
            status_code=422,
        )
    try:
        command = SubmitScoreSheet(
            scores=scores, comment=comment if isinstance(comment, str) and comment else None
        )
        await scoring.submit_score_sheet(ctx, dossier_id, command, who)
    except (DomainError, ValueError) as exc:
        return await _score_form(
            request, ctx, who, dossier_id, values=values, error=str(exc)[:300], status_code=422
        )
    return RedirectResponse(f"/ho-so/{dossier_id}?da_cham=1", status_code=303)
