"""Supply-demand matching under /api/v1: demands, offers, matching runs, the deal pipeline."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from ocop_events.adapters.matching_repository import MatchingRepository
from ocop_events.domain.matching import Candidate
from ocop_events.domain.matching_commands import AdvanceMatch, PostDemand, PostOffer, RunMatching
from ocop_events.domain.matching_model import Demand, Match, MatchStage, Offer
from ocop_events.entrypoints.api.deps import (
    AnyTradeRole,
    AppClock,
    Id,
    Runtime,
    Staff,
    StaffOrBuyer,
    StaffOrProducer,
)
from ocop_events.service_layer import matching
from ocop_shared.auth import Role
from ocop_shared.errors import ForbiddenError

router = APIRouter(prefix="/api/v1", tags=["matching"])
Limit = Annotated[int, Query(ge=1, le=50)]
Skip = Annotated[int, Query(ge=0, le=1_000_000)]
PageSize = Annotated[int, Query(ge=1, le=1000)]


@router.post("/demands", status_code=status.HTTP_201_CREATED)
async def post_demand(
    body: PostDemand, runtime: Runtime, clock: AppClock, who: StaffOrBuyer
) -> Demand:
    """Người mua (siêu thị, nhà phân phối, doanh nghiệp xuất khẩu) đăng nhu cầu."""
    return await matching.post_demand(runtime, body, who, clock)


@router.get("/demands")
async def list_demands(
    runtime: Runtime,
    who: StaffOrBuyer,
    open_only: bool = False,
    skip: Skip = 0,
    limit: PageSize = 200,
) -> list[Demand]:
    buyer_id = None if who.has_any(Role.TRADE_STAFF) else who.subject
    return await MatchingRepository(runtime.db).demands(
        open_only=open_only, buyer_id=buyer_id, skip=skip, limit=limit
    )


@router.put("/demands/{demand_id}")
async def edit_demand(
    demand_id: Id, body: PostDemand, runtime: Runtime, who: StaffOrBuyer
) -> Demand:
    """Người mua sửa nhu cầu của mình."""
    return await matching.update_demand(runtime, demand_id, body, who)


@router.post("/demands/{demand_id}/close")
async def close_demand(demand_id: Id, runtime: Runtime, who: StaffOrBuyer) -> Demand:
    return await matching.close_demand(runtime, demand_id, who)


@router.get("/demands/{demand_id}/candidates")
async def demand_candidates(
    demand_id: Id, runtime: Runtime, who: StaffOrBuyer, limit: Limit = 10
) -> list[Candidate]:
    """Xem trước các chào bán phù hợp nhất, có giải thích điểm (không tạo đề xuất)."""
    demand = await MatchingRepository(runtime.db).get_demand(demand_id)
    if not who.has_any(Role.TRADE_STAFF) and demand.buyer_id != who.subject:
        raise ForbiddenError("Nhu cầu của người mua khác", field="demand_id")
    return await matching.preview(runtime, demand, limit)


@router.post("/offers", status_code=status.HTTP_201_CREATED)
async def post_offer(
    body: PostOffer, runtime: Runtime, clock: AppClock, who: StaffOrProducer
) -> Offer:
    """Chủ thể đăng chào bán (năng lực, mùa vụ, giá, đơn tối thiểu)."""
    return await matching.post_offer(runtime, body, who, clock)


@router.put("/offers/{offer_id}")
async def edit_offer(
    offer_id: Id, body: PostOffer, runtime: Runtime, clock: AppClock, who: StaffOrProducer
) -> Offer:
    """Chủ thể sửa chào bán của mình (số sao đọc lại từ danh mục)."""
    return await matching.update_offer(runtime, offer_id, body, who, clock)


@router.get("/offers")
async def list_offers(
    runtime: Runtime,
    who: StaffOrProducer,
    open_only: bool = False,
    skip: Skip = 0,
    limit: PageSize = 200,
) -> list[Offer]:
    producer_id = None if who.has_any(Role.TRADE_STAFF) else (who.producer_id or "-")
    return await MatchingRepository(runtime.db).offers(
        open_only=open_only, producer_id=producer_id, skip=skip, limit=limit
    )


@router.post("/offers/{offer_id}/close")
async def close_offer(offer_id: Id, runtime: Runtime, who: StaffOrProducer) -> Offer:
    return await matching.close_offer(runtime, offer_id, who)


@router.post("/matching/runs", status_code=status.HTTP_201_CREATED)
async def run_matching(
    body: RunMatching, runtime: Runtime, clock: AppClock, _: Staff
) -> list[Match]:
    """Chạy ghép nối: tạo đề xuất mới cho các nhu cầu đang mở (cặp đã đề xuất không lặp lại)."""
    return await matching.run_matching(runtime, body, clock)


@router.get("/matches")
async def list_matches(
    runtime: Runtime,
    who: AnyTradeRole,
    stage: Annotated[MatchStage | None, Query()] = None,
    demand_id: Annotated[str | None, Query(max_length=64)] = None,
) -> list[Match]:
    """Staff see every match; a buyer its own demands' matches; a producer its offers'."""
    buyer_id = producer_id = None
    if not who.has_any(Role.TRADE_STAFF):
        if Role.BUYER in who.roles:
            buyer_id = who.subject
        else:
            producer_id = who.producer_id or "-"
    return await MatchingRepository(runtime.db).matches(
        stage=stage, demand_id=demand_id, buyer_id=buyer_id, producer_id=producer_id
    )


@router.post("/matches/{match_id}/advance")
async def advance_match(
    match_id: Id, body: AdvanceMatch, runtime: Runtime, clock: AppClock, _: Staff
) -> Match:
    """Chuyển bước: đã liên hệ → gặp gỡ → ký kết (kèm giá trị) hoặc không tiếp tục (kèm lý do)."""
    return await matching.advance(runtime, match_id, body, clock)
