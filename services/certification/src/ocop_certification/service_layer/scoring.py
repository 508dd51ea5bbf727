"""Council score sheets, the closing of scoring and the level's decision (with certificate)."""

from __future__ import annotations

from ocop_certification.domain.commands import FinaliseDossier, IssueCertificate, SubmitScoreSheet
from ocop_certification.domain.dossiers import Action, Dossier, DossierStatus, ScoreSheet, apply
from ocop_certification.domain.events import DossierScored
from ocop_certification.domain.model import Certificate
from ocop_certification.domain.rules import (
    Outcome,
    RoundLevel,
    decide_at_level,
    score,
    validate_sheet,
)
from ocop_certification.service_layer.context import Context, ensure_province, step
from ocop_certification.service_layer.handlers import issue_within
from ocop_certification.service_layer.unit_of_work import UnitOfWork, run_in_unit_of_work
from ocop_shared.auth import Principal, Role
from ocop_shared.contracts.certification import RecognitionLevel
from ocop_shared.errors import ForbiddenError, InvalidStateError, ValidationFailedError

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
            ensure_province(by)
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
        ensure_province(by)
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

    return await step(ctx, dossier_id, decide)


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
        ensure_province(by)
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

    return await step(ctx, dossier_id, decide)


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
    return await issue_within(uow, issue, by, ctx.clock.today(), dossier_id=dossier.id)
