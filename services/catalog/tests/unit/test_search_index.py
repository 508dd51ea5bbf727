"""The in-memory index: newest version wins, tokens follow renames, pages and totals."""

from datetime import date

from ocop_catalog.adapters.repository import to_doc
from ocop_catalog.domain.model import CatalogProduct
from ocop_catalog.domain.search import SearchQuery, SortOrder
from ocop_catalog.domain.search_index import IndexEntry, SearchIndex

TODAY = date(2026, 1, 1)


def entry(pid: str, name: str, version: int = 1) -> IndexEntry:
    product = CatalogProduct(id=pid, name=name, producer_id="ct", version=version)
    return IndexEntry.of_doc(to_doc(product))


def test_an_older_version_arriving_late_changes_nothing() -> None:
    index = SearchIndex()
    index.upsert(entry("sp-1", "Bưởi Đoan Hùng", version=2))
    index.upsert(entry("sp-1", "Cam sành", version=1))
    assert index.search(SearchQuery(text="buoi"), TODAY) == (1, ["sp-1"])
    assert index.search(SearchQuery(text="cam"), TODAY) == (0, [])


def test_a_renamed_product_is_no_longer_found_by_its_old_words() -> None:
    index = SearchIndex()
    index.upsert(entry("sp-1", "Bưởi Đoan Hùng", version=1))
    index.upsert(entry("sp-1", "Bưởi Sửu Chí Đám", version=2))
    assert index.search(SearchQuery(text="doan hung"), TODAY) == (0, [])
    assert index.search(SearchQuery(text="chi dam buoi"), TODAY) == (1, ["sp-1"])


def test_pages_follow_the_sort_and_total_counts_every_match() -> None:
    index = SearchIndex()
    index.load(entry(f"sp-{i:03d}", f"Chè {i:03d}") for i in range(100))
    total, first = index.search(SearchQuery(text="che", sort=SortOrder.NAME, limit=10), TODAY)
    _, third = index.search(SearchQuery(text="che", sort=SortOrder.NAME, skip=20, limit=10), TODAY)
    assert total == 100
    assert first == [f"sp-{i:03d}" for i in range(10)]
    assert third == [f"sp-{i:03d}" for i in range(20, 30)]
