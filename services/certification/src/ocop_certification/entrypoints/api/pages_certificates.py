"""A certificate's own page: details, the product's history, inspections (hậu kiểm), revocation.

The forms call the same service-layer code as ``POST /api/v1/inspections``: one transaction,
the revocation event through the outbox. Refusals come back on the page, never as a 500.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from ocop_certification.adapters.repository import CertificationRepository
from ocop_certification.domain.inspections import (
    FINDING_LABELS_VI,
    FindingCategory,
    InspectionOutcome,
    RecordInspection,
)
from ocop_certification.domain.model import CertificateStatus
from ocop_certification.entrypoints.api.deps import Ctx
from ocop_certification.entrypoints.api.form_errors import form_error, form_text
from ocop_certification.entrypoints.api.page_auth import (
    STAFF_ROLES,
    page,
    principal,
    sign_in_redirect,
)
from ocop_certification.entrypoints.api.routes_oversight import LEVEL_VI, STATUS_VI
from ocop_certification.service_layer import lifecycle
from ocop_shared.auth import Principal, Role
from ocop_shared.errors import DomainError

router = APIRouter(include_in_schema=False)
Id = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]

OUTCOME_VI = {InspectionOutcome.COMPLIANT: "Đạt", InspectionOutcome.VIOLATION: "Vi phạm"}
RESULT_NOTICES = {
    "dat": "Đã ghi kết quả hậu kiểm: đạt.",
    "thu-hoi": "Đã ghi hậu kiểm và thu hồi giấy chứng nhận. Cửa hàng sẽ từ chối bán sản phẩm "
    "này như sản phẩm OCOP và trang công khai ghi rõ đã thu hồi.",
}


@router.get("/giay-chung-nhan/{certificate_id}", response_class=HTMLResponse)
async def certificate_page(request: Request, ctx: Ctx, certificate_id: Id) -> Response:
    who = principal(request)
    if who is None:
        return sign_in_redirect(request)
    return await _render(request, ctx, who, certificate_id)


async def _render(
    request: Request,
    ctx: Ctx,
    who: Principal,
    certificate_id: str,
    *,
    error: str | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    repository = CertificationRepository(ctx.runtime.db)
    today = ctx.clock.today()
    try:
        certificate = (await repository.get_certificate(certificate_id)).as_of(today)
    except DomainError as exc:
        return HTMLResponse(exc.detail, status_code=exc.status)
    if not who.has_any(*STAFF_ROLES) and not who.may_act_for_producer(certificate.producer_id):
        raise HTTPException(403, "Giấy chứng nhận không thuộc chủ thể của bạn")
    product = await repository.get_product(certificate.product_id)
    producer = await repository.get_producer(certificate.producer_id)
    history = sorted(
        [c.as_of(today) for c in await repository.certificates_of_product(product.id)],
        key=lambda c: (c.decision_date, c.number),
        reverse=True,
    )
    inspections = await repository.inspections_of(product.id)
    may_inspect = who.has_any(Role.PROVINCE_OFFICER)
    revocable = (
        certificate.status is CertificateStatus.ACTIVE
        and product.current_certificate_id == certificate.id
    )
    notice = RESULT_NOTICES.get(request.query_params.get("ket_qua", ""))
    response = page(
        request,
        "certificate.html",
        who,
        certificate=certificate,
        product=product,
        producer=producer,
        history=history,
        inspections=inspections,
        status_vi=STATUS_VI,
        level_vi=LEVEL_VI,
        outcome_vi=OUTCOME_VI,
        finding_labels=FINDING_LABELS_VI,
        may_inspect=may_inspect,
        revocable=revocable,
        today=ctx.clock.today(),
        error=error,
        notice=notice,
        form=form or {},
    )
    response.status_code = status_code
    return response


def _command(form: dict[str, str], product_id: str, certificate_id: str) -> RecordInspection:
    """The form's fields as the API's command (validated by the same model)."""
    violation = form["outcome"] == InspectionOutcome.VIOLATION
    category = form.get("finding_category", "")
    description = form.get("finding_description", "")
    known = category in {c.value for c in FindingCategory}
    if violation and not description and known:
        # The ground itself is a sufficient finding; officers may add details.
        description = FINDING_LABELS_VI[FindingCategory(category)]
    findings = []
    if description or violation:
        findings.append(
            {"category": category or FindingCategory.OTHER.value, "description": description}
        )
    revocation = None
    if violation:
        label = (
            FINDING_LABELS_VI.get(FindingCategory(category))
            if known and category != FindingCategory.OTHER
            else None
        )
        revocation = {
            "decision_number": form.get("decision_number", ""),
            "decision_date": form.get("decision_date") or None,
            "reason": form.get("reason_text") or label or "",
            "issuing_authority": form.get("issuing_authority", ""),
        }
    inspectors = tuple(
        name.strip() for name in form.get("inspectors", "").split(",") if name.strip()
    )
    return RecordInspection.model_validate(
        {
            "product_id": product_id,
            "certificate_id": certificate_id,
            "inspected_on": form.get("inspected_on") or None,
            "authority": form.get("authority", ""),
            "inspectors": inspectors,
            "outcome": form["outcome"],
            "findings": findings,
            "revocation": revocation,
        }
    )


@router.post("/giay-chung-nhan/{certificate_id}/hau-kiem", response_class=HTMLResponse)
async def record_inspection(request: Request, ctx: Ctx, certificate_id: Id) -> Response:
    """Record a hậu kiểm; ``outcome=violation`` with a confirmed decision revokes."""
    who = principal(request)
    if who is None:
        return sign_in_redirect(request)
    raw = await request.form()
    form = {str(k): form_text(raw, str(k)) for k in raw}
    if not who.has_any(Role.PROVINCE_OFFICER):
        return await _render(
            request,
            ctx,
            who,
            certificate_id,
            error="Chỉ cán bộ OCOP cấp tỉnh được ghi hậu kiểm và thu hồi giấy chứng nhận",
            status_code=403,
        )
    if form.get("outcome") not in {o.value for o in InspectionOutcome}:
        return await _render(
            request, ctx, who, certificate_id, error="Hãy chọn kết quả hậu kiểm", status_code=422
        )
    violation = form["outcome"] == InspectionOutcome.VIOLATION
    if violation and form.get("confirm") != "yes":
        return await _render(
            request,
            ctx,
            who,
            certificate_id,
            form=form,
            error="Hãy đánh dấu ô xác nhận thu hồi trước khi bấm Thu hồi",
            status_code=422,
        )
    repository = CertificationRepository(ctx.runtime.db)
    try:
        certificate = await repository.get_certificate(certificate_id)
        command = _command(form, certificate.product_id, certificate.id)
        await lifecycle.record_inspection(ctx.runtime, command, who, ctx.clock)
    except (DomainError, ValidationError) as exc:
        error, status = form_error(exc)
        return await _render(
            request, ctx, who, certificate_id, form=form, error=error, status_code=status
        )
    result = "thu-hoi" if violation else "dat"
    return RedirectResponse(f"/giay-chung-nhan/{certificate_id}?ket_qua={result}", status_code=303)
