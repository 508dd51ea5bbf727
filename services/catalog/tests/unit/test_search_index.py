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


def test_large_result_sets_page_through_the_cached_order() -> None:
    index = SearchIndex()
    index.load(entry(f"sp-{i:04d}", f"Chè {i:04d}") for i in range(3000))
    query = SearchQuery(text="che", sort=SortOrder.NAME, skip=2990, limit=20)
    total, page = index.search(query, TODAY)
    assert total == 3000
    assert page == [f"sp-{i:04d}" for i in range(2990, 3000)]


def test_active_certificate_past_its_end_counts_as_expired_in_filters() -> None:
    from ocop_catalog.domain.model import CertificateState
    from ocop_shared.contracts.catalog import CertificateStatus

    def certified(pid: str, valid_until: date) -> IndexEntry:
        cert = CertificateState(
            certificate_id="g",
            number="n",
            stars=4,
            level="province",
            issuing_authority="UBND",
            decision_number="1",
            valid_from=date(2023, 1, 1),
            valid_until=valid_until,
            status=CertificateStatus.ACTIVE,
        )
        product = CatalogProduct(id=pid, name="Cam sành", producer_id="ct", certificate=cert)
        return IndexEntry.of_doc(to_doc(product))

    index = SearchIndex()
    index.load([certified("old", date(2025, 12, 31)), certified("new", date(2026, 1, 31))])
    active = SearchQuery(status=CertificateStatus.ACTIVE)
    expired = SearchQuery(status=CertificateStatus.EXPIRED)
    assert index.search(active, TODAY) == (1, ["new"])
    assert index.search(expired, TODAY) == (1, ["old"])
    assert index.search(SearchQuery(expiring_within_days=60), TODAY) == (1, ["new"])
    assert index.search(active, date(2026, 2, 1)) == (0, [])


def test_relevance_puts_names_holding_the_words_before_producer_matches() -> None:
    from ocop_catalog.domain.model import CertificateState, ProducerProfile
    from ocop_shared.contracts.catalog import CertificateStatus

    def product(pid: str, name: str, stars: int) -> IndexEntry:
        cert = CertificateState(
            certificate_id=pid,
            number="n",
            stars=stars,
            level="province",
            issuing_authority="UBND",
            decision_number="1",
            valid_from=date(2025, 1, 1),
            valid_until=date(2028, 1, 1),
            status=CertificateStatus.ACTIVE,
        )
        producer = ProducerProfile(id="ct", name="HTX Chè Nhân Sơn")
        item = CatalogProduct(
            id=pid, name=name, producer_id="ct", producer=producer, certificate=cert
        )
        return IndexEntry.of_doc(to_doc(item))

    index = SearchIndex()
    index.load([product("tra", "Trà túi lọc đậu đen", 5), product("che", "Chè Nhân Sơn", 3)])
    relevance = SearchQuery(text="nhan son", sort=SortOrder.RELEVANCE)
    assert index.search(relevance, TODAY) == (2, ["che", "tra"])
    by_stars = SearchQuery(text="nhan son", sort=SortOrder.STARS)
    assert index.search(by_stars, TODAY) == (2, ["tra", "che"])
    typing = SearchQuery(text="che nhan s", sort=SortOrder.RELEVANCE)
    assert index.search(typing, TODAY)[1] == ["che", "tra"]
