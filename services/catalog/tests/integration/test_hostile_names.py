"""Whatever a product is called in storage, pages keep it inert and exports survive it."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from ocop_catalog.adapters.repository import CatalogRepository
from ocop_catalog.domain.model import (
    CatalogProduct,
    CertificateState,
    ProducerProfile,
    ProductContent,
)
from ocop_catalog.service_layer.catalogue import settle
from ocop_shared.contracts.catalog import CertificateStatus
from ocop_shared.timeutil import today_in_vietnam

from .conftest import CatalogApp

pytestmark = pytest.mark.integration

TODAY = today_in_vietnam()
HOSTILE = '=HYPERLINK("http://x","bấm")\x03 <!--<script>alert(1)</script> "\' &amp;'


async def _hostile_product(app: CatalogApp) -> None:
    """Stored as another service's event or an older version may have left it."""
    product = CatalogProduct(
        id="sp-hostile",
        name=HOSTILE,
        producer_id="ct-1",
        producer=ProducerProfile(id="ct-1", name=HOSTILE, legal_form="cooperative"),
        province="Phú Thọ",
        commune="Chí Đám",
        group_code="food",
        certificate=CertificateState(
            certificate_id="gcn-1",
            number="OCOP-1",
            stars=4,
            level="province",
            issuing_authority="UBND tỉnh",
            decision_number="1/QĐ",
            valid_from=TODAY - timedelta(days=10),
            valid_until=TODAY + timedelta(days=700),
            status=CertificateStatus.ACTIVE,
        ),
        content=ProductContent(suggested_price_vnd=45_000, description=HOSTILE),
    )
    settled = settle(None, product, TODAY)
    assert settled is not None
    await CatalogRepository(app.runtime.db).save(settled.product)
    app.app.state.search_feed = None  # ask the database, not the index still catching up


async def test_the_public_export_survives_a_control_character_and_a_formula(
    catalog_app: CatalogApp,
) -> None:
    await _hostile_product(catalog_app)
    response = await catalog_app.client.get("/api/v1/products.xlsx")
    assert response.status_code == 200, response.text
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    name = sheet.cell(2, 2)
    assert name.value == HOSTILE.replace("\x03", "\ufffd")
    assert name.data_type == "s"  # text, never a formula Excel would run


async def test_pages_keep_a_hostile_name_inert(catalog_app: CatalogApp) -> None:
    await _hostile_product(catalog_app)
    for path in ("/", "/san-pham/sp-hostile", "/?q=hyperlink"):
        page = await catalog_app.client.get(path)
        assert page.status_code == 200, path
        assert "sp-hostile" in page.text, path
        assert "<!--<script>" not in page.text, path
        assert "<script>alert(1)" not in page.text, path
        assert "\x03" not in page.text, path
        assert "&lt;!--&lt;script&gt;alert(1)&lt;/script&gt;" in page.text, path
        assert "\"' &amp;amp;" not in page.text, path  # quotes escaped too


async def test_reindex_refolds_names_stored_before_the_fold_knew_their_letters(
    catalog_app: CatalogApp,
) -> None:
    await _hostile_product(catalog_app)
    repository = CatalogRepository(catalog_app.runtime.db)
    product = await repository.get("sp-hostile")
    await repository.save(product.model_copy(update={"name": "Вưởі Đоаn Hùng"}))  # Cyrillic
    products = catalog_app.runtime.db["products"]
    stale = ["hung"]  # what the old fold kept of it: Cyrillic letters were dropped
    await products.update_one({"_id": "sp-hostile"}, {"$set": {"search_tokens": stale}})
    found = await catalog_app.client.get("/api/v1/products", params={"q": "buoi doan hung"})
    assert found.json()["total"] == 0

    assert await repository.rederive_search_keys() == 1
    assert await repository.rederive_search_keys() == 0  # idempotent
    found = await catalog_app.client.get("/api/v1/products", params={"q": "buoi doan hung"})
    assert [i["product"]["id"] for i in found.json()["items"]] == ["sp-hostile"]
