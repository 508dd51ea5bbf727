"""The public catalogue API validates its queries and never answers 500."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio

from ocop_catalog.config import CatalogSettings
from ocop_catalog.entrypoints.api import create_app
from ocop_platform.infra import Endpoints
from ocop_platform.testing.support import isolated_settings, new_run_id, service_api

pytestmark = pytest.mark.integration


@pytest_asyncio.fixture
async def catalog(infra: Endpoints) -> AsyncIterator[httpx.AsyncClient]:
    settings = isolated_settings(
        CatalogSettings,
        kafka=infra.kafka_bootstrap_servers,
        mongodb=infra.mongodb_uri,
        run_id=new_run_id(),
    )
    async with service_api(settings, create_app) as (client, _):
        yield client


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"min_stars": "9"}, "query.min_stars"),
        ({"limit": "0"}, "query.limit"),
        ({"status": "valid"}, "query.status"),
        ({"q": "x" * 500}, "query.q"),
    ],
)
async def test_bad_query_is_a_problem_naming_the_parameter(
    catalog: httpx.AsyncClient, params: dict[str, str], field: str
) -> None:
    response = await catalog.get("/api/v1/products", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in [e["field"] for e in response.json()["errors"]]


async def test_a_bad_query_is_explained_in_vietnamese_by_the_parameter_label(
    catalog: httpx.AsyncClient,
) -> None:
    response = await catalog.get("/api/v1/products", params={"limit": "0", "min_stars": "9"})
    messages = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert messages == {
        "query.limit": "«Số dòng mỗi trang» phải từ 1 trở lên",
        "query.min_stars": "«Số sao tối thiểu» tối đa là 5",
    }


async def test_operator_looking_text_is_searched_as_words(catalog: httpx.AsyncClient) -> None:
    response = await catalog.get("/api/v1/products", params={"q": '{"$gt": ""}'})
    assert response.status_code == 200
    assert response.json()["total"] == 0


async def test_unknown_product_is_404_on_api_and_page(catalog: httpx.AsyncClient) -> None:
    assert (await catalog.get("/api/v1/products/sp-none")).status_code == 404
    assert (await catalog.get("/san-pham/sp-none")).status_code == 404


async def test_catalogue_page_is_public_and_vietnamese(catalog: httpx.AsyncClient) -> None:
    page = await catalog.get("/", params={"q": "bưởi"})
    assert page.status_code == 200
    assert 'lang="vi"' in page.text
    assert "Không tìm thấy sản phẩm phù hợp" in page.text


async def test_browser_gets_a_vietnamese_error_page_not_json(catalog: httpx.AsyncClient) -> None:
    page = await catalog.get("/san-pham/sp-none", headers={"accept": "text/html"})
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "Không tìm thấy" in page.text
    api = await catalog.get("/api/v1/products/sp-none", headers={"accept": "text/html"})
    assert api.headers["content-type"].startswith("application/problem+json")
