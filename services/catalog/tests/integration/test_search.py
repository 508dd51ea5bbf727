"""Search over the read model: Vietnamese text without diacritics, filters, sorting, pages."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook

from ocop_catalog.adapters.repository import CatalogRepository
from ocop_catalog.adapters.search_feed import SearchFeed
from ocop_catalog.domain.model import (
    CatalogProduct,
    CertificateState,
    ProducerProfile,
    ProductContent,
)
from ocop_catalog.service_layer.catalogue import settle
from ocop_platform.testing.support import eventually
from ocop_shared.contracts.catalog import CertificateStatus
from ocop_shared.timeutil import today_in_vietnam

from .conftest import CatalogApp

pytestmark = pytest.mark.integration

TODAY = today_in_vietnam()


def cert(
    stars: int, *, valid_until: date | None = None, status: str = "active"
) -> CertificateState:
    return CertificateState(
        certificate_id=f"gcn-{stars}-{status}",
        number=f"OCOP-{stars}",
        stars=stars,
        level="province",
        issuing_authority="UBND tỉnh",
        decision_number="1/QĐ",
        valid_from=TODAY - timedelta(days=400),
        valid_until=valid_until or TODAY + timedelta(days=700),
        status=CertificateStatus(status),
    )


PRODUCTS = [
    ("sp-buoi-dh", "Bưởi Đoan Hùng", "Phú Thọ", "Chí Đám", "food", cert(4), 45_000),
    ("sp-ruou-buoi", "Rượu bưởi Đoan Hùng", "Phú Thọ", "Chí Đám", "drink", cert(3), 150_000),
    ("sp-mi-gao", "Mì gạo Hùng Lô loại đặc biệt", "Phú Thọ", "Hùng Lô", "food", cert(5), 35_000),
    (
        "sp-dau-den",
        "Trà túi lọc đậu đen xanh lòng",
        "Tuyên Quang",
        "Nhân Lý",
        "drink",
        cert(4, valid_until=TODAY + timedelta(days=30)),
        75_000,
    ),
    (
        "sp-thom-loa",
        "Chè Thôm Loà",
        "Tuyên Quang",
        "Nhân Lý",
        "drink",
        cert(3, status="revoked"),
        100_000,
    ),
    (
        "sp-trau",
        "Thịt trâu khô Tiến Quang",
        "Tuyên Quang",
        "Vinh Quang",
        "food",
        cert(4, valid_until=TODAY - timedelta(days=1)),
        450_000,
    ),
    ("sp-dam", "Đặc sản ĐẦM ĐÀ đồng quê", "Hà Nội", "Đông Anh", "food", None, None),
]


@pytest.fixture(params=["memory_index", "database"])
async def seeded(catalog_app: CatalogApp, request: pytest.FixtureRequest) -> CatalogApp:
    """The same products searched through the in-memory index and through the database."""
    repository = CatalogRepository(catalog_app.runtime.db)
    for pid, name, province, commune, group, certificate, price in PRODUCTS:
        product = CatalogProduct(
            id=pid,
            name=name,
            producer_id=f"ct-{province[:2]}",
            producer=ProducerProfile(
                id=f"ct-{province[:2]}", name=f"HTX {commune}", legal_form="cooperative"
            ),
            province=province,
            commune=commune,
            group_code=group,
            certificate=certificate,
            content=ProductContent(suggested_price_vnd=price),
        )
        settled = settle(None, product, TODAY)
        assert settled is not None
        await repository.save(settled.product)
    feed: SearchFeed = catalog_app.app.state.search_feed
    if request.param == "database":
        catalog_app.app.state.search_feed = None
    else:
        await eventually(lambda: _indexed(feed), until=lambda n: n == len(PRODUCTS))
    return catalog_app


async def _indexed(feed: SearchFeed) -> int:
    return len(feed.index) if feed.ready else -1


async def ids(app: CatalogApp, **params: Any) -> list[str]:
    response = await app.client.get("/api/v1/products", params={"limit": 50, **params})
    assert response.status_code == 200, response.text
    return [item["product"]["id"] for item in response.json()["items"]]


@pytest.mark.parametrize(
    "text",
    [
        "buoi doan hung",
        "BƯỞI ĐOAN HÙNG",
        "doan hung buoi",
        "Bưởi   đoan-Hùng",
        "bươi đoàn hưng",
        "Вưởі Đоаn Hùng",  # Cyrillic В і о а from a Russian keyboard layout
        "Βưởι Đοαn Ηùng",  # Greek Β ι ο α Η
        "ｂｕｏｉ ｄｏａｎ ｈｕｎｇ",  # full-width Latin
        "bu\u031b\u0309o\u031b\u0309i đoan hu\u0300ng",  # combining marks, uncomposed
    ],
)
async def test_text_search_ignores_diacritics_case_spacing_and_word_order(
    seeded: CatalogApp, text: str
) -> None:
    assert sorted(await ids(seeded, q=text)) == ["sp-buoi-dh", "sp-ruou-buoi"]


async def test_d_with_stroke_matches_plain_d_both_ways(seeded: CatalogApp) -> None:
    assert await ids(seeded, q="dac san dam da") == ["sp-dam"]
    assert await ids(seeded, q="ĐẬU ĐEN") == ["sp-dau-den"]


async def test_tone_marks_on_any_vowel_do_not_matter(seeded: CatalogApp) -> None:
    assert await ids(seeded, q="che thom loa") == ["sp-thom-loa"]
    assert await ids(seeded, q="chè thôm lòa") == ["sp-thom-loa"]
    assert await ids(seeded, q="thit trau kho") == ["sp-trau"]


async def test_every_word_must_match(seeded: CatalogApp) -> None:
    assert await ids(seeded, q="buoi hung lo") == []


async def test_producer_and_origin_words_are_searchable(seeded: CatalogApp) -> None:
    assert sorted(await ids(seeded, q="nhan ly")) == ["sp-dau-den", "sp-thom-loa"]


async def test_filters_by_province_without_diacritics_group_and_stars(seeded: CatalogApp) -> None:
    assert sorted(await ids(seeded, province="tuyen quang", group="food")) == ["sp-trau"]
    assert await ids(seeded, min_stars=5) == ["sp-mi-gao"]
    assert sorted(await ids(seeded, commune="Chí Đám")) == ["sp-buoi-dh", "sp-ruou-buoi"]


async def test_status_counts_a_certificate_past_its_end_as_expired(seeded: CatalogApp) -> None:
    assert await ids(seeded, status="expired") == ["sp-trau"]
    assert await ids(seeded, status="revoked") == ["sp-thom-loa"]
    assert await ids(seeded, status="none") == ["sp-dam"]
    assert "sp-trau" not in await ids(seeded, status="active")


async def test_expiring_soon_lists_valid_certificates_ending_within_the_window(
    seeded: CatalogApp,
) -> None:
    assert await ids(seeded, expiring_within_days=60) == ["sp-dau-den"]
    response = await seeded.client.get("/api/v1/products/sp-dau-den")
    assert response.json()["expiring_soon"] is True


async def test_channel_filter_uses_eligibility(seeded: CatalogApp) -> None:
    assert sorted(await ids(seeded, channel="fair")) == [
        "sp-buoi-dh",
        "sp-dau-den",
        "sp-mi-gao",
        "sp-ruou-buoi",
    ]


async def test_sorting_by_price_and_name(seeded: CatalogApp) -> None:
    priced = await ids(seeded, sort="price_asc", status="active")
    assert priced == ["sp-mi-gao", "sp-buoi-dh", "sp-dau-den", "sp-ruou-buoi"]
    by_name = await ids(seeded, sort="name", province="Phú Thọ")
    assert by_name == ["sp-buoi-dh", "sp-mi-gao", "sp-ruou-buoi"]


async def test_pages_do_not_overlap_and_total_counts_all(seeded: CatalogApp) -> None:
    first = await seeded.client.get("/api/v1/products", params={"limit": 3, "sort": "name"})
    second = await seeded.client.get(
        "/api/v1/products", params={"limit": 3, "skip": 3, "sort": "name"}
    )
    a = [i["product"]["id"] for i in first.json()["items"]]
    b = [i["product"]["id"] for i in second.json()["items"]]
    assert first.json()["total"] == len(PRODUCTS)
    assert len(a) == len(b) == 3
    assert not set(a) & set(b)


async def test_catalogue_page_filters_and_shows_status(seeded: CatalogApp) -> None:
    page = await seeded.client.get("/", params={"q": "buoi doan hung", "min_stars": "4"})
    assert page.status_code == 200
    assert 'data-product-id="sp-buoi-dh"' in page.text
    assert 'data-product-id="sp-ruou-buoi"' not in page.text
    assert "45.000" in page.text


async def test_product_page_never_shows_an_ended_certificate_as_valid(seeded: CatalogApp) -> None:
    page = await seeded.client.get("/san-pham/sp-trau")
    assert "Hết hiệu lực" in page.text
    assert "Còn hiệu lực" not in page.text
    assert 'class="stars inactive"' in page.text
    assert "Sản phẩm hiện chưa được bán qua các kênh OCOP" in page.text


async def test_product_page_lists_showrooms_of_its_province(seeded: CatalogApp) -> None:
    page = await seeded.client.get("/san-pham/sp-mi-gao")
    assert "Chợ thành phố Việt Trì" in page.text
    assert "OCOP-5" in page.text
    assert 'id="certificate-status">Còn hiệu lực' in page.text
    assert "Hợp tác xã" in page.text
    assert "Thực phẩm" in page.text  # the group's name, not its code
    assert 'id="level">Cấp tỉnh' in page.text


async def test_producer_link_lists_the_producers_products(seeded: CatalogApp) -> None:
    page = await seeded.client.get("/", params={"producer_id": "ct-Tu"})
    assert page.status_code == 200
    assert page.text.count("data-product-id=") == 3
    assert 'name="producer_id" value="ct-Tu"' in page.text


@pytest.mark.parametrize(("text", "expected"), [("buoi doan h", 2), ("ruou b", 1), ("mi ga", 1)])
async def test_the_last_word_matches_as_a_prefix_while_typing(
    seeded: CatalogApp, text: str, expected: int
) -> None:
    assert len(await ids(seeded, q=text)) == expected


async def test_a_trailing_space_makes_the_last_word_whole(seeded: CatalogApp) -> None:
    assert await ids(seeded, q="mi ga ") == []


async def test_filtered_list_downloads_as_xlsx(seeded: CatalogApp) -> None:
    page = await seeded.client.get("/", params={"province": "Tuyên Quang"})
    assert "/api/v1/products.xlsx?province=Tuy" in page.text
    response = await seeded.client.get("/api/v1/products.xlsx", params={"province": "Tuyên Quang"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert sorted(r[0] for r in rows) == ["sp-dau-den", "sp-thom-loa", "sp-trau"]
    revoked = next(r for r in rows if r[0] == "sp-thom-loa")
    assert revoked[8] == "Đã bị thu hồi"


async def test_visitors_may_read_the_pages_in_english_and_it_is_remembered(
    seeded: CatalogApp,
) -> None:
    page = await seeded.client.get("/san-pham/sp-trau", params={"lang": "en"})
    assert "Expired" in page.text and "Where to buy" in page.text
    assert "Hết hiệu lực" not in page.text
    assert page.cookies.get("lang") == "en"
    cookie = page.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie  # no script reads it
    catalogue = await seeded.client.get("/")  # the client keeps the cookie
    assert "OCOP product catalogue" in catalogue.text
    back = await seeded.client.get("/", params={"lang": "vi"})
    assert "Danh mục sản phẩm OCOP" in back.text
