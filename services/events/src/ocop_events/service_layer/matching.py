"""Demands, offers, matching runs and the deal pipeline."""

from __future__ import annotations

from ocop_events.adapters.matching_repository import MatchingRepository
from ocop_events.domain.events import MatchAccepted, MatchDealSigned, MatchProposed
from ocop_events.domain.matching import Candidate, OfferIndex, rank
from ocop_events.domain.matching_commands import AdvanceMatch, PostDemand, PostOffer, RunMatching
from ocop_events.domain.matching_model import (
    STAGE_LABELS,
    Demand,
    Match,
    MatchStage,
    Offer,
    may_move,
)
from ocop_events.service_layer.participations import new_id
from ocop_events.service_layer.unit_of_work import UnitOfWork, run_in_unit_of_work
from ocop_shared.auth import Principal, Role, ensure_producer_scope
from ocop_shared.contracts.catalog import CertificateStatus
from ocop_shared.errors import (
    ConflictError,
    ForbiddenError,
    InvalidStateError,
    ValidationFailedError,
)
from ocop_shared.runtime import ServiceRuntime
from ocop_shared.timeutil import Clock


async def post_demand(
    runtime: ServiceRuntime, command: PostDemand, by: Principal, clock: Clock
) -> Demand:
    if by.has_any(Role.TRADE_STAFF):
        buyer_id = command.buyer_id or by.subject
    elif command.buyer_id not in (None, by.subject):
        raise ForbiddenError("Người mua chỉ đăng nhu cầu của mình", field="body.buyer_id")
    else:
        buyer_id = by.subject
    demand = Demand(
        id=new_id("nc"),
        created_at=clock.now(),
        **{**command.model_dump(exclude={"buyer_id"}), "buyer_id": buyer_id},
    )

    async def work(uow: UnitOfWork) -> Demand:
        if demand.trade_event_id:
            await uow.repository.get_event(demand.trade_event_id)
        await uow.matching.add_demand(demand)
        return demand

    return await run_in_unit_of_work(runtime, work)


async def update_demand(
    runtime: ServiceRuntime, demand_id: str, command: PostDemand, by: Principal
) -> Demand:
    """A buyer edits its own demand (staff any); id, owner, state and date are kept."""

    async def work(uow: UnitOfWork) -> Demand:
        current = await uow.matching.get_demand(demand_id)
        if not by.has_any(Role.TRADE_STAFF) and current.buyer_id != by.subject:
            raise ForbiddenError("Nhu cầu của người mua khác", field="demand_id")
        if command.buyer_id not in (None, current.buyer_id):
            raise ValidationFailedError("Không đổi được người mua", field="body.buyer_id")
        if command.trade_event_id:
            await uow.repository.get_event(command.trade_event_id)
        edited = Demand(
            id=current.id,
            buyer_id=current.buyer_id,
            open=current.open,
            created_at=current.created_at,
            **command.model_dump(exclude={"buyer_id"}),
        )
        await uow.matching.replace_demand(edited)
        return edited

    return await run_in_unit_of_work(runtime, work)


async def _offer_stars(uow: UnitOfWork, command: PostOffer, clock: Clock) -> int:
    if command.product_id is None:
        return 0
    product = await uow.repository.find_product(command.product_id)
    if product is None or product.producer_id != command.producer_id:
        raise ValidationFailedError(
            "Sản phẩm không có trong danh mục OCOP của chủ thể này", field="body.product_id"
        )
    if product.status_on(clock.today()) is CertificateStatus.ACTIVE:
        return product.stars or 0
    return 0


async def update_offer(
    runtime: ServiceRuntime, offer_id: str, command: PostOffer, by: Principal, clock: Clock
) -> Offer:
    """A producer edits its own offer; stars are read again from the catalogue."""

    async def work(uow: UnitOfWork) -> Offer:
        current = await uow.matching.get_offer(offer_id)
        ensure_producer_scope(by, current.producer_id)
        if command.producer_id != current.producer_id:
            raise ValidationFailedError("Không đổi được chủ thể", field="body.producer_id")
        edited = Offer(
            id=current.id,
            open=current.open,
            created_at=current.created_at,
            stars=await _offer_stars(uow, command, clock),
            **command.model_dump(),
        )
        await uow.matching.replace_offer(edited)
        return edited

    return await run_in_unit_of_work(runtime, work)


async def post_offer(
    runtime: ServiceRuntime, command: PostOffer, by: Principal, clock: Clock
) -> Offer:
    """Stars come from the product read model, never from what the producer typed."""
    ensure_producer_scope(by, command.producer_id)

    async def work(uow: UnitOfWork) -> Offer:
        stars = await _offer_stars(uow, command, clock)
        offer = Offer(id=new_id("cb"), created_at=clock.now(), stars=stars, **command.model_dump())
        await uow.matching.add_offer(offer)
        return offer

    return await run_in_unit_of_work(runtime, work)


async def preview(runtime: ServiceRuntime, demand: Demand, limit: int) -> list[Candidate]:
    offers = await MatchingRepository(runtime.db).offers(open_only=True)
    return rank(demand, OfferIndex(offers), limit)


async def run_matching(runtime: ServiceRuntime, command: RunMatching, clock: Clock) -> list[Match]:
    """Propose the best new pairs for each demand (pairs proposed before are not repeated)."""
    repository = MatchingRepository(runtime.db)
    demands = await repository.demands(open_only=True)
    if command.demand_ids is not None:
        wanted = set(command.demand_ids)
        demands = [d for d in demands if d.id in wanted]
    index = OfferIndex(await repository.offers(open_only=True))
    existing = await repository.existing_pairs([d.id for d in demands])
    created: list[Match] = []
    for demand in demands:
        fresh = [
            c
            for c in rank(demand, index, command.per_demand + 20)
            if (demand.id, c.offer.id) not in existing and c.score >= command.min_score
        ][: command.per_demand]
        if not fresh:
            continue
        now = clock.now()
        matches = [
            Match(
                id=new_id("kn"),
                demand_id=demand.id,
                offer_id=c.offer.id,
                buyer_id=demand.buyer_id,
                buyer_name=demand.buyer_name,
                producer_id=c.offer.producer_id,
                producer_name=c.offer.producer_name,
                product_id=c.offer.product_id,
                demand_title=demand.title,
                offer_title=c.offer.title,
                group_code=c.offer.group_code or demand.group_code,
                trade_event_id=demand.trade_event_id,
                score=c.score,
                parts=c.parts,
                proposed_at=now,
                updated_at=now,
            )
            for c in fresh
        ]

        async def work(uow: UnitOfWork, matches: list[Match] = matches) -> None:
            for match in matches:
                await uow.matching.add_match(match)
                uow.raise_event(MatchProposed(match))

        try:
            await run_in_unit_of_work(runtime, work)
        except ConflictError:
            continue  # a run started at the same time proposed these pairs first
        created.extend(matches)
    return created


async def advance(
    runtime: ServiceRuntime, match_id: str, command: AdvanceMatch, clock: Clock
) -> Match:
    async def work(uow: UnitOfWork) -> Match:
        current = await uow.matching.get_match(match_id)
        if not may_move(current.stage, command.stage):
            raise InvalidStateError(
                f"Không thể chuyển từ «{STAGE_LABELS[current.stage]}» "
                f"sang «{STAGE_LABELS[command.stage]}»",
                field="body.stage",
            )
        update: dict[str, object] = {
            "stage": command.stage,
            "updated_at": clock.now(),
            "version": current.version + 1,
        }
        if command.note:
            update["note"] = command.note
        if command.stage is MatchStage.DECLINED:
            update["reason"] = command.reason
        if command.stage is MatchStage.DEAL_SIGNED:
            update["deal_value_vnd"] = command.deal_value_vnd
            update["signed_on"] = command.signed_on or clock.today()
        moved = current.model_copy(update=update)
        await uow.matching.save_match(moved, expected_version=current.version)
        accepted = current.stage is MatchStage.PROPOSED and command.stage is not MatchStage.DECLINED
        if accepted:
            uow.raise_event(MatchAccepted(moved))
        if command.stage is MatchStage.DEAL_SIGNED:
            uow.raise_event(MatchDealSigned(moved))
        return moved

    return await run_in_unit_of_work(runtime, work)


async def close_demand(runtime: ServiceRuntime, demand_id: str, by: Principal) -> Demand:
    async def work(uow: UnitOfWork) -> Demand:
        demand = await uow.matching.get_demand(demand_id)
        if not by.has_any(Role.TRADE_STAFF) and demand.buyer_id != by.subject:
            raise ForbiddenError("Nhu cầu của người mua khác", field="demand_id")
        closed = demand.model_copy(update={"open": False})
        await uow.matching.set_open(demand_id=demand_id, open_=False)
        return closed

    return await run_in_unit_of_work(runtime, work)


async def close_offer(runtime: ServiceRuntime, offer_id: str, by: Principal) -> Offer:
    async def work(uow: UnitOfWork) -> Offer:
        offer = await uow.matching.get_offer(offer_id)
        ensure_producer_scope(by, offer.producer_id)
        await uow.matching.set_open(offer_id=offer_id, open_=False)
        return offer.model_copy(update={"open": False})

    return await run_in_unit_of_work(runtime, work)
