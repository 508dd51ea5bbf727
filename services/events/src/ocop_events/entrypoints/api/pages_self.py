"""Self-service pages, Vietnamese first: producers register for events with their own
eligible products, follow and withdraw their registrations and keep their supply offers;
buyers keep their demands and read the proposed matches with the score explained. Staff
use the same registration page to register a producer without an account."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from ocop_events.adapters.matching_repository import MatchingRepository
from ocop_events.adapters.repository import EventsRepository
from ocop_events.domain.commands import RegisterParticipation, WithdrawParticipation
from ocop_events.domain.eligibility import product_refusal
from ocop_events.domain.matching import CRITERIA_LABELS
from ocop_events.domain.matching_commands import PostDemand, PostOffer
from ocop_events.domain.matching_model import (
    BUYER_KIND_LABELS,
    STAGE_LABELS,
    Demand,
    Offer,
)
from ocop_events.domain.model import Participation, ParticipationStatus, TradeEvent
from ocop_events.entrypoints.api.deps import AppClock, Id, Runtime
from ocop_events.entrypoints.api.page_auth import is_staff, page_principal
from ocop_events.entrypoints.api.pages import back, render
from ocop_events.entrypoints.api.pages_console import GROUP_LABELS
from ocop_events.service_layer import matching, participations
from ocop_shared.auth import Principal, Role
from ocop_shared.errors import DomainError
from ocop_shared.web.console_auth import sign_in_redirect
from ocop_shared.web.forms import whole_number

router = APIRouter(include_in_schema=False)

FIELD_LABELS = {
    "product_ids": "sản phẩm",
    "producer_id": "mã chủ thể",
    "producer_name": "tên chủ thể",
    "title": "tên sản phẩm",
    "keywords": "từ khoá",
    "group_code": "nhóm sản phẩm",
    "capacity_kg_per_month": "năng lực (kg/tháng)",
    "price_vnd": "giá",
    "moq_kg": "đơn tối thiểu",
    "province": "tỉnh",
    "season_months": "tháng mùa vụ",
    "standards": "tiêu chuẩn",
    "buyer_name": "tên người mua",
    "buyer_kind": "loại người mua",
    "monthly_volume_kg": "khối lượng (kg/tháng)",
    "price_min_vnd": "giá sàn",
    "price_max_vnd": "giá trần",
    "min_stars": "số sao tối thiểu",
    "delivery_province": "tỉnh nhận hàng",
    "reason": "lý do",
}


def problem_text(exc: Exception) -> str:
    """A Vietnamese line naming what to fix, from a domain error or a validation error."""
    if isinstance(exc, DomainError):
        return str(exc.detail)
    if isinstance(exc, ValidationError):
        names = []
        for error in exc.errors():
            loc = [str(part) for part in error.get("loc", ()) if not str(part).isdigit()]
            message = str(error.get("msg", "")).removeprefix("Value error, ")
            field = loc[-1] if loc else message.split(":", 1)[0]
            names.append(FIELD_LABELS.get(field, field))
        return "Kiểm tra lại: " + ", ".join(dict.fromkeys(names))
    return "Dữ liệu không hợp lệ"


def _guard(request: Request, role: Role) -> Principal | Response:
    principal = page_principal(request)
    if principal is None:
        return sign_in_redirect(request)
    if role not in principal.roles or (role is Role.PRODUCER and not principal.producer_id):
        label = "chủ thể OCOP" if role is Role.PRODUCER else "người mua"
        raise HTTPException(403, f"Trang dành cho tài khoản {label}")
    return principal


def _standards(value: str) -> list[str]:
    return [s.strip() for s in value.split(",") if s.strip()]


# Registration (producer for itself, staff on a producer's behalf) ---------------------------


async def _choices(
    repository: EventsRepository, event: TradeEvent, producer_id: str, clock: AppClock
) -> list[dict[str, Any]]:
    today = clock.today()
    products = sorted(await repository.products_of_producer(producer_id), key=lambda p: p.name)
    return [
        {"product": p, "refusal": product_refusal(p.id, p, producer_id, event, today)}
        for p in products
    ]


async def _known_name(repository: EventsRepository, producer_id: str) -> str:
    """The name the producer gave at its latest registration (staff need not type it again)."""
    if not producer_id:
        return ""
    earlier = await repository.participations(producer_id=producer_id)
    names = [p.producer_name for p in earlier if p.producer_name]
    return names[-1] if names else ""


@router.get("/su-kien/{event_id}/dang-ky", response_class=HTMLResponse)
async def register_page(
    request: Request,
    event_id: Id,
    runtime: Runtime,
    clock: AppClock,
    chu_the: Annotated[str, Query(max_length=64, pattern=r"^[A-Za-z0-9_-]*$")] = "",
) -> Response:
    """Choose own eligible products (ineligible ones greyed with the reason)."""
    principal = page_principal(request)
    if principal is None:
        return sign_in_redirect(request)
    staff = is_staff(principal)
    if not staff and not (Role.PRODUCER in principal.roles and principal.producer_id):
        raise HTTPException(403, "Trang dành cho chủ thể OCOP hoặc cán bộ xúc tiến")
    repository = EventsRepository(runtime.db)
    event = await repository.get_event(event_id)
    producer_id = chu_the if staff else principal.producer_id or ""
    choices = await _choices(repository, event, producer_id, clock) if producer_id else []
    producers = sorted({p.producer_id for p in (await repository.all_products()).values()})
    return render(
        request,
        "register.html",
        {
            "event": event,
            "producer_id": producer_id,
            "producer_name": await _known_name(repository, producer_id)
            or ("" if staff else principal.name or ""),
            "choices": choices,
            "already": bool(producer_id)
            and await repository.has_live_registration(event_id, producer_id),
            "open": event.registration_open_on(clock.today()),
            "producers": producers if staff else [],
        },
    )


@router.post("/su-kien/{event_id}/dang-ky")
async def register_form(
    request: Request,
    event_id: Id,
    runtime: Runtime,
    clock: AppClock,
    product_ids: Annotated[list[str], Form(max_length=50)] = [],  # noqa: B006 (FastAPI form default)
    producer_id: Annotated[str, Form(max_length=64)] = "",
    producer_name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    principal = page_principal(request)
    if principal is None:
        return sign_in_redirect(request)
    staff = is_staff(principal)
    if not staff and not (Role.PRODUCER in principal.roles and principal.producer_id):
        raise HTTPException(403, "Trang dành cho chủ thể OCOP hoặc cán bộ xúc tiến")
    # A producer always registers itself, whatever the form says.
    owner = producer_id.strip() if staff else principal.producer_id or ""
    retry = f"/su-kien/{event_id}/dang-ky" + (f"?chu_the={owner}" if staff and owner else "")
    if not product_ids:
        return back(retry, err="Chọn ít nhất một sản phẩm đủ điều kiện")
    try:
        command = RegisterParticipation.model_validate(
            {
                "producer_id": owner,
                "producer_name": producer_name.strip() or None,
                "product_ids": product_ids,
            }
        )
        done = await participations.register(runtime, event_id, command, principal, clock)
    except (DomainError, ValidationError) as exc:
        return back(retry, err=problem_text(exc))
    waiting = done.status is ParticipationStatus.WAITLISTED
    msg = (
        "Đã đăng ký; sự kiện đã kín gian nên đơn vào danh sách chờ"
        if waiting
        else "Đã đăng ký, chờ ban tổ chức duyệt và xếp gian"
    )
    if staff:
        return back(f"/su-kien/{event_id}", msg=f"{msg} (thay mặt {owner})")
    return back("/cua-toi", msg=msg)


# Producer home: registrations and supply offers ---------------------------------------------


async def _waiting_positions(
    repository: EventsRepository, registrations: list[Participation]
) -> dict[str, int]:
    """Place on the waiting list (1 = next to move up), oldest first as promotion goes."""
    positions: dict[str, int] = {}
    event_ids = sorted(
        {p.event_id for p in registrations if p.status is ParticipationStatus.WAITLISTED}
    )
    for everyone in (await repository.participations_by_event(event_ids)).values():
        queue = [p for p in everyone if p.status is ParticipationStatus.WAITLISTED]
        positions.update({p.id: i + 1 for i, p in enumerate(queue)})
    return positions


@router.get("/cua-toi", response_class=HTMLResponse)
async def producer_home(request: Request, runtime: Runtime, clock: AppClock) -> Response:
    guard = _guard(request, Role.PRODUCER)
    if isinstance(guard, Response):
        return guard
    producer_id = guard.producer_id or ""
    repository = EventsRepository(runtime.db)
    registrations = await repository.participations(producer_id=producer_id)
    events = await repository.events_by_id(sorted({p.event_id for p in registrations}))
    product_ids = sorted({pid for p in registrations for pid in p.product_ids})
    products = await repository.products(product_ids)
    today = clock.today()
    open_events = [
        e
        for e in await repository.list_events(ending_from=today)
        if e.registration_open_on(today)
        and not any(
            p.event_id == e.id and p.status.value in ("registered", "waitlisted", "confirmed")
            for p in registrations
        )
    ]
    return render(
        request,
        "my_registrations.html",
        {
            "registrations": sorted(registrations, key=lambda p: events[p.event_id].starts_on),
            "events": events,
            "positions": await _waiting_positions(repository, registrations),
            "product_names": {pid: s.name for pid, s in products.items()},
            "open_events": open_events,
            "offers": await MatchingRepository(runtime.db).offers(producer_id=producer_id),
        },
    )


@router.post("/cua-toi/dang-ky/{participation_id}/rut")
async def withdraw_form(
    request: Request,
    participation_id: Id,
    runtime: Runtime,
    clock: AppClock,
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    guard = _guard(request, Role.PRODUCER)
    if isinstance(guard, Response):
        return guard
    try:
        command = WithdrawParticipation(reason=reason or "Chủ thể rút đăng ký")
        await participations.withdraw(runtime, participation_id, command, guard, clock)
    except (DomainError, ValidationError) as exc:
        return back("/cua-toi", err=problem_text(exc))
    return back("/cua-toi", msg="Đã rút đăng ký; gian được trả lại cho ban tổ chức")


def _typed(form: dict[str, Any]) -> dict[str, Any]:
    """What the user typed, shaped like the model for the form template."""
    # ASCII and short: "²".isdigit() holds and int() of 5000 digits raises, both were 500s.
    typed = [m for m in form.get("season_months", []) if len(m) <= 2 and m.isascii()]
    months = [int(m) for m in typed if m.isdigit()]
    return {**form, "season_months": months, "standards": _standards(form.get("standards", ""))}


def _offer_body(form: dict[str, Any], producer_id: str) -> dict[str, Any]:
    return {
        "producer_id": producer_id,
        "producer_name": form["producer_name"],
        "product_id": form["product_id"] or None,
        "title": form["title"],
        "keywords": form["keywords"],
        "group_code": form["group_code"] or None,
        "capacity_kg_per_month": whole_number(
            form["capacity_kg_per_month"], "capacity_kg_per_month"
        ),
        "season_months": form["season_months"],
        "price_vnd": whole_number(form["price_vnd"], "price_vnd"),
        "moq_kg": whole_number(form["moq_kg"], "moq_kg") or 0,
        "standards": _standards(form["standards"]),
        "province": form["province"],
    }


async def _offer_page(
    request: Request,
    runtime: Runtime,
    producer_id: str,
    offer: Offer | SimpleNamespace | None,
    err: str | None = None,
) -> HTMLResponse:
    products = await EventsRepository(runtime.db).products_of_producer(producer_id)
    page = render(
        request,
        "offer_form.html",
        {
            "offer": offer,
            "products": sorted(products, key=lambda p: p.name),
            "groups": GROUP_LABELS,
            **({"err": err} if err else {}),
        },
    )
    if err:
        page.status_code = 422
    return page


async def _own_offer(runtime: Runtime, offer_id: str, who: Principal) -> Offer:
    offer = await MatchingRepository(runtime.db).get_offer(offer_id)
    if offer.producer_id != who.producer_id:
        raise HTTPException(403, "Chào bán của chủ thể khác")
    return offer


@router.get("/cua-toi/chao-ban/moi", response_class=HTMLResponse)
async def new_offer_page(request: Request, runtime: Runtime) -> Response:
    guard = _guard(request, Role.PRODUCER)
    if isinstance(guard, Response):
        return guard
    return await _offer_page(request, runtime, guard.producer_id or "", None)


@router.get("/cua-toi/chao-ban/{offer_id}", response_class=HTMLResponse)
async def edit_offer_page(request: Request, offer_id: Id, runtime: Runtime) -> Response:
    guard = _guard(request, Role.PRODUCER)
    if isinstance(guard, Response):
        return guard
    offer = await _own_offer(runtime, offer_id, guard)
    return await _offer_page(request, runtime, guard.producer_id or "", offer)


OfferText = Annotated[str, Form(max_length=500)]


@router.post("/cua-toi/chao-ban")
async def save_offer_form(
    request: Request,
    runtime: Runtime,
    clock: AppClock,
    producer_name: OfferText = "",
    title: OfferText = "",
    offer_id: Annotated[str, Form(max_length=64)] = "",
    product_id: Annotated[str, Form(max_length=64)] = "",
    keywords: OfferText = "",
    group_code: Annotated[str, Form(max_length=32)] = "",
    capacity_kg_per_month: Annotated[str, Form(max_length=16)] = "",
    price_vnd: Annotated[str, Form(max_length=16)] = "",
    moq_kg: Annotated[str, Form(max_length=16)] = "",
    standards: OfferText = "",
    province: Annotated[str, Form(max_length=100)] = "",
    season_months: Annotated[list[str], Form(max_length=12)] = [],  # noqa: B006
) -> Response:
    """New offer, or an edit of an own offer when ``offer_id`` is given."""
    guard = _guard(request, Role.PRODUCER)
    if isinstance(guard, Response):
        return guard
    form = {
        "producer_name": producer_name,
        "title": title,
        "product_id": product_id,
        "keywords": keywords,
        "group_code": group_code,
        "capacity_kg_per_month": capacity_kg_per_month,
        "price_vnd": price_vnd,
        "moq_kg": moq_kg,
        "standards": standards,
        "province": province,
        "season_months": season_months,
    }
    if offer_id:
        await _own_offer(runtime, offer_id, guard)
    try:
        command = PostOffer.model_validate(_offer_body(form, guard.producer_id or ""))
        if offer_id:
            await matching.update_offer(runtime, offer_id, command, guard, clock)
        else:
            await matching.post_offer(runtime, command, guard, clock)
    except (DomainError, ValidationError) as exc:
        # Show the form again with what was typed: nothing to retype on a tablet.
        typed = SimpleNamespace(id=offer_id, **_typed(form))
        return await _offer_page(
            request, runtime, guard.producer_id or "", typed, problem_text(exc)
        )
    return back("/cua-toi", msg="Đã lưu chào bán")


@router.post("/cua-toi/chao-ban/{offer_id}/dong")
async def close_offer_form(request: Request, offer_id: Id, runtime: Runtime) -> Response:
    guard = _guard(request, Role.PRODUCER)
    if isinstance(guard, Response):
        return guard
    try:
        await matching.close_offer(runtime, offer_id, guard)
    except DomainError as exc:
        return back("/cua-toi", err=problem_text(exc))
    return back("/cua-toi", msg="Đã ngừng chào bán")


# Buyer pages --------------------------------------------------------------------------------


async def _own_demand(runtime: Runtime, demand_id: str, who: Principal) -> Demand:
    demand = await MatchingRepository(runtime.db).get_demand(demand_id)
    if demand.buyer_id != who.subject:
        raise HTTPException(403, "Nhu cầu của người mua khác")
    return demand


def _demand_context(demand: Demand | None) -> dict[str, Any]:
    return {
        "demand": demand,
        "groups": GROUP_LABELS,
        "buyer_kinds": {k.value: v for k, v in BUYER_KIND_LABELS.items()},
    }


@router.get("/nguoi-mua", response_class=HTMLResponse)
async def buyer_home(request: Request, runtime: Runtime) -> Response:
    guard = _guard(request, Role.BUYER)
    if isinstance(guard, Response):
        return guard
    return await _buyer_page(request, runtime, guard, None, None)


async def _buyer_page(
    request: Request,
    runtime: Runtime,
    who: Principal,
    typed: SimpleNamespace | None,
    err: str | None,
) -> HTMLResponse:
    repository = MatchingRepository(runtime.db)
    demands = await repository.demands(buyer_id=who.subject)
    matches = await repository.matches(buyer_id=who.subject)
    counts = {d.id: sum(m.demand_id == d.id for m in matches) for d in demands}
    page = render(
        request,
        "buyer_home.html",
        {
            **_demand_context(None),
            "demand": typed,
            "demands": demands,
            "match_counts": counts,
            **({"err": err} if err else {}),
        },
    )
    if err:
        page.status_code = 422
    return page


@router.get("/nguoi-mua/nhu-cau/{demand_id}", response_class=HTMLResponse)
async def demand_page(request: Request, demand_id: Id, runtime: Runtime) -> Response:
    """Edit the demand; proposed matches and the best offers now, each score explained."""
    guard = _guard(request, Role.BUYER)
    if isinstance(guard, Response):
        return guard
    demand = await _own_demand(runtime, demand_id, guard)
    matches = await MatchingRepository(runtime.db).matches(demand_id=demand.id)
    proposed = {m.offer_id for m in matches}
    candidates = [
        c for c in await matching.preview(runtime, demand, 10) if c.offer.id not in proposed
    ]
    return render(
        request,
        "demand.html",
        {
            **_demand_context(demand),
            "matches": matches,
            "candidates": candidates,
            "criteria": CRITERIA_LABELS,
            "stage_labels": {k: v for k, v in STAGE_LABELS.items()},
        },
    )


@router.post("/nguoi-mua/nhu-cau")
async def save_demand_form(
    request: Request,
    runtime: Runtime,
    clock: AppClock,
    demand_id: Annotated[str, Form(max_length=64)] = "",
    buyer_name: OfferText = "",
    buyer_kind: Annotated[str, Form(max_length=20)] = "",
    title: OfferText = "",
    keywords: OfferText = "",
    group_code: Annotated[str, Form(max_length=32)] = "",
    monthly_volume_kg: Annotated[str, Form(max_length=16)] = "",
    price_min_vnd: Annotated[str, Form(max_length=16)] = "",
    price_max_vnd: Annotated[str, Form(max_length=16)] = "",
    min_stars: Annotated[str, Form(max_length=1)] = "0",
    standards: OfferText = "",
    delivery_province: Annotated[str, Form(max_length=100)] = "",
    season_months: Annotated[list[str], Form(max_length=12)] = [],  # noqa: B006
) -> Response:
    guard = _guard(request, Role.BUYER)
    if isinstance(guard, Response):
        return guard
    if demand_id:
        await _own_demand(runtime, demand_id, guard)
    form = {
        "buyer_name": buyer_name,
        "buyer_kind": buyer_kind,
        "title": title,
        "keywords": keywords,
        "group_code": group_code,
        "monthly_volume_kg": monthly_volume_kg,
        "price_min_vnd": price_min_vnd,
        "price_max_vnd": price_max_vnd,
        "min_stars": min_stars,
        "standards": standards,
        "delivery_province": delivery_province,
        "season_months": season_months,
    }
    try:
        command = PostDemand.model_validate(
            {
                "buyer_name": buyer_name,
                "buyer_kind": buyer_kind,
                "title": title,
                "keywords": keywords,
                "group_code": group_code or None,
                "monthly_volume_kg": whole_number(monthly_volume_kg, "monthly_volume_kg"),
                "price_min_vnd": whole_number(price_min_vnd, "price_min_vnd"),
                "price_max_vnd": whole_number(price_max_vnd, "price_max_vnd"),
                "min_stars": min_stars or 0,
                "standards": _standards(standards),
                "delivery_province": delivery_province,
                "season_months": season_months,
            }
        )
        if demand_id:
            saved = await matching.update_demand(runtime, demand_id, command, guard)
        else:
            saved = await matching.post_demand(runtime, command, guard, clock)
    except (DomainError, ValidationError) as exc:
        if demand_id:
            return back(f"/nguoi-mua/nhu-cau/{demand_id}", err=problem_text(exc))
        typed = SimpleNamespace(id="", **_typed(form))
        return await _buyer_page(request, runtime, guard, typed, problem_text(exc))
    return back(f"/nguoi-mua/nhu-cau/{saved.id}", msg="Đã lưu nhu cầu")
