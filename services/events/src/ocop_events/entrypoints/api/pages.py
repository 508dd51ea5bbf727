"""Server-rendered pages, Vietnamese first: the public calendar and event pages, sign-in,
and the staff console's event views (registrations to review, booth map, exports)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ocop_events.adapters.repository import EventsRepository
from ocop_events.domain.commands import (
    ConfirmParticipation,
    CreateTradeEvent,
    GenerateBooths,
    MoveBooth,
    RejectParticipation,
)
from ocop_events.domain.errors import BoothTakenError
from ocop_events.domain.model import (
    KIND_LABELS,
    STATUS_LABELS,
    Booth,
    Flag,
    Participation,
    ParticipationStatus,
    ProductSnapshot,
)
from ocop_events.entrypoints.api.charts import booth_map
from ocop_events.entrypoints.api.deps import AppClock, Id, Runtime
from ocop_events.entrypoints.api.page_auth import is_staff, page_principal
from ocop_events.service_layer import participations
from ocop_shared.auth import Principal, Role
from ocop_shared.errors import DomainError
from ocop_shared.text import matches
from ocop_shared.web.console_auth import sign_in_redirect, sign_in_router
from ocop_shared.web.exports import xlsx_response
from ocop_shared.web.pages import service_templates

router = APIRouter(include_in_schema=False)
templates = service_templates(FilePath(__file__).parent.parent / "templates")
router.include_router(
    sign_in_router(templates, default_next="/dieu-hanh", hint="ocop token --role trade_staff")
)

MONTHS = [
    "tháng Một",
    "tháng Hai",
    "tháng Ba",
    "tháng Tư",
    "tháng Năm",
    "tháng Sáu",
    "tháng Bảy",
    "tháng Tám",
    "tháng Chín",
    "tháng Mười",
    "tháng Mười Một",
    "tháng Mười Hai",
]


def render(request: Request, name: str, context: dict[str, Any]) -> HTMLResponse:
    principal = page_principal(request)
    return templates.TemplateResponse(
        request,
        name,
        {
            "who": principal,
            "staff": is_staff(principal),
            "is_producer": principal is not None
            and Role.PRODUCER in principal.roles
            and bool(principal.producer_id),
            "is_buyer": principal is not None and Role.BUYER in principal.roles,
            "kind_labels": {k.value: v for k, v in KIND_LABELS.items()},
            "status_labels": {k.value: v for k, v in STATUS_LABELS.items()},
            "msg": request.query_params.get("msg"),
            "err": request.query_params.get("err"),
            **context,
        },
    )


def require_staff_page(request: Request) -> Principal | RedirectResponse:
    principal = page_principal(request)
    if principal is None:
        return sign_in_redirect(request)
    if not is_staff(principal):
        # Producers and buyers signing in land on /dieu-hanh (the default): send them home.
        if request.url.path == "/dieu-hanh" and Role.PRODUCER in principal.roles:
            return RedirectResponse("/cua-toi", status_code=303)
        if request.url.path == "/dieu-hanh" and Role.BUYER in principal.roles:
            return RedirectResponse("/nguoi-mua", status_code=303)
        raise HTTPException(403, "Trang dành cho cán bộ xúc tiến thương mại")
    return principal


def back(path: str, *, msg: str | None = None, err: str | None = None) -> RedirectResponse:
    query = f"?msg={quote(msg)}" if msg else f"?err={quote(err)}" if err else ""
    return RedirectResponse(f"{path}{query}", status_code=303)


@router.get("/", response_class=HTMLResponse)
async def calendar(request: Request, runtime: Runtime, clock: AppClock) -> HTMLResponse:
    """Lịch sự kiện: public, grouped by month."""
    repository = EventsRepository(runtime.db)
    events = await repository.list_events(ending_from=clock.today())
    booths = await repository.count_booths_of_events([event.id for event in events])
    months: dict[str, list[Any]] = defaultdict(list)
    for event in events:
        months[f"{MONTHS[event.starts_on.month - 1].capitalize()} {event.starts_on.year}"].append(
            {
                "event": event,
                "phase": event.phase_on(clock.today()),
                "open": event.registration_open_on(clock.today()),
                "booths": booths[event.id],
            }
        )
    return render(request, "calendar.html", {"months": dict(months)})


async def _event_context(runtime: Runtime, event_id: str) -> dict[str, Any]:
    repository = EventsRepository(runtime.db)
    event = await repository.get_event(event_id)
    registrations = await repository.participations(event_id=event_id)
    product_ids = sorted({pid for p in registrations for pid in p.product_ids})
    products = await repository.products(product_ids)
    booths = await repository.booths(event_id)
    producer_names = await repository.producer_names(sorted({p.producer_id for p in registrations}))
    names = {
        p.id: producer_name(p, producer_names) or _product_names(p.product_ids, products)
        for p in registrations
    }
    counts = {s.value: 0 for s in ParticipationStatus}
    for p in registrations:
        counts[p.status.value] += 1
    return {
        "event": event,
        "registrations": registrations,
        "products": products,
        "booths": booths,
        "free_booths": [b.code for b in booths if b.participation_id is None],
        "booth_map": booth_map(booths, names),
        "counts": counts,
        "producer_names": producer_names,
        "shown_producer": {
            p.id: producer_name(p, producer_names) or p.producer_id for p in registrations
        },
        "flag_texts": {p.id: [flag_text(f, products) for f in p.flags] for p in registrations},
    }


def filter_registrations(
    registrations: list[Participation],
    products: dict[str, ProductSnapshot],
    text: str,
    status: ParticipationStatus | None,
    known: dict[str, str] | None = None,
) -> list[Participation]:
    """Registrations of a status whose producer, product or booth contains every word."""
    found = []
    for p in registrations:
        if status is not None and p.status is not status:
            continue
        names = [products[i].name if i in products else i for i in p.product_ids]
        named = producer_name(p, known or {})
        if matches(text, named, p.producer_id, p.booth_code, p.id, *names):
            found.append(p)
    return found


def producer_name(p: Participation, known: dict[str, str]) -> str:
    """The name to show for a registration's producer: its own, else one the producer gave
    elsewhere; empty (never the ``prd-…`` id) when nobody ever named it."""
    return p.producer_name or known.get(p.producer_id, "")


def flag_text(flag: Flag, products: dict[str, ProductSnapshot]) -> str:
    """A flag as staff read it: the product by name, then what happened to its certificate."""
    product = products.get(flag.product_id)
    return f"{product.name}: {flag.reason}" if product else flag.reason


def zone_counts(booths: list[Booth]) -> dict[str, dict[str, int]]:
    zones: dict[str, dict[str, int]] = {}
    for booth in booths:
        zone = zones.setdefault(booth.zone, {"total": 0, "free": 0})
        zone["total"] += 1
        zone["free"] += booth.participation_id is None
    return zones


def _product_names(ids: list[str], products: dict[str, ProductSnapshot]) -> str:
    return ", ".join(products[i].name if i in products else i for i in ids)


@router.get("/su-kien/{event_id}", response_class=HTMLResponse)
async def event_page(
    request: Request,
    event_id: Id,
    runtime: Runtime,
    clock: AppClock,
    q: Annotated[str, Query(max_length=100)] = "",
    trang_thai: Annotated[ParticipationStatus | Literal[""], Query()] = "",
) -> HTMLResponse:
    context = await _event_context(runtime, event_id)
    context["registrations_total"] = len(context["registrations"])
    context["registrations"] = filter_registrations(
        context["registrations"],
        context["products"],
        q,
        trang_thai or None,
        context["producer_names"],
    )
    context["q"], context["status_filter"] = q, trang_thai
    context["zones"] = zone_counts(context["booths"])
    context["phase"] = context["event"].phase_on(clock.today())
    context["registration_open"] = context["event"].registration_open_on(clock.today())
    context["names"] = lambda ids: _product_names(ids, context["products"])
    return render(request, "event.html", context)


async def _registration_action(
    request: Request, event_id: str, act: Callable[[], Awaitable[str]], fallback: str
) -> Response:
    """A staff form on one registration: back to the event page with ``act``'s message, or
    with the refusal (``fallback`` when the form itself was invalid)."""
    guard = require_staff_page(request)
    if isinstance(guard, Response):
        return guard
    path = f"/su-kien/{event_id}"
    try:
        message = await act()
    except (DomainError, ValueError) as exc:
        return back(path, err=getattr(exc, "detail", None) or fallback)
    return back(path, msg=message)


@router.post("/su-kien/{event_id}/don/{participation_id}/xac-nhan")
async def confirm_form(
    request: Request,
    event_id: Id,
    participation_id: Id,
    runtime: Runtime,
    clock: AppClock,
    booth_code: Annotated[str, Form(max_length=16)] = "",
) -> Response:

    async def act() -> str:
        command = ConfirmParticipation(booth_code=booth_code.strip().upper() or None)
        done = await participations.confirm(runtime, participation_id, command, clock)
        return f"Đã xác nhận, xếp gian {done.booth_code}"

    return await _registration_action(request, event_id, act, "Mã gian không hợp lệ")


@router.post("/su-kien/{event_id}/don/{participation_id}/doi-gian")
async def move_form(
    request: Request,
    event_id: Id,
    participation_id: Id,
    runtime: Runtime,
    clock: AppClock,
    booth_code: Annotated[str, Form(max_length=16)] = "",
) -> Response:

    async def act() -> str:
        command = MoveBooth(booth_code=booth_code.strip().upper())
        moved = await participations.move_booth(runtime, participation_id, command, clock)
        return f"Đã chuyển sang gian {moved.booth_code}"

    return await _registration_action(request, event_id, act, "Chọn gian cần chuyển đến")


@router.post("/su-kien/{event_id}/don/{participation_id}/tu-choi")
async def reject_form(
    request: Request,
    event_id: Id,
    participation_id: Id,
    runtime: Runtime,
    clock: AppClock,
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:

    async def act() -> str:
        command = RejectParticipation(reason=reason)
        await participations.reject(runtime, participation_id, command, clock)
        return "Đã từ chối đơn đăng ký"

    return await _registration_action(request, event_id, act, "Cần ghi lý do (ít nhất 3 ký tự)")


@router.post("/su-kien/{event_id}/xac-nhan-hang-loat")
async def confirm_all_form(
    request: Request,
    event_id: Id,
    runtime: Runtime,
    clock: AppClock,
    zone: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Confirm waiting-for-review registrations oldest first, each in its own transaction,
    on the first free booths (of one zone if chosen); ineligible ones are left for review."""
    guard = require_staff_page(request)
    if isinstance(guard, Response):
        return guard
    path = f"/su-kien/{event_id}"
    repository = EventsRepository(runtime.db)
    await repository.get_event(event_id)
    pending = await repository.participations(
        event_id=event_id, status=ParticipationStatus.REGISTERED
    )
    free = sorted(
        (
            b.code
            for b in await repository.booths(event_id)
            if b.participation_id is None and (not zone or b.zone == zone)
        ),
        key=booth_sort_key,
    )
    confirmed, skipped = 0, 0
    for registration in pending:
        if not free:
            break
        try:
            command = ConfirmParticipation(booth_code=free[0])
            await participations.confirm(runtime, registration.id, command, clock)
            free.pop(0)
            confirmed += 1
        except BoothTakenError:
            free.pop(0)  # taken meanwhile from another tablet: this one waits for review
            skipped += 1
        except DomainError:
            skipped += 1  # not eligible any more: staff look at it
    left = len(pending) - confirmed - skipped
    message = f"Đã xác nhận {confirmed} đơn"
    if skipped:
        message += f"; {skipped} đơn cần xem lại (không đủ điều kiện hoặc vừa thay đổi)"
    if left:
        message += f"; {left} đơn còn chờ vì hết gian trống"
    return back(path, msg=message)


@router.post("/su-kien/{event_id}/gian-hang")
async def booths_form(
    request: Request,
    event_id: Id,
    runtime: Runtime,
    zone: Annotated[str, Form(max_length=40)],
    prefix: Annotated[str, Form(max_length=8)],
    first: Annotated[str, Form(max_length=4)] = "1",
    last: Annotated[str, Form(max_length=4)] = "",
    size_m2: Annotated[str, Form(max_length=4)] = "9",
) -> Response:
    """Bulk booth generation for a zone, e.g. A, 1..50 → A01 … A50."""
    guard = require_staff_page(request)
    if isinstance(guard, Response):
        return guard
    path = f"/su-kien/{event_id}"
    try:
        command = GenerateBooths.model_validate(
            {
                "zone": zone,
                "prefix": prefix.strip().upper(),
                "first": first,
                "last": last,
                "size_m2": size_m2,
            }
        )
        created = await participations.generate_booths(runtime, event_id, command)
    except DomainError as exc:
        return back(path, err=exc.detail)
    except ValueError:
        return back(path, err="Kiểm tra lại khu, ký hiệu (chữ in hoa) và số gian (tối đa 500)")
    return back(path, msg=f"Đã thêm {created} gian ở {command.zone}")


@router.post("/su-kien")
async def create_event_form(
    request: Request,
    runtime: Runtime,
    clock: AppClock,
    kind: Annotated[str, Form(max_length=20)],
    name: Annotated[str, Form(max_length=200)],
    venue: Annotated[str, Form(max_length=200)],
    province: Annotated[str, Form(max_length=100)],
    organiser: Annotated[str, Form(max_length=200)],
    starts_on: Annotated[str, Form(max_length=10)],
    ends_on: Annotated[str, Form(max_length=10)],
    registration_opens: Annotated[str, Form(max_length=10)],
    registration_closes: Annotated[str, Form(max_length=10)],
    min_stars: Annotated[str, Form(max_length=1)] = "3",
    max_products: Annotated[str, Form(max_length=2)] = "5",
) -> Response:
    guard = require_staff_page(request)
    if isinstance(guard, Response):
        return guard
    try:
        command = CreateTradeEvent.model_validate(
            {
                "kind": kind,
                "name": name,
                "venue": venue,
                "province": province,
                "organiser": organiser,
                "starts_on": starts_on,
                "ends_on": ends_on,
                "registration_opens": registration_opens,
                "registration_closes": registration_closes,
                "rules": {"min_stars": min_stars, "max_products_per_producer": max_products},
            }
        )
    except ValueError as exc:
        fields = ", ".join(
            str(e["loc"][-1]) for e in getattr(exc, "errors", lambda: [])() if e.get("loc")
        )
        return back("/dieu-hanh", err=f"Kiểm tra lại: {fields or 'dữ liệu sự kiện'}")
    event = await participations.create_event(runtime, command, clock)
    return back(f"/su-kien/{event.id}", msg="Đã tạo sự kiện; hãy thêm gian hàng theo khu")


@router.get("/su-kien/{event_id}/nguoi-tham-gia.xlsx")
async def participants_export(request: Request, event_id: Id, runtime: Runtime) -> Response:
    guard = require_staff_page(request)
    if isinstance(guard, Response):
        return guard
    context = await _event_context(runtime, event_id)
    rows = [
        (
            producer_name(p, context["producer_names"]),
            p.producer_id,
            _product_names(p.product_ids, context["products"]),
            STATUS_LABELS[p.status],
            p.booth_code,
            p.registered_at,
            p.reason,
            "; ".join(flag_text(f, context["products"]) for f in p.flags),
        )
        for p in context["registrations"]
    ]
    return xlsx_response(
        f"Người tham gia - {context['event'].name}.xlsx",
        "Người tham gia",
        [
            "Chủ thể",
            "Mã chủ thể",
            "Sản phẩm",
            "Trạng thái",
            "Gian",
            "Ngày đăng ký",
            "Lý do",
            "Cảnh báo",
        ],
        rows,
    )


@router.get("/su-kien/{event_id}/in", response_class=HTMLResponse)
async def print_page(request: Request, event_id: Id, runtime: Runtime, clock: AppClock) -> Response:
    """Printable participant list (by booth, with a signature column) and booth map by zone."""
    guard = require_staff_page(request)
    if isinstance(guard, Response):
        return guard
    context = await _event_context(runtime, event_id)
    registrations = context["registrations"]
    confirmed = sorted(
        (p for p in registrations if p.status is ParticipationStatus.CONFIRMED),
        key=lambda p: booth_sort_key(p.booth_code or ""),
    )
    pending = [
        p
        for p in registrations
        if p.status in (ParticipationStatus.REGISTERED, ParticipationStatus.WAITLISTED)
    ]
    by_zone: dict[str, list[Any]] = defaultdict(list)
    for booth in sorted(context["booths"], key=lambda b: booth_sort_key(b.code)):
        by_zone[booth.zone].append(booth)
    return render(
        request,
        "print.html",
        {
            **context,
            "confirmed": confirmed,
            "pending": pending,
            "by_zone": dict(by_zone),
            "zones": {b.code: b.zone for b in context["booths"]},
            "holders": {
                p.id: producer_name(p, context["producer_names"]) or p.producer_id
                for p in confirmed
            },
            "free_count": len(context["free_booths"]),
            "names": lambda ids: _product_names(ids, context["products"]),
            "printed_at": clock.now(),
        },
    )


def booth_sort_key(code: str) -> tuple[str, int, str]:
    """A2 before A10: letters, then the number, then the code."""
    letters = code.rstrip("0123456789")
    digits = code[len(letters) :]
    return (letters, int(digits) if digits else 0, code)


@router.get("/dieu-hanh", response_class=HTMLResponse)
async def console(request: Request, runtime: Runtime, clock: AppClock) -> Response:
    """Staff home: upcoming events with their numbers, registrations waiting, flags."""
    guard = require_staff_page(request)
    if isinstance(guard, Response):
        return guard
    repository = EventsRepository(runtime.db)
    rows = []
    to_review, flagged = [], []
    events = await repository.list_events(ending_from=clock.today())
    event_ids = [event.id for event in events]
    booth_counts = await repository.count_booths_of_events(event_ids)
    registrations_of = await repository.participations_by_event(event_ids)
    for event in events:
        registrations = registrations_of[event.id]
        booths = booth_counts[event.id]
        confirmed = sum(p.status is ParticipationStatus.CONFIRMED for p in registrations)
        rows.append(
            {
                "event": event,
                "booths": booths,
                "confirmed": confirmed,
                "waiting": sum(p.status is ParticipationStatus.WAITLISTED for p in registrations),
                "review": sum(p.status is ParticipationStatus.REGISTERED for p in registrations),
            }
        )
        live = [
            p
            for p in registrations
            if p.status
            in (
                ParticipationStatus.REGISTERED,
                ParticipationStatus.CONFIRMED,
                ParticipationStatus.WAITLISTED,
            )
        ]
        to_review += [(event, p) for p in live if p.status is ParticipationStatus.REGISTERED]
        flagged += [(event, p) for p in live if p.flags]
    shown = [p for _, p in to_review + flagged]
    known = await repository.producer_names(sorted({p.producer_id for p in shown}))
    products = await repository.products(sorted({f.product_id for p in shown for f in p.flags}))
    return render(
        request,
        "console.html",
        {
            "rows": rows,
            "to_review": to_review,
            "flagged": flagged,
            "shown_producer": {p.id: producer_name(p, known) or p.producer_id for p in shown},
            "flag_texts": {p.id: [flag_text(f, products) for f in p.flags] for p in shown},
        },
    )
