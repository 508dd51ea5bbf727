"""Producers (chủ thể) and products, searchable without diacritics ("che thom loa").

Officers and council members see everyone; a producer account sees only its own records.
A province holds a few thousand records at most, so the search folds them in memory.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from ocop_certification.adapters.repository import CertificationRepository
from ocop_certification.domain.dossiers import CLOSED, STATUS_LABELS_VI
from ocop_certification.domain.model import Certificate, CertificateStatus, Producer, Product
from ocop_certification.entrypoints.api.deps import Ctx
from ocop_certification.entrypoints.api.page_auth import (
    STAFF_ROLES,
    page,
    principal,
    sign_in_redirect,
)
from ocop_certification.entrypoints.api.routes_oversight import STATUS_VI
from ocop_shared.auth import Principal, Role
from ocop_shared.contracts.certification import LegalForm
from ocop_shared.text import matches

router = APIRouter(include_in_schema=False)

SCAN_LIMIT = 5000
SHOW_LIMIT = 200
Search = Annotated[str | None, Query(max_length=100)]
SafeId = Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_-]*$")]

LEGAL_FORM_VI = {
    LegalForm.ENTERPRISE: "Doanh nghiệp",
    LegalForm.COOPERATIVE: "Hợp tác xã",
    LegalForm.COOPERATIVE_GROUP: "Tổ hợp tác",
    LegalForm.HOUSEHOLD_BUSINESS: "Hộ kinh doanh",
}


def _own_producer(who: Principal) -> str | None:
    """None for staff (everyone visible); the producer's id (or a no-match) otherwise."""
    return None if who.has_any(*STAFF_ROLES) else (who.producer_id or "-")


def current_certificates(
    products: list[Product], certs: list[Certificate]
) -> dict[str, Certificate]:
    """Each product's current certificate (the one the till and public page go by)."""
    by_id = {c.id: c for c in certs}
    return {
        p.id: by_id[p.current_certificate_id]
        for p in products
        if p.current_certificate_id and p.current_certificate_id in by_id
    }


@router.get("/chu-the", response_class=HTMLResponse)
async def producers_page(request: Request, ctx: Ctx, q: Search = None) -> Response:
    who = principal(request)
    if who is None:
        return sign_in_redirect(request)
    repository = CertificationRepository(ctx.runtime.db)
    own = _own_producer(who)
    if own is None:
        everyone = await repository.list_producers(skip=0, limit=SCAN_LIMIT)
    else:
        everyone = list((await repository.producers_by_id([own])).values())
    found: list[Producer] = [
        p
        for p in everyone
        if matches(q, p.name, p.tax_code, p.commune, p.district, p.province, p.gln)
    ]
    products = await repository.list_products(producer_id=own, skip=0, limit=SCAN_LIMIT)
    product_counts: dict[str, int] = defaultdict(int)
    active_counts: dict[str, int] = defaultdict(int)
    for product in products:
        product_counts[product.producer_id] += 1
    today = ctx.clock.today()
    for c in await repository.certificates(status=CertificateStatus.ACTIVE):
        if c.as_of(today).status is CertificateStatus.ACTIVE:
            active_counts[c.producer_id] += 1
    return page(
        request,
        "producers.html",
        who,
        producers=found[:SHOW_LIMIT],
        total=len(found),
        q=q or "",
        product_counts=product_counts,
        active_counts=active_counts,
        legal_form_vi=LEGAL_FORM_VI,
    )


@router.get("/san-pham", response_class=HTMLResponse)
async def products_page(
    request: Request, ctx: Ctx, q: Search = None, producer_id: SafeId = None
) -> Response:
    who = principal(request)
    if who is None:
        return sign_in_redirect(request)
    repository = CertificationRepository(ctx.runtime.db)
    own = _own_producer(who)
    scope = own if own is not None else (producer_id or None)
    everyone = await repository.list_products(producer_id=scope, skip=0, limit=SCAN_LIMIT)
    producers = await repository.producers_by_id(sorted({p.producer_id for p in everyone}))
    found = [
        p
        for p in everyone
        if matches(
            q,
            p.name,
            p.gtin,
            p.commune,
            p.district,
            p.province,
            producers[p.producer_id].name if p.producer_id in producers else None,
        )
    ][:SHOW_LIMIT]
    today = ctx.clock.today()
    certs = [
        c.as_of(today) for c in await repository.certificates_of_products([p.id for p in found])
    ]
    open_dossiers: dict[str, list[str]] = defaultdict(list)
    for d in await repository.list_dossiers(producer_id=scope, limit=SCAN_LIMIT):
        if d.status not in CLOSED:
            open_dossiers[d.product_id].append(d.id)
    chosen = producers.get(producer_id) if producer_id else None
    return page(
        request,
        "products.html",
        who,
        products=found,
        total=len(found),
        producers=producers,
        current=current_certificates(found, certs),
        open_dossiers=open_dossiers,
        q=q or "",
        producer_id=producer_id or "",
        chosen_producer=chosen,
        status_vi=STATUS_VI,
        dossier_labels=STATUS_LABELS_VI,
        sectors=ctx.rules.latest_taxonomy().sectors_1048,
        is_producer=own is not None,
        may_register=who.has_any(Role.PRODUCER, Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER),
    )
