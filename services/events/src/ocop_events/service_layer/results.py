"""Participant reports and the results dashboard's figures."""

from __future__ import annotations

from ocop_events.adapters.matching_repository import MatchingRepository
from ocop_events.adapters.repository import EventsRepository
from ocop_events.adapters.results_repository import ResultsRepository
from ocop_events.domain.commands import FileFairReport
from ocop_events.domain.model import Participation, ParticipationStatus
from ocop_events.domain.results import Results, summarise
from ocop_events.service_layer.unit_of_work import UnitOfWork, run_in_unit_of_work
from ocop_shared.auth import Principal, ensure_producer_scope
from ocop_shared.errors import InvalidStateError
from ocop_shared.runtime import ServiceRuntime
from ocop_shared.timeutil import Clock


async def file_report(
    runtime: ServiceRuntime,
    participation_id: str,
    command: FileFairReport,
    by: Principal,
    clock: Clock,
) -> Participation:
    """A confirmed participant reports once the event has started; filing again replaces it."""

    async def work(uow: UnitOfWork) -> Participation:
        participation = await uow.repository.get_participation(participation_id)
        ensure_producer_scope(by, participation.producer_id)
        if participation.status is not ParticipationStatus.CONFIRMED:
            raise InvalidStateError(
                "Chỉ đơn đã xác nhận mới báo cáo kết quả", field="participation_id"
            )
        event = await uow.repository.get_event(participation.event_id)
        if clock.today() < event.starts_on:
            raise InvalidStateError("Sự kiện chưa bắt đầu", field="participation_id")
        results = ResultsRepository(runtime.db, uow.repository.session)
        await results.save_report(
            participation.id,
            event.id,
            participation.producer_id,
            {**command.model_dump(), "filed_at": clock.now(), "filed_by": by.subject},
        )
        return participation

    return await run_in_unit_of_work(runtime, work)


async def results(runtime: ServiceRuntime, event_id: str | None = None) -> Results:
    repository = EventsRepository(runtime.db)
    events = [await repository.get_event(event_id)] if event_id else await repository.list_events()
    store = ResultsRepository(runtime.db)
    matches = await MatchingRepository(runtime.db).matches(limit=100_000)
    return summarise(
        events,
        await store.sales(event_id),
        await store.reports(event_id),
        matches,
        await repository.all_products(),
    )
