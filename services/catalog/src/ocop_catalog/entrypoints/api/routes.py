"""Public JSON API under /api/v1 (no token needed to read the catalogue)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from ocop_catalog.entrypoints.api.deps import (
    Limit,
    MinStars,
    Province,
    Repository,
    SearchText,
    Skip,
)
from ocop_catalog.entrypoints.api.schemas import ProductPage, ProductView
from ocop_shared.contracts.catalog import CertificateStatus

router = APIRouter(prefix="/api/v1", tags=["catalogue"])

ProductId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


@router.get("/products")
async def search_products(
    repository: Repository,
    q: SearchText = None,
    min_stars: MinStars = None,
    province: Province = None,
    status: CertificateStatus | None = None,
    skip: Skip = 0,
    limit: Limit = 20,
) -> ProductPage:
    """Tìm sản phẩm OCOP theo tên (không dấu), số sao, tỉnh, trạng thái giấy chứng nhận."""
    total, items = await repository.search(
        text=q,
        min_stars=min_stars,
        province=province,
        status=status.value if status else None,
        skip=skip,
        limit=limit,
    )
    return ProductPage(
        total=total, skip=skip, limit=limit, items=[ProductView.of(p) for p in items]
    )


@router.get("/products/{product_id}")
async def get_product(product_id: ProductId, repository: Repository) -> ProductView:
    return ProductView.of(await repository.get(product_id))
