"""Handlers for evaluation rounds and their councils."""

from __future__ import annotations

from ocop_certification.domain.rounds import OpenRound, Round, SetCouncil
from ocop_certification.service_layer.context import LEVEL_NAMES_VI, Context
from ocop_certification.service_layer.handlers import new_id
from ocop_certification.service_layer.unit_of_work import UnitOfWork, run_in_unit_of_work
from ocop_shared.auth import Principal
from ocop_shared.errors import ValidationFailedError

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
