"""Trade events, booth plans and participations: each command one unit of work."""

from __future__ import annotations

import uuid

from ocop_events.domain.booths import booth_codes
from ocop_events.domain.commands import (
    ConfirmParticipation,
    CreateTradeEvent,
    GenerateBooths,
    MoveBooth,
    RegisterParticipation,
    RejectParticipation,
    WithdrawParticipation,
)
from ocop_events.domain.eligibility import refusals
from ocop_events.domain.errors import BoothTakenError, NoFreeBoothError, NotEligibleError
from ocop_events.domain.events import (
    ParticipationConfirmed,
    ParticipationRegistered,
    ParticipationWithdrawn,
)
from ocop_events.domain.model import (
    STATUS_LABELS,
    Booth,
    Participation,
    ParticipationStatus,
    TradeEvent,
)
from ocop_events.service_layer.unit_of_work import UnitOfWork, run_in_unit_of_work
from ocop_shared.auth import Principal, ensure_producer_scope
from ocop_shared.errors import InvalidStateError, NotFoundError
from ocop_shared.runtime import ServiceRuntime
from ocop_shared.timeutil import Clock


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


async def create_event(
    runtime: ServiceRuntime, command: CreateTradeEvent, clock: Clock
) -> TradeEvent:
    event = TradeEvent(id=new_id("sk"), created_at=clock.now(), **command.model_dump())

    async def work(uow: UnitOfWork) -> TradeEvent:
        await uow.repository.add_event(event)
        return event

    return await run_in_unit_of_work(runtime, work)


async def generate_booths(runtime: ServiceRuntime, event_id: str, command: GenerateBooths) -> int:
    """Add the zone's booths that do not exist yet (running it twice adds nothing)."""

    async def work(uow: UnitOfWork) -> int:
        event = await uow.repository.get_event(event_id)
        booths = [
            Booth(event_id=event_id, code=code, zone=command.zone, size_m2=command.size_m2)
            for code in booth_codes(command.prefix, command.first, command.last)
        ]
        added = await uow.repository.add_booths(booths)
        if added:
            await _promote_waiting(uow, event)
        return added

    return await run_in_unit_of_work(runtime, work)


async def _promote_waiting(uow: UnitOfWork, event: TradeEvent) -> None:
    """Move waiting registrations up, oldest first, while there are booths for them."""
    repository = uow.repository
    places = await repository.count_booths(event.id) - await repository.count_holding_places(
        event.id
    )
    for waiting in (
        await repository.participations(event_id=event.id, status=ParticipationStatus.WAITLISTED)
    )[: max(places, 0)]:
        promoted = waiting.model_copy(
            update={"status": ParticipationStatus.REGISTERED, "version": waiting.version + 1}
        )
        await repository.save_participation(promoted, expected_version=waiting.version)
        uow.raise_event(ParticipationRegistered(promoted, event))


async def register(
    runtime: ServiceRuntime,
    event_id: str,
    command: RegisterParticipation,
    by: Principal,
    clock: Clock,
) -> Participation:
    """Check eligibility against the product read model; join the waiting list when full."""
    ensure_producer_scope(by, command.producer_id)
    today = clock.today()

    async def work(uow: UnitOfWork) -> Participation:
        repository = uow.repository
        event = await repository.get_event(event_id)
        if not event.registration_open_on(today):
            raise InvalidStateError(
                f"Sự kiện nhận đăng ký từ {event.registration_opens:%d/%m/%Y} "
                f"đến {event.registration_closes:%d/%m/%Y}",
                field="event_id",
            )
        products = await repository.products(command.product_ids)
        reasons = refusals(command.product_ids, products, command.producer_id, event, today)
        if reasons:
            raise NotEligibleError("; ".join(reasons), field="body.product_ids")
        booths = await repository.count_booths(event_id)
        # Events without a booth plan (forums, livestreams) have no waiting list.
        full = booths > 0 and await repository.count_holding_places(event_id) >= booths
        # A registration without a name takes the one the producer gave before: consoles and
        # exports show names, not ids.
        name = command.producer_name or (
            await repository.producer_names([command.producer_id])
        ).get(command.producer_id)
        participation = Participation(
            id=new_id("dk"),
            event_id=event.id,
            event_ends_on=event.ends_on,
            producer_id=command.producer_id,
            producer_name=name,
            product_ids=command.product_ids,
            status=ParticipationStatus.WAITLISTED if full else ParticipationStatus.REGISTERED,
            registered_at=clock.now(),
        )
        await repository.add_participation(participation)
        uow.raise_event(ParticipationRegistered(participation, event))
        return participation

    return await run_in_unit_of_work(runtime, work)


async def confirm(
    runtime: ServiceRuntime, participation_id: str, command: ConfirmParticipation, clock: Clock
) -> Participation:
    """Confirm and allocate a booth in one transaction; a taken booth is a 409, never shared."""

    async def work(uow: UnitOfWork) -> Participation:
        repository = uow.repository
        current = await repository.get_participation(participation_id)
        if current.status is not ParticipationStatus.REGISTERED:
            raise InvalidStateError(
                "Chỉ xác nhận được đơn đang chờ duyệt "
                f"(đơn này: {STATUS_LABELS[current.status].lower()})",
                field="participation_id",
            )
        event = await repository.get_event(current.event_id)
        # Certificates can be revoked or expire between registration and review.
        products = await repository.products(current.product_ids)
        reasons = refusals(current.product_ids, products, current.producer_id, event, clock.today())
        if reasons:
            raise InvalidStateError(
                "Không thể xác nhận: " + "; ".join(reasons), field="participation_id"
            )
        code = command.booth_code
        booth_code: str | None = None
        if code is not None and not await repository.booth_exists(event.id, code):
            raise NotFoundError(f"Sự kiện không có gian {code}", field="body.booth_code")
        if code is not None or await repository.count_booths(event.id) > 0:
            booth = await repository.allocate_booth(event.id, code, current.id, current.producer_id)
            if booth is None:
                if code is not None:
                    raise BoothTakenError(
                        f"Gian {code} đã được xếp cho đơn khác", field="body.booth_code"
                    )
                raise NoFreeBoothError("Không còn gian trống", field="body.booth_code")
            booth_code = booth.code
        confirmed = current.model_copy(
            update={
                "status": ParticipationStatus.CONFIRMED,
                "booth_code": booth_code,
                "decided_at": clock.now(),
                "version": current.version + 1,
            }
        )
        await repository.save_participation(confirmed, expected_version=current.version)
        uow.raise_event(ParticipationConfirmed(confirmed, event))
        return confirmed

    return await run_in_unit_of_work(runtime, work)


async def move_booth(
    runtime: ServiceRuntime, participation_id: str, command: MoveBooth, clock: Clock
) -> Participation:
    """Move a confirmed participant to another free booth; all or nothing."""

    async def work(uow: UnitOfWork) -> Participation:
        repository = uow.repository
        current = await repository.get_participation(participation_id)
        if current.status is not ParticipationStatus.CONFIRMED:
            raise InvalidStateError("Chỉ đổi gian cho đơn đã xác nhận", field="participation_id")
        if current.booth_code == command.booth_code:
            return current
        event = await repository.get_event(current.event_id)
        if not await repository.booth_exists(event.id, command.booth_code):
            raise NotFoundError(
                f"Sự kiện không có gian {command.booth_code}", field="body.booth_code"
            )
        # Release first: one participation may hold one booth (unique index); a taken
        # target aborts the transaction and the old booth stays held.
        await repository.release_booth(current.id)
        booth = await repository.allocate_booth(
            event.id, command.booth_code, current.id, current.producer_id
        )
        if booth is None:
            raise BoothTakenError(
                f"Gian {command.booth_code} đã được xếp cho đơn khác", field="body.booth_code"
            )
        moved = current.model_copy(
            update={
                "booth_code": booth.code,
                "decided_at": clock.now(),
                "version": current.version + 1,
            }
        )
        await repository.save_participation(moved, expected_version=current.version)
        uow.raise_event(ParticipationConfirmed(moved, event))
        return moved

    return await run_in_unit_of_work(runtime, work)


async def _end(
    uow: UnitOfWork,
    participation_id: str,
    status: ParticipationStatus,
    reason: str,
    clock: Clock,
    by: Principal | None,
) -> Participation:
    """Withdraw or reject: free the booth and move the first waiting registration up."""
    repository = uow.repository
    current = await repository.get_participation(participation_id)
    if by is not None:
        ensure_producer_scope(by, current.producer_id)
    if current.status not in (
        ParticipationStatus.REGISTERED,
        ParticipationStatus.WAITLISTED,
        ParticipationStatus.CONFIRMED,
    ):
        raise InvalidStateError("Đơn đăng ký đã kết thúc", field="participation_id")
    event = await repository.get_event(current.event_id)
    ended = current.model_copy(
        update={
            "status": status,
            "reason": reason,
            "decided_at": clock.now(),
            "version": current.version + 1,
        }
    )
    await repository.save_participation(ended, expected_version=current.version)
    held_place = current.status is not ParticipationStatus.WAITLISTED
    if current.status is ParticipationStatus.CONFIRMED:
        await repository.release_booth(current.id)
    if held_place:
        await _promote_waiting(uow, event)
    rejected = status is ParticipationStatus.REJECTED
    uow.raise_event(ParticipationWithdrawn(ended, event, rejected_by_staff=rejected))
    return ended


async def withdraw(
    runtime: ServiceRuntime,
    participation_id: str,
    command: WithdrawParticipation,
    by: Principal,
    clock: Clock,
) -> Participation:
    async def work(uow: UnitOfWork) -> Participation:
        return await _end(
            uow, participation_id, ParticipationStatus.WITHDRAWN, command.reason, clock, by
        )

    return await run_in_unit_of_work(runtime, work)


async def reject(
    runtime: ServiceRuntime, participation_id: str, command: RejectParticipation, clock: Clock
) -> Participation:
    async def work(uow: UnitOfWork) -> Participation:
        return await _end(
            uow, participation_id, ParticipationStatus.REJECTED, command.reason, clock, None
        )

    return await run_in_unit_of_work(runtime, work)
