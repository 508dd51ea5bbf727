"""Dependencies of the catalogue API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from ocop_catalog.adapters.repository import CatalogRepository
from ocop_shared.runtime import ServiceRuntime


def get_repository(request: Request) -> CatalogRepository:
    runtime: ServiceRuntime = request.app.state.runtime
    return CatalogRepository(runtime.db)


Repository = Annotated[CatalogRepository, Depends(get_repository)]
SearchText = Annotated[
    str | None, Query(max_length=200, description="Tìm không dấu, không phân biệt hoa thường")
]
MinStars = Annotated[int | None, Query(ge=1, le=5)]
Province = Annotated[str | None, Query(max_length=100)]
Skip = Annotated[int, Query(ge=0, le=100_000)]
Limit = Annotated[int, Query(ge=1, le=200)]
