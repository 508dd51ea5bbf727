"""What every handler needs: runtime, rules and clock; role guards; one dossier step."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from ocop_certification.domain.dossiers import Dossier
from ocop_certification.domain.rules import LEVEL_NAMES_VI, RuleBook
from ocop_certification.service_layer.unit_of_work import UnitOfWork, run_in_unit_of_work
from ocop_shared.auth import Principal, Role, ensure_producer_scope
from ocop_shared.errors import ForbiddenError
from ocop_shared.runtime import ServiceRuntime
from ocop_shared.timeutil import Clock

__all__ = ["LEVEL_NAMES_VI", "Context"]


class Context:
    """What every handler needs besides its command: the runtime, the rules and the clock."""

    def __init__(self, runtime: ServiceRuntime, rules: RuleBook, clock: Clock) -> None:
        self.runtime = runtime
        self.rules = rules
        self.clock = clock


STAFF = (Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER)


def ensure_may_edit(by: Principal, dossier: Dossier) -> None:
    ensure_producer_scope(by, dossier.producer_id)


def ensure_staff(by: Principal) -> None:
    if not by.has_any(*STAFF):
        raise ForbiddenError("Chỉ cán bộ OCOP xã/tỉnh được làm bước này", field="dossier_id")


def ensure_province(by: Principal) -> None:
    if not by.has_any(Role.PROVINCE_OFFICER):
        raise ForbiddenError("Chỉ cán bộ OCOP tỉnh được làm bước này", field="dossier_id")


Decide = Callable[[UnitOfWork, Dossier], Awaitable[Dossier]]


async def step(ctx: Context, dossier_id: str, decide: Decide) -> Dossier:
    async def work(uow: UnitOfWork) -> Dossier:
        dossier = await uow.repository.get_dossier(dossier_id)
        updated = await decide(uow, dossier)
        await uow.repository.save_dossier(updated, expected=dossier)
        return updated

    return await run_in_unit_of_work(ctx.runtime, work)
