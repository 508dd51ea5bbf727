"""Server-rendered public pages, Vietnamese first."""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from ocop_catalog.config import CatalogSettings
from ocop_catalog.entrypoints.api.deps import MinStars, Repository, SearchText
from ocop_catalog.entrypoints.api.qr import product_qr_svg
from ocop_catalog.entrypoints.api.schemas import ProductView
from ocop_shared.web.pages import service_templates

router = APIRouter(include_in_schema=False)
templates = service_templates(FilePath(__file__).parent.parent / "templates")

STATUS_LABELS = {
    "active": "Còn hiệu lực",
    "expired": "Hết hiệu lực",
    "revoked": "Đã bị thu hồi",
    "none": "Chưa được công nhận",
}


@router.get("/", response_class=HTMLResponse)
async def catalogue_page(
    request: Request, repository: Repository, q: SearchText = None, min_stars: MinStars = None
) -> HTMLResponse:
    total, items = await repository.search(
        text=q, min_stars=min_stars, province=None, status=None, skip=0, limit=60
    )
    return templates.TemplateResponse(
        request,
        "catalogue.html",
        {
            "views": [ProductView.of(p) for p in items],
            "total": total,
            "q": q or "",
            "min_stars": min_stars,
            "labels": STATUS_LABELS,
        },
    )


ProductId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


@router.get("/san-pham/{product_id}", response_class=HTMLResponse)
async def product_page(
    request: Request, repository: Repository, product_id: ProductId
) -> HTMLResponse:
    view = ProductView.of(await repository.get(product_id))
    return templates.TemplateResponse(
        request, "product.html", {"view": view, "labels": STATUS_LABELS}
    )


@router.get("/san-pham/{product_id}/qr.svg")
async def product_qr(request: Request, repository: Repository, product_id: ProductId) -> Response:
    """QR code printed on labels and shelves: it opens the product's public page."""
    await repository.get(product_id)
    settings: CatalogSettings = request.app.state.settings
    url = f"{settings.public_base_url.rstrip('/')}/san-pham/{product_id}"
    return Response(
        product_qr_svg(url),
        media_type="image/svg+xml",
        headers={"Cache-Control": "public, max-age=3600"},
    )
