"""Handlers for a dossier's steps before and between scoring.

Each handler loads, decides with the domain and saves in one unit of work; a dossier is
saved only if its version (and score-sheet revision) is what was read, so concurrent steps
on one dossier serialise instead of overwriting each other.
"""

from __future__ import annotations

from ocop_certification.domain.commands import (
    CheckDossier,
    CreateDossier,
    TransferDossier,
    UpdateDossier,
)
from ocop_certification.domain.dossiers import (
    EDITABLE,
    Action,
    Dossier,
    DossierStatus,
    PastStage,
    apply,
)
from ocop_certification.domain.events import DossierSubmitted
from ocop_certification.domain.rules import validate_sheet
from ocop_certification.service_layer.context import (
    LEVEL_NAMES_VI,
    STAFF,
    Context,
    ensure_may_edit,
    ensure_province,
    ensure_staff,
    step,
)
from ocop_certification.service_layer.handlers import new_id
from ocop_certification.service_layer.unit_of_work import UnitOfWork, run_in_unit_of_work
from ocop_shared.auth import Principal, ensure_producer_scope
from ocop_shared.errors import ConflictError, InvalidStateError, ValidationFailedError


async def create_dossier(ctx: Context, command: CreateDossier, by: Principal) -> Dossier:
    async def work(uow: UnitOfWork) -> Dossier:
        product = await uow.repository.get_product(command.product_id)
        ensure_producer_scope(by, product.producer_id)
        round_ = await uow.repository.get_round(command.round_id, field="body.round_id")
        rule_set = ctx.rules.get(round_.rule_set)
        if round_.level != rule_set.levels[0]:
            raise ValidationFailedError(
                f"Hồ sơ mới nộp vào đợt cấp {LEVEL_NAMES_VI[rule_set.levels[0]]}",
                field="body.round_id",
            )
        code = command.subgroup_code or product.subgroup_code
        if code is None:
            raise ValidationFailedError(
                "Cần phân nhóm sản phẩm để chọn bộ tiêu chí", field="body.subgroup_code"
            )
        subgroup = ctx.rules.taxonomy_of(rule_set).subgroup(code)
        if subgroup.sector_1048 != product.group_code:
            raise ValidationFailedError(
                f"Phân nhóm {code} không thuộc ngành '{product.group_code}' của sản phẩm",
                field="body.subgroup_code",
            )
        if await uow.repository.open_dossier_of(product.id) is not None:
            raise ConflictError(
                "Sản phẩm đang có hồ sơ chưa kết thúc; không mở hồ sơ thứ hai",
                field="body.product_id",
            )
        assessment = None
        if command.self_assessment is not None:
            assessment = validate_sheet(
                rule_set,
                subgroup.criteria_set,
                command.self_assessment,
                field_prefix="body.self_assessment",
            )
        dossier = Dossier(
            id=new_id("hs"),
            product_id=product.id,
            producer_id=product.producer_id,
            round_id=round_.id,
            level=round_.level,
            rule_set=rule_set.key,
            subgroup_code=code,
            criteria_set=subgroup.criteria_set,
            registration=command.registration,
            self_assessment=assessment,
            created_by=by.subject,
        )
        await uow.repository.add_dossier(dossier)
        return dossier

    return await run_in_unit_of_work(ctx.runtime, work)


async def update_dossier(
    ctx: Context, dossier_id: str, command: UpdateDossier, by: Principal
) -> Dossier:
    async def work(uow: UnitOfWork) -> Dossier:
        dossier = await uow.repository.get_dossier(dossier_id)
        ensure_may_edit(by, dossier)
        if dossier.status not in EDITABLE:
            raise InvalidStateError(
                "Chỉ sửa được hồ sơ đang soạn (hoặc được trả lại)", field="status"
            )
        changes: dict[str, object] = {"version": dossier.version + 1}
        if command.registration is not None:
            changes["registration"] = command.registration
        if command.self_assessment is not None:
            changes["self_assessment"] = validate_sheet(
                ctx.rules.get(dossier.rule_set),
                dossier.criteria_set,
                command.self_assessment,
                field_prefix="body.self_assessment",
            )
        updated = dossier.model_copy(update=changes)
        await uow.repository.save_dossier(updated, expected=dossier)
        return updated

    return await run_in_unit_of_work(ctx.runtime, work)


async def submit(ctx: Context, dossier_id: str, by: Principal) -> Dossier:
    async def decide(uow: UnitOfWork, dossier: Dossier) -> Dossier:
        ensure_may_edit(by, dossier)
        updated = apply(dossier, Action.SUBMIT, by=by.subject, at=ctx.clock.now())
        round_ = await uow.repository.get_round(dossier.round_id)
        today = ctx.clock.today()
        if today > round_.submission_deadline and not by.has_any(*STAFF):
            raise InvalidStateError(
                f"Đã quá hạn nộp hồ sơ của đợt ({round_.submission_deadline:%d/%m/%Y})",
                field="round_id",
            )
        if dossier.self_assessment is None:
            raise ValidationFailedError(
                "Cần báo cáo tự đánh giá trước khi nộp", field="self_assessment"
            )
        uow.raise_event(DossierSubmitted(updated))
        return updated

    return await step(ctx, dossier_id, decide)


async def return_for_changes(ctx: Context, dossier_id: str, reason: str, by: Principal) -> Dossier:
    async def decide(uow: UnitOfWork, dossier: Dossier) -> Dossier:
        ensure_staff(by)
        return apply(dossier, Action.RETURN, by=by.subject, at=ctx.clock.now(), reason=reason)

    return await step(ctx, dossier_id, decide)


async def check(ctx: Context, dossier_id: str, command: CheckDossier, by: Principal) -> Dossier:
    async def decide(uow: UnitOfWork, dossier: Dossier) -> Dossier:
        ensure_staff(by)
        return apply(
            dossier,
            Action.CHECK,
            by=by.subject,
            at=ctx.clock.now(),
            reason=command.note,
            commune_inputs=command.commune_inputs,
        )

    return await step(ctx, dossier_id, decide)


async def start_evaluation(ctx: Context, dossier_id: str, by: Principal) -> Dossier:
    async def decide(uow: UnitOfWork, dossier: Dossier) -> Dossier:
        ensure_province(by)
        updated = apply(dossier, Action.START_EVALUATION, by=by.subject, at=ctx.clock.now())
        round_ = await uow.repository.get_round(dossier.round_id)
        if round_.level == ctx.rules.get(dossier.rule_set).pre_check_level:
            raise InvalidStateError(
                "Cấp xã chỉ tiếp nhận và kiểm tra hồ sơ; hãy chuyển lên cấp tỉnh",
                field="status",
            )
        if not round_.council:
            raise InvalidStateError("Đợt đánh giá chưa có hội đồng", field="round_id")
        return updated

    return await step(ctx, dossier_id, decide)


async def forward_after_pre_check(
    ctx: Context, dossier_id: str, by: Principal, reason: str | None
) -> Dossier:
    async def decide(uow: UnitOfWork, dossier: Dossier) -> Dossier:
        ensure_staff(by)
        rule_set = ctx.rules.get(dossier.rule_set)
        if dossier.status is DossierStatus.CHECKED and dossier.level != rule_set.pre_check_level:
            raise InvalidStateError(
                "Chỉ hồ sơ ở cấp tiếp nhận (xã) được chuyển lên mà không chấm điểm",
                field="status",
            )
        if dossier.status is DossierStatus.SCORED:
            raise InvalidStateError(
                "Hồ sơ đã chấm điểm: dùng bước kết luận (finalise)", field="status"
            )
        return apply(dossier, Action.FORWARD, by=by.subject, at=ctx.clock.now(), reason=reason)

    return await step(ctx, dossier_id, decide)


async def transfer(
    ctx: Context, dossier_id: str, command: TransferDossier, by: Principal
) -> Dossier:
    async def decide(uow: UnitOfWork, dossier: Dossier) -> Dossier:
        ensure_province(by)
        # an illegal step is refused before anything else is looked at
        apply(dossier, Action.TRANSFER, by=by.subject, at=ctx.clock.now())
        target = await uow.repository.get_round(command.round_id, field="body.round_id")
        rule_set = ctx.rules.get(dossier.rule_set)
        levels = list(rule_set.levels)
        expected = levels[levels.index(dossier.level) + 1] if dossier.level in levels else None
        if target.level != expected:
            raise ValidationFailedError(
                f"Hồ sơ được chuyển lên cấp {LEVEL_NAMES_VI[expected] if expected else '—'}, "
                f"không phải cấp {LEVEL_NAMES_VI[target.level]}",
                field="body.round_id",
            )
        return apply(
            dossier,
            Action.TRANSFER,
            by=by.subject,
            at=ctx.clock.now(),
            round_id=target.id,
            level=target.level,
            previous_round_ids=(*dossier.previous_round_ids, dossier.round_id),
            past_stages=(
                *dossier.past_stages,
                PastStage(
                    round_id=dossier.round_id,
                    level=dossier.level,
                    result=dossier.result,
                    decision=dossier.decision,
                ),
            ),
            result=None,
            decision=None,
        )

    return await step(ctx, dossier_id, decide)
