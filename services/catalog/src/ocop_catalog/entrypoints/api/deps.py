"""Dependencies of the catalogue API."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Query, Request
from pydantic import BeforeValidator

from ocop_catalog.adapters.repository import CatalogRepository
from ocop_catalog.adapters.search_feed import SearchFeed
from ocop_catalog.config import CatalogSettings
from ocop_catalog.domain.search import SearchQuery, SortOrder
from ocop_catalog.service_layer.importer import ProductImporter
from ocop_shared.auth import Principal, Role
from ocop_shared.contracts.catalog import CertificateStatus, Channel
from ocop_shared.runtime import ServiceRuntime
from ocop_shared.text import tokens
from ocop_shared.timeutil import Clock
from ocop_shared.web.security import require_roles


def get_repository(request: Request) -> CatalogRepository:
    runtime: ServiceRuntime = request.app.state.runtime
    return CatalogRepository(runtime.db)


def get_search_feed(request: Request) -> SearchFeed | None:
    feed: SearchFeed | None = getattr(request.app.state, "search_feed", None)
    return feed


def get_settings(request: Request) -> CatalogSettings:
    settings: CatalogSettings = request.app.state.settings
    return settings


def get_clock(request: Request) -> Clock:
    clock: Clock = getattr(request.app.state, "clock", None) or Clock()
    return clock


def get_today(clock: Annotated[Clock, Depends(get_clock)]) -> date:
    return clock.today()


def get_importer(request: Request) -> ProductImporter:
    runtime: ServiceRuntime = request.app.state.runtime
    settings = get_settings(request)
    return ProductImporter(
        runtime.client,
        runtime.db,
        runtime.outbox,
        policies=settings.channel_policies(),
        clock=get_clock(request),
        batch_size=settings.import_batch_size,
    )


Repository = Annotated[CatalogRepository, Depends(get_repository)]
Feed = Annotated[SearchFeed | None, Depends(get_search_feed)]
Settings = Annotated[CatalogSettings, Depends(get_settings)]
Today = Annotated[date, Depends(get_today)]
Importer = Annotated[ProductImporter, Depends(get_importer)]
ImportOfficer = Annotated[Principal, Depends(require_roles(Role.PROVINCE_OFFICER))]

SearchText = Annotated[
    str | None,
    Query(max_length=200, title="Từ khóa", description="Tìm không dấu, không phân biệt hoa thường"),
]


def _blank_is_none(value: object) -> object:
    """A search form sends its "any" choices as empty strings (``?min_stars=&status=``)."""
    return None if value == "" else value


Blank = BeforeValidator(_blank_is_none)
MinStars = Annotated[int | None, Query(ge=1, le=5, title="Số sao tối thiểu"), Blank]
ShortText = Annotated[str | None, Query(max_length=100)]
Identifier = Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Skip = Annotated[int, Query(ge=0, le=100_000, title="Bỏ qua")]
Limit = Annotated[int, Query(ge=1, le=200, title="Số dòng mỗi trang")]


def search_query(
    q: SearchText = None,
    min_stars: MinStars = None,
    stars: Annotated[int | None, Query(ge=1, le=5, title="Số sao"), Blank] = None,
    group: ShortText = None,
    province: ShortText = None,
    commune: ShortText = None,
    producer_id: Identifier = None,
    channel: Annotated[Channel | None, Blank] = None,
    status: Annotated[CertificateStatus | None, Query(title="Trạng thái"), Blank] = None,
    expiring_within_days: Annotated[
        int | None, Query(ge=1, le=3650, title="Sắp hết hạn trong (ngày)"), Blank
    ] = None,
    sort: Annotated[SortOrder | None, Blank] = None,
    skip: Skip = 0,
    limit: Limit = 20,
) -> SearchQuery:
    """Filters shared by the JSON API and the public page (validated, typed values only)."""
    return SearchQuery(
        text=q,
        min_stars=min_stars,
        stars=stars,
        group_code=group or None,
        province=province or None,
        commune=commune or None,
        producer_id=producer_id,
        channel=channel,
        status=status,
        expiring_within_days=expiring_within_days,
        sort=sort or (SortOrder.RELEVANCE if tokens(q) else SortOrder.STARS),
        skip=skip,
        limit=limit,
    )


Search = Annotated[SearchQuery, Depends(search_query)]
