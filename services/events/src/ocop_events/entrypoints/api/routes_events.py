"""Trade events, booth plans and participations under /api/v1."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import BaseModel

from ocop_events.adapters.repository import EventsRepository
from ocop_events.domain.commands import (
    ConfirmParticipation,
    CreateTradeEvent,
    GenerateBooths,
    MoveBooth,
    RegisterParticipation,
    RejectParticipation,
    WithdrawParticipation,
)
from ocop_events.domain.model import (
    Booth,
    Participation,
    ParticipationStatus,
    ProductSnapshot,
    TradeEvent,
)
from ocop_events.entrypoints.api.deps import AppClock, Id, Runtime, Staff, StaffOrProducer
from ocop_events.service_layer import participations
from ocop_shared.auth import Role, ensure_producer_scope
from ocop_shared.text import matches

router = APIRouter(prefix="/api/v1")


class BoothsGenerated(BaseModel):
    created: int
    total: int


class PublicBooth(BaseModel):
    """A booth as the public sees it: taken or free, without who holds it."""

    code: str
    zone: str
    size_m2: int
    taken: bool


@router.get("/trade-events", tags=["trade events"])
async def list_events(
    runtime: Runtime, clock: AppClock, include_past: bool = False
) -> list[TradeEvent]:
    """Lịch sự kiện xúc tiến thương mại (công khai)."""
    ending_from = None if include_past else clock.today()
    return await EventsRepository(runtime.db).list_events(ending_from=ending_from)


@router.post("/trade-events", status_code=status.HTTP_201_CREATED, tags=["trade events"])
async def create_event(
    body: CreateTradeEvent, runtime: Runtime, clock: AppClock, _: Staff
) -> TradeEvent:
    """Tạo hội chợ, triển lãm, tuần hàng, diễn đàn kết nối cung - cầu hoặc phiên livestream."""
    return await participations.create_event(runtime, body, clock)


@router.get("/trade-events/{event_id}", tags=["trade events"])
async def get_event(event_id: Id, runtime: Runtime) -> TradeEvent:
    return await EventsRepository(runtime.db).get_event(event_id)


@router.post("/trade-events/{event_id}/booths", tags=["booths"])
async def generate_booths(
    event_id: Id, body: GenerateBooths, runtime: Runtime, _: Staff
) -> BoothsGenerated:
    """Tạo hàng loạt gian cho một khu, ví dụ khu A: A01 … A50 (chạy lại không tạo trùng)."""
    created = await participations.generate_booths(runtime, event_id, body)
    total = await EventsRepository(runtime.db).count_booths(event_id)
    return BoothsGenerated(created=created, total=total)


@router.get("/trade-events/{event_id}/booths", tags=["booths"])
async def list_booths(event_id: Id, runtime: Runtime) -> list[PublicBooth]:
    repository = EventsRepository(runtime.db)
    await repository.get_event(event_id)
    return [
        PublicBooth(
            code=b.code, zone=b.zone, size_m2=b.size_m2, taken=b.participation_id is not None
        )
        for b in await repository.booths(event_id)
    ]


@router.get("/trade-events/{event_id}/booth-allocations", tags=["booths"])
async def booth_allocations(event_id: Id, runtime: Runtime, _: Staff) -> list[Booth]:
    """Sơ đồ gian với đơn được xếp (cán bộ xúc tiến)."""
    return await EventsRepository(runtime.db).booths(event_id)


@router.post(
    "/trade-events/{event_id}/participations",
    status_code=status.HTTP_201_CREATED,
    tags=["participations"],
)
async def register(
    event_id: Id,
    body: RegisterParticipation,
    runtime: Runtime,
    clock: AppClock,
    who: StaffOrProducer,
) -> Participation:
    """Chủ thể đăng ký tham gia với các sản phẩm; kiểm tra điều kiện theo danh mục OCOP."""
    return await participations.register(runtime, event_id, body, who, clock)


@router.get("/trade-events/{event_id}/participations", tags=["participations"])
async def list_participations(
    event_id: Id,
    runtime: Runtime,
    who: StaffOrProducer,
    status: Annotated[ParticipationStatus | None, Query()] = None,
) -> list[Participation]:
    """Staff see every registration; a producer only its own."""
    producer_id = None
    if not who.has_any(Role.TRADE_STAFF):
        producer_id = who.producer_id or "-"
    repository = EventsRepository(runtime.db)
    await repository.get_event(event_id)
    return await repository.participations(
        event_id=event_id, producer_id=producer_id, status=status
    )


@router.get("/participations/{participation_id}", tags=["participations"])
async def get_participation(
    participation_id: Id, runtime: Runtime, who: StaffOrProducer
) -> Participation:
    participation = await EventsRepository(runtime.db).get_participation(participation_id)
    ensure_producer_scope(who, participation.producer_id)
    return participation


@router.post("/participations/{participation_id}/confirm", tags=["participations"])
async def confirm(
    participation_id: Id,
    body: ConfirmParticipation,
    runtime: Runtime,
    clock: AppClock,
    _: Staff,
) -> Participation:
    """Xác nhận và xếp gian (gian chỉ định hoặc gian trống đầu tiên); gian đã có người → 409."""
    return await participations.confirm(runtime, participation_id, body, clock)


@router.post("/participations/{participation_id}/move-booth", tags=["participations"])
async def move_booth(
    participation_id: Id,
    body: MoveBooth,
    runtime: Runtime,
    clock: AppClock,
    _: Staff,
) -> Participation:
    """Đổi gian cho đơn đã xác nhận sang một gian còn trống."""
    return await participations.move_booth(runtime, participation_id, body, clock)


@router.post("/participations/{participation_id}/reject", tags=["participations"])
async def reject(
    participation_id: Id,
    body: RejectParticipation,
    runtime: Runtime,
    clock: AppClock,
    _: Staff,
) -> Participation:
    """Từ chối có lý do; gian được giải phóng và đơn đầu danh sách chờ được đưa lên."""
    return await participations.reject(runtime, participation_id, body, clock)


@router.post("/participations/{participation_id}/withdraw", tags=["participations"])
async def withdraw(
    participation_id: Id,
    body: WithdrawParticipation,
    runtime: Runtime,
    clock: AppClock,
    who: StaffOrProducer,
) -> Participation:
    """Chủ thể rút đăng ký; đơn đầu danh sách chờ được đưa lên."""
    return await participations.withdraw(runtime, participation_id, body, who, clock)


@router.get("/products", tags=["products"])
async def list_products(
    runtime: Runtime,
    who: StaffOrProducer,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> list[ProductSnapshot]:
    """Sản phẩm OCOP theo danh mục (bản sao đọc dùng để xét điều kiện tham gia)."""
    repository = EventsRepository(runtime.db)
    if who.has_any(Role.TRADE_STAFF):
        products = list((await repository.all_products()).values())
    else:
        products = await repository.products_of_producer(who.producer_id or "-")
    if q:
        products = [p for p in products if matches(q, p.name)]
    return sorted(products, key=lambda p: p.name)
