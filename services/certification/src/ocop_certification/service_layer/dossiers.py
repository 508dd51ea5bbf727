"""Handlers for rounds, dossiers, score sheets and the level's decision.

Each handler loads, decides with the domain and saves in one unit of work; a dossier is
saved only if its version (and score-sheet revision) is what was read, so concurrent steps
on one dossier serialise instead of overwriting each other.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from ocop_certification.adapters.evidence import EvidenceStore, check_upload
from ocop_certification.adapters.repository import CertificationRepository
from ocop_certification.domain import certificates
from ocop_certification.domain.commands import (
    CheckDossier,
    CreateDossier,
    FinaliseDossier,
    IssueCertificate,
    SubmitScoreSheet,
    TransferDossier,
    UpdateDossier,
)
from ocop_certification.domain.dossiers import (
    EDITABLE,
    Action,
    Dossier,
    DossierStatus,
    EvidenceKind,
    EvidenceRef,
    PastStage,
    ScoreSheet,
    apply,
)
from ocop_certification.domain.events import DossierScored, DossierSubmitted
from ocop_certification.domain.model import Certificate
from ocop_certification.domain.rounds import OpenRound, Round, SetCouncil
from ocop_certification.domain.rules import (
    Outcome,
    RoundLevel,
    RuleBook,
    decide_at_level,
    score,
    validate_sheet,
)
from ocop_certification.service_layer.handlers import new_id
from ocop_certification.service_layer.unit_of_work import UnitOfWork, run_in_unit_of_work
from ocop_shared.auth import Principal, Role, ensure_producer_scope
from ocop_shared.contracts.certification import RecognitionLevel
from ocop_shared.errors import (
    ConflictError,
    ForbiddenError,
    InvalidStateError,
    ValidationFailedError,
)
from ocop_shared.runtime import ServiceRuntime
from ocop_shared.timeutil import Clock

LEVEL_NAMES_VI = {
    RoundLevel.COMMUNE: "xã",
    RoundLevel.DISTRICT: "huyện",
    RoundLevel.PROVINCE: "tỉnh",
    RoundLevel.CENTRAL: "trung ương",
}


class Context:
    """What every handler needs besides its command: the runtime, the rules and the clock."""

    def __init__(self, runtime: ServiceRuntime, rules: RuleBook, clock: Clock) -> None:
        self.runtime = runtime
        self.rules = rules
        self.clock = clock


# ---------------------------------------------------------------- rounds


async def open_round(ctx: Context, command: OpenRound, by: Principal) -> Round:
    rule_set = ctx.rules.in_force_on(command.opens_on)
    if command.level not in rule_set.levels:
        raise ValidationFailedError(
            f"{rule_set.title} không có cấp {LEVEL_NAMES_VI[command.level]}", field="body.level"
        )
    name = command.name or (
        f"Đợt {command.number}/{command.year} – cấp {LEVEL_NAMES_VI[command.level]} "
        f"{command.commune or command.district or command.province}"
    )
    round_ = Round(
        id=new_id("dot"),
        rule_set=rule_set.key,
        created_by=by.subject,
        **command.model_dump(exclude={"name"}),
        name=name,
    )

    async def work(uow: UnitOfWork) -> Round:
        await uow.repository.add_round(round_)
        return round_

    return await run_in_unit_of_work(ctx.runtime, work)


async def set_council(ctx: Context, round_id: str, command: SetCouncil) -> Round:
    async def work(uow: UnitOfWork) -> Round:
        round_ = await uow.repository.get_round(round_id)
        subjects = [m.subject for m in command.council]
        if len(subjects) != len(set(subjects)):
            raise ValidationFailedError("Thành viên bị trùng", field="body.council")
        updated = round_.model_copy(update={"council": command.council})
        await uow.repository.save_round(updated)
        return updated

    return await run_in_unit_of_work(ctx.runtime, work)


# ---------------------------------------------------------------- dossiers

STAFF = (Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER)


def _ensure_may_edit(by: Principal, dossier: Dossier) -> None:
    ensure_producer_scope(by, dossier.producer_id)


def _ensure_staff(by: Principal) -> None:
    if not by.has_any(*STAFF):
        raise ForbiddenError("Chỉ cán bộ OCOP xã/tỉnh được làm bước này", field="dossier_id")


def _ensure_province(by: Principal) -> None:
    if not by.has_any(Role.PROVINCE_OFFICER):
        raise ForbiddenError("Chỉ cán bộ OCOP tỉnh được làm bước này", field="dossier_id")


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
        _ensure_may_edit(by, dossier)
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


Decide = Callable[[UnitOfWork, Dossier], Awaitable[Dossier]]


async def _step(ctx: Context, dossier_id: str, decide: Decide) -> Dossier:
    async def work(uow: UnitOfWork) -> Dossier:
        dossier = await uow.repository.get_dossier(dossier_id)
        updated = await decide(uow, dossier)
        await uow.repository.save_dossier(updated, expected=dossier)
        return updated

    return await run_in_unit_of_work(ctx.runtime, work)


async def submit(ctx: Context, dossier_id: str, by: Principal) -> Dossier:
    async def decide(uow: UnitOfWork, dossier: Dossier) -> Dossier:
        _ensure_may_edit(by, dossier)
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

    return await _step(ctx, dossier_id, decide)


async def return_for_changes(ctx: Context, dossier_id: str, reason: str, by: Principal) -> Dossier:
    async def decide(uow: UnitOfWork, dossier: Dossier) -> Dossier:
        _ensure_staff(by)
        return apply(dossier, Action.RETURN, by=by.subject, at=ctx.clock.now(), reason=reason)

    return await _step(ctx, dossier_id, decide)


async def check(ctx: Context, dossier_id: str, command: CheckDossier, by: Principal) -> Dossier:
    async def decide(uow: UnitOfWork, dossier: Dossier) -> Dossier:
        _ensure_staff(by)
        return apply(
            dossier,
            Action.CHECK,
            by=by.subject,
            at=ctx.clock.now(),
            reason=command.note,
            commune_inputs=command.commune_inputs,
        )

    return await _step(ctx, dossier_id, decide)


async def start_evaluation(ctx: Context, dossier_id: str, by: Principal) -> Dossier:
    async def decide(uow: UnitOfWork, dossier: Dossier) -> Dossier:
        _ensure_province(by)
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

    return await _step(ctx, dossier_id, decide)


async def forward_after_pre_check(
    ctx: Context, dossier_id: str, by: Principal, reason: str | None
) -> Dossier:
    async def decide(uow: UnitOfWork, dossier: Dossier) -> Dossier:
        _ensure_staff(by)
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

    return await _step(ctx, dossier_id, decide)


async def transfer(
    ctx: Context, dossier_id: str, command: TransferDossier, by: Principal
) -> Dossier:
    async def decide(uow: UnitOfWork, dossier: Dossier) -> Dossier:
        _ensure_province(by)
        # an illegal step is refused before anything else is looked at
        apply(dossier, Action.TRANSFER, by=by.subject, at=ctx.clock.now())
        target = await uow.repository.get_round(command.round_id, field="body.round_id")
        rule_set = ctx.rules.get(dossier.rule_set)
        levels = list(rule_set.levels)
        expected = levels[levels.index(dossier.level) + 1] if dossier.level in levels else None
        if target.level != expected:
            raise ValidationFailedError(
                f"Hồ sơ được chuyển lên cấp {expected}, không phải {target.level}",
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

    return await _step(ctx, dossier_id, decide)


# ---------------------------------------------------------------- scoring


async def submit_score_sheet(
    ctx: Context,
    dossier_id: str,
    command: SubmitScoreSheet,
    by: Principal,
    *,
    on_behalf_of: str | None = None,
) -> ScoreSheet:
    """A council member's sheet; resubmitting before the result is closed replaces it.

    A province officer acting as the council's secretary may type in a member's paper sheet
    (``on_behalf_of``); the sheet then records who entered it.
    """
    member = on_behalf_of or by.subject

    async def work(uow: UnitOfWork) -> ScoreSheet:
        dossier = await uow.repository.get_dossier(dossier_id)
        round_ = await uow.repository.get_round(dossier.round_id)
        if on_behalf_of is None:
            if Role.COUNCIL_MEMBER not in by.roles or not round_.is_member(by.subject):
                raise ForbiddenError(
                    "Bạn không phải thành viên hội đồng của đợt đánh giá hồ sơ này",
                    field="dossier_id",
                )
            if ctx.clock.today() > round_.scoring_deadline:
                # late paper sheets go through the council's secretary, on the record
                raise InvalidStateError(
                    f"Đã quá hạn chấm điểm của đợt ({round_.scoring_deadline:%d/%m/%Y})",
                    field="round_id",
                )
        else:
            _ensure_province(by)
            if not round_.is_member(on_behalf_of):
                raise ValidationFailedError(
                    f"{on_behalf_of} không phải thành viên hội đồng của đợt này", field="member"
                )
        if dossier.status is not DossierStatus.UNDER_EVALUATION:
            raise InvalidStateError("Hồ sơ không trong giai đoạn chấm điểm", field="status")
        scores = validate_sheet(
            ctx.rules.get(dossier.rule_set), dossier.criteria_set, command.scores
        )
        sheet = ScoreSheet(
            id=f"{dossier.id}.{round_.id}.{member}",
            dossier_id=dossier.id,
            round_id=round_.id,
            member=member,
            scores=scores,
            total=round(sum(scores.values()), 2),
            comment=command.comment,
            submitted_at=ctx.clock.now(),
            entered_by=None if on_behalf_of is None else by.subject,
        )
        await uow.repository.put_score_sheet(sheet)
        await uow.repository.bump_sheets_revision(dossier)
        return sheet

    return await run_in_unit_of_work(ctx.runtime, work)


async def close_scoring(ctx: Context, dossier_id: str, by: Principal) -> Dossier:
    """Average the sheets (a quorum of the council), apply the rule set, decide the outcome."""

    async def decide(uow: UnitOfWork, dossier: Dossier) -> Dossier:
        _ensure_province(by)
        # an illegal step is refused before anything else is looked at
        apply(dossier, Action.CLOSE_SCORING, by=by.subject, at=ctx.clock.now())
        round_ = await uow.repository.get_round(dossier.round_id)
        sheets = await uow.repository.score_sheets(dossier.id, round_.id)
        members = {m.subject for m in round_.council}
        sheets = [s for s in sheets if s.member in members]
        if len(sheets) < round_.quorum:
            raise InvalidStateError(
                f"Mới có {len(sheets)}/{len(members)} phiếu chấm; cần ít nhất {round_.quorum}",
                field="score_sheets",
            )
        rule_set = ctx.rules.get(dossier.rule_set)
        inputs = dossier.commune_inputs.bonus_inputs() if dossier.commune_inputs else {}
        result = score(rule_set, dossier.criteria_set, [s.scores for s in sheets], inputs)
        decision = decide_at_level(rule_set, dossier.level, result)
        updated = apply(
            dossier,
            Action.CLOSE_SCORING,
            by=by.subject,
            at=ctx.clock.now(),
            reason=decision.reason,
            result=result,
            decision=decision,
        )
        uow.raise_event(DossierScored(updated))
        return updated

    return await _step(ctx, dossier_id, decide)


_RECOGNITION_LEVEL = {
    RoundLevel.DISTRICT: RecognitionLevel.DISTRICT,
    RoundLevel.PROVINCE: RecognitionLevel.PROVINCE,
    RoundLevel.CENTRAL: RecognitionLevel.CENTRAL,
}


async def finalise(
    ctx: Context, dossier_id: str, command: FinaliseDossier, by: Principal
) -> Dossier:
    """Carry out what the rule set decided: recognise (and certify), refuse, or forward.

    Recognition issues the certificate in the same transaction; the dossier's version check
    and the certificate number's unique index make sure one decision gives one certificate.
    """

    async def decide(uow: UnitOfWork, dossier: Dossier) -> Dossier:
        _ensure_province(by)
        if dossier.status is not DossierStatus.SCORED or dossier.decision is None:
            return apply(dossier, Action.RECOGNISE, by=by.subject, at=ctx.clock.now())
        now = ctx.clock.now()
        outcome = dossier.decision.outcome
        if outcome is Outcome.FORWARDED:
            # where the rule set lets a level recognise what it can while forwarding (e.g. a
            # province's 4★ while the ministry evaluates 5★), that certificate is issued now
            provisional = None
            if dossier.decision.recognised_stars is not None:
                provisional = (await _certify(ctx, uow, dossier, command, by)).id
            return apply(
                dossier,
                Action.FORWARD,
                by=by.subject,
                at=now,
                reason=command.reason,
                certificate_id=provisional or dossier.certificate_id,
            )
        if outcome is Outcome.NOT_RECOGNISED:
            return apply(
                dossier,
                Action.NOT_RECOGNISE,
                by=by.subject,
                at=now,
                reason=command.reason or dossier.decision.reason,
            )
        certificate = await _certify(ctx, uow, dossier, command, by)
        return apply(
            dossier,
            Action.RECOGNISE,
            by=by.subject,
            at=now,
            reason=command.reason or dossier.decision.reason,
            certificate_id=certificate.id,
        )

    return await _step(ctx, dossier_id, decide)


async def _certify(
    ctx: Context, uow: UnitOfWork, dossier: Dossier, command: FinaliseDossier, by: Principal
) -> Certificate:
    assert dossier.decision is not None
    assert dossier.decision.recognised_stars is not None
    missing = [
        name
        for name in ("decision_number", "decision_date", "issuing_authority")
        if getattr(command, name) is None
    ]
    if missing:
        raise ValidationFailedError(
            "Công nhận cần số, ngày quyết định và cơ quan ban hành", field=f"body.{missing[0]}"
        )
    level = _RECOGNITION_LEVEL.get(dossier.level)
    if level is None:
        raise InvalidStateError("Cấp này không công nhận sản phẩm", field="level")
    issue = IssueCertificate(
        product_id=dossier.product_id,
        stars=dossier.decision.recognised_stars,
        level=level,
        issuing_authority=str(command.issuing_authority),
        decision_number=str(command.decision_number),
        decision_date=command.decision_date,
    )
    product = await uow.repository.get_product(dossier.product_id)
    current = await uow.repository.find_certificate(product.current_certificate_id)
    updated, certificate, superseded, issued, superseded_event = certificates.issue(
        product,
        current,
        issue,
        certificate_id=new_id("gcn"),
        issued_by=by.subject,
        today=ctx.clock.today(),
        dossier_id=dossier.id,
    )
    if superseded is not None and superseded_event is not None:
        await uow.repository.save_certificate(superseded)
        uow.raise_event(superseded_event)
    await uow.repository.save_certificate(certificate)
    await uow.repository.save_product(updated, expected_version=product.certification_version)
    uow.raise_event(issued)
    return certificate


# ---------------------------------------------------------------- evidence

EVIDENCE_STATUSES = frozenset({DossierStatus.DRAFT, DossierStatus.SUBMITTED})


async def attach_evidence(
    ctx: Context,
    dossier_id: str,
    *,
    store: EvidenceStore,
    filename: str,
    content: bytes,
    content_type: str,
    kind: EvidenceKind,
    part: str | None,
    limits: tuple[int, tuple[str, ...]],
    by: Principal,
) -> EvidenceRef:
    """Store the file, then reference it from the dossier; a refused reference removes it."""
    repository = CertificationRepository(ctx.runtime.db)
    dossier = await repository.get_dossier(dossier_id)
    _ensure_may_edit(by, dossier)
    if dossier.status not in EVIDENCE_STATUSES:
        raise InvalidStateError(
            "Chỉ bổ sung minh chứng trước khi hồ sơ được kiểm tra", field="status"
        )
    check_upload(content, content_type, max_bytes=limits[0], allowed=limits[1])
    file_id = await store.put(filename, content, content_type, dossier_id)
    ref = EvidenceRef(
        file_id=file_id,
        filename=filename,
        content_type=content_type,
        size=len(content),
        part=part,
        kind=kind,
        uploaded_by=by.subject,
        uploaded_at=ctx.clock.now(),
    )

    async def decide(uow: UnitOfWork, current: Dossier) -> Dossier:
        if current.status not in EVIDENCE_STATUSES:
            raise InvalidStateError("Hồ sơ vừa chuyển trạng thái", field="status")
        if len(current.evidence) >= 50:
            raise ValidationFailedError("Tối đa 50 tệp minh chứng", field="body.file")
        return current.model_copy(
            update={"evidence": (*current.evidence, ref), "version": current.version + 1}
        )

    try:
        await _step(ctx, dossier_id, decide)
    except BaseException:
        await store.delete(file_id)
        raise
    return ref
