"""Product search: the in-memory index when it is loaded, else the database."""

from __future__ import annotations

from datetime import date

from ocop_catalog.adapters.repository import CatalogRepository
from ocop_catalog.adapters.search_feed import SearchFeed
from ocop_catalog.domain.model import CatalogProduct
from ocop_catalog.domain.search import SearchQuery


async def search_products(
    repository: CatalogRepository, feed: SearchFeed | None, query: SearchQuery, today: date
) -> tuple[int, list[CatalogProduct]]:
    if feed is None or not feed.ready:
        return await repository.search(query, today)
    total, ids = feed.index.search(query, today)
    found = await repository.find_many(ids)  # the page itself is read fresh
    return total, [found[i] for i in ids if i in found]


async def facets(repository: CatalogRepository, feed: SearchFeed | None) -> dict[str, list[str]]:
    if feed is None or not feed.ready:
        return await repository.facets()
    return feed.index.facets()
