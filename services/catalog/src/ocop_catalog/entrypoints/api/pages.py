"""Server-rendered public pages, Vietnamese first, no login."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path as FilePath
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from ocop_catalog.entrypoints.api.deps import Feed, Repository, Search, Settings, Today
from ocop_catalog.entrypoints.api.i18n import COOKIE, LANGUAGES, language, translator
from ocop_catalog.entrypoints.api.labels import (
    CHANNEL_LABELS,
    GROUP_LABELS,
    LEGAL_FORMS,
    LEVELS,
    SORT_LABELS,
    STATUS_BADGES,
    STATUS_LABELS,
)
from ocop_catalog.entrypoints.api.qr import product_qr_svg
from ocop_catalog.entrypoints.api.schemas import ProductView
from ocop_catalog.service_layer import search
from ocop_shared.web.pages import service_templates

router = APIRouter(include_in_schema=False)
templates = service_templates(FilePath(__file__).parent.parent / "templates")

PAGE_SIZE = 24

# The code → label tables every page may show.
_LABELS: dict[str, Any] = {
    "labels": STATUS_LABELS,
    "badges": STATUS_BADGES,
    "channels": CHANNEL_LABELS,
    "sorts": SORT_LABELS,
    "group_labels": GROUP_LABELS,
    "legal_forms": LEGAL_FORMS,
    "levels": LEVELS,
}


def render(request: Request, template: str, context: dict[str, Any]) -> HTMLResponse:
    """A page in the visitor's language; `?lang=` is remembered for a year."""
    lang = language(request)
    response = templates.TemplateResponse(
        request, template, {**_LABELS, **context, "lang": lang, "_": translator(lang)}
    )
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
    return response


@router.get("/", response_class=HTMLResponse)
async def catalogue_page(
    request: Request,
    repository: Repository,
    feed: Feed,
    query: Search,
    today: Today,
    settings: Settings,
    page: Annotated[int, Query(ge=1, le=5000)] = 1,
) -> HTMLResponse:
    query = replace(query, skip=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    total, items = await search.search_products(repository, feed, query, today)
    params = {k: v for k, v in request.query_params.items() if k not in ("page", "lang") and v}
    pages = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
    return render(
        request,
        "catalogue.html",
        {
            "views": [ProductView.of(p, today, settings.expiring_soon_days) for p in items],
            "total": total,
            "query": query,
            "facets": await search.facets(repository, feed),
            "page": page,
            "pages": pages,
            "page_url": lambda n: "/?" + urlencode({**params, "page": n}),
            "export_url": "/api/v1/products.xlsx?" + urlencode(params),
            "expiring_days": settings.expiring_soon_days,
        },
    )


ProductId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


@router.get("/san-pham/{product_id}", response_class=HTMLResponse)
async def product_page(
    request: Request,
    repository: Repository,
    product_id: ProductId,
    today: Today,
    settings: Settings,
) -> HTMLResponse:
    view = ProductView.of(await repository.get(product_id), today, settings.expiring_soon_days)
    return render(
        request,
        "product.html",
        {
            "view": view,
            "page_url": _page_url(settings.public_base_url, product_id),
        },
    )


def _page_url(base: str, product_id: str) -> str:
    return f"{base.rstrip('/')}/san-pham/{product_id}"


@router.get("/san-pham/{product_id}/qr.svg")
async def product_qr(
    repository: Repository,
    product_id: ProductId,
    settings: Settings,
    target: Annotated[str, Query(pattern="^(page|traceability)$")] = "page",
) -> Response:
    """QR code printed on labels and shelves: the product page, or its traceability provider."""
    product = await repository.get(product_id)
    url = _page_url(settings.public_base_url, product_id)
    if target == "traceability" and product.content.traceability_url:
        url = product.content.traceability_url
    return Response(
        product_qr_svg(url),
        media_type="image/svg+xml",
        headers={"Cache-Control": "public, max-age=300"},
    )
