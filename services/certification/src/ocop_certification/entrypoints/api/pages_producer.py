"""Producer self-service in the console: register a dossier, fill it, attach evidence.

Every form calls the same service-layer handlers as the API, so the producer-scope check
(``ensure_producer_scope``) guards the browser exactly as it guards ``/api/v1``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from ocop_certification.adapters.evidence import EvidenceStore
from ocop_certification.adapters.repository import CertificationRepository
from ocop_certification.config import CertificationSettings
from ocop_certification.domain.commands import CreateDossier, UpdateDossier
from ocop_certification.domain.dossiers import EvidenceKind
from ocop_certification.domain.rounds import Round
from ocop_certification.domain.rules import RuleBook
from ocop_certification.entrypoints.api.deps import Ctx
from ocop_certification.entrypoints.api.form_errors import form_error, form_text
from ocop_certification.entrypoints.api.page_auth import (
    STAFF_ROLES,
    page,
    principal,
    sign_in_redirect,
)
from ocop_certification.entrypoints.api.pages import render_dossier
from ocop_certification.service_layer import dossiers as handlers
from ocop_certification.service_layer import evidence
from ocop_shared.auth import Principal, Role
from ocop_shared.errors import DomainError

router = APIRouter(include_in_schema=False)
Id = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]

REGISTRATION_FIELDS = ("description", "production_capacity", "raw_materials", "contact_person")


def open_rounds(rounds: list[Round], rules: RuleBook, today: date) -> list[Round]:
    """Rounds taking new dossiers today: open, before the deadline, at the first level."""
    return [
        r
        for r in rounds
        if r.opens_on <= today <= r.submission_deadline
        and r.level == rules.get(r.rule_set).levels[0]
    ]


def _may_register(who: Principal) -> bool:
    return who.has_any(Role.PRODUCER, Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER)


def _registration(form: dict[str, str]) -> dict[str, Any]:
    fields: dict[str, Any] = {k: form.get(k) or None for k in REGISTRATION_FIELDS}
    fields["target_stars"] = form.get("target_stars") or None
    return fields


@router.get("/ho-so/moi", response_class=HTMLResponse)
async def new_dossier_form(
    request: Request,
    ctx: Ctx,
    product_id: Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_-]*$")] = None,
) -> Response:
    who = principal(request)
    if who is None:
        return sign_in_redirect(request)
    return await _new_form(request, ctx, who, {"product_id": product_id or ""})


async def _new_form(
    request: Request,
    ctx: Ctx,
    who: Principal,
    form: dict[str, str],
    *,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    if not _may_register(who):
        raise HTTPException(403, "Trang dành cho chủ thể và cán bộ OCOP")
    repository = CertificationRepository(ctx.runtime.db)
    own = None if who.has_any(*STAFF_ROLES) else (who.producer_id or "-")
    products = await repository.list_products(producer_id=own, skip=0, limit=500)
    rounds = open_rounds(await repository.list_rounds(year=None), ctx.rules, ctx.clock.today())
    response = page(
        request,
        "dossier_new.html",
        who,
        products=products,
        rounds=rounds,
        form=form,
        error=error,
    )
    response.status_code = status_code
    return response


@router.post("/ho-so/moi", response_class=HTMLResponse)
async def create_dossier(request: Request, ctx: Ctx) -> Response:
    who = principal(request)
    if who is None:
        return sign_in_redirect(request)
    raw = await request.form()
    form = {str(k): form_text(raw, str(k)) for k in raw}
    if not _may_register(who):
        raise HTTPException(403, "Trang dành cho chủ thể và cán bộ OCOP")
    try:
        command = CreateDossier.model_validate(
            {
                "product_id": form.get("product_id", ""),
                "round_id": form.get("round_id", ""),
                "subgroup_code": form.get("subgroup_code") or None,
                "registration": _registration(form),
            }
        )
        dossier = await handlers.create_dossier(ctx, command, who)
    except (DomainError, ValidationError) as exc:
        error, status = form_error(exc)
        return await _new_form(request, ctx, who, form, error=error, status_code=status)
    return RedirectResponse(f"/ho-so/{dossier.id}?da_tao=1", status_code=303)


@router.post("/ho-so/{dossier_id}/tu-danh-gia", response_class=HTMLResponse)
async def save_draft(request: Request, ctx: Ctx, dossier_id: Id) -> Response:
    """Registration details and self-assessment scores of a draft."""
    who = principal(request)
    if who is None:
        return sign_in_redirect(request)
    raw = await request.form()
    form = {str(k): form_text(raw, str(k)) for k in raw}
    try:
        scores = {
            k.removeprefix("self_"): float(v.replace(",", "."))
            for k, v in form.items()
            if k.startswith("self_") and v
        }
    except ValueError:
        return await render_dossier(
            request,
            ctx,
            who,
            dossier_id,
            error="Điểm tự đánh giá phải là số (ví dụ 4 hoặc 3,5)",
            status_code=422,
        )
    try:
        command = UpdateDossier.model_validate(
            {"registration": _registration(form), "self_assessment": scores or None}
        )
        await handlers.update_dossier(ctx, dossier_id, command, who)
    except (DomainError, ValidationError) as exc:
        error, status = form_error(exc)
        return await render_dossier(request, ctx, who, dossier_id, error=error, status_code=status)
    return RedirectResponse(f"/ho-so/{dossier_id}?da_luu=1", status_code=303)


@router.post("/ho-so/{dossier_id}/minh-chung", response_class=HTMLResponse)
async def upload_evidence(request: Request, ctx: Ctx, dossier_id: Id) -> Response:
    """One evidence file, with the API's type and size limits (GridFS bucket ``evidence``)."""
    who = principal(request)
    if who is None:
        return sign_in_redirect(request)
    settings: CertificationSettings = request.app.state.settings
    form = await request.form()
    upload = form.get("file")
    kind = form_text(form, "kind")
    part = form_text(form, "part") or None
    if not isinstance(upload, UploadFile) or not upload.filename:
        error = "Hãy chọn tệp minh chứng"
    elif kind not in {k.value for k in EvidenceKind}:
        error = "Hãy chọn loại minh chứng"
    elif part not in {None, "A", "B", "C"}:
        error = "Phần tiêu chí phải là A, B hoặc C"
    else:
        content = await upload.read(settings.evidence_max_bytes + 1)
        try:
            await evidence.attach_evidence(
                ctx,
                dossier_id,
                store=EvidenceStore(ctx.runtime.db),
                filename=upload.filename[:200],
                content=content,
                content_type=upload.content_type or "application/octet-stream",
                kind=EvidenceKind(kind),
                part=part,
                limits=(settings.evidence_max_bytes, settings.evidence_content_types),
                by=who,
            )
        except DomainError as exc:
            return await render_dossier(
                request, ctx, who, dossier_id, error=exc.detail, status_code=exc.status
            )
        return RedirectResponse(f"/ho-so/{dossier_id}?da_tai=1", status_code=303)
    return await render_dossier(request, ctx, who, dossier_id, error=error, status_code=422)
