"""Every mutating endpoint, every role: only the intended roles get past authorisation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx
import pytest

from ocop_platform.testing.authorisation import authorisation_mismatches, role_headers
from ocop_platform.testing.support import bearer
from ocop_shared.auth import Role

if TYPE_CHECKING:
    from conftest import CatalogApp

pytestmark = pytest.mark.integration

OFFICERS = {"admin", "province_officer"}
CSV = "ten_san_pham,ma_san_pham\nChè Thôm Loà,sp-1\n".encode()


async def test_only_intended_roles_pass_authorisation_on_every_mutating_endpoint(
    catalog_app: CatalogApp,
) -> None:
    client, settings = catalog_app.client, catalog_app.settings
    table: list[tuple[str, str, dict[str, Any], set[str]]] = [
        ("POST", "/api/v1/imports?dry_run=true", {"file": ("a.csv", CSV)}, OFFICERS),
        ("POST", "/api/v1/imports", {"file": ("a.csv", CSV)}, OFFICERS),
    ]
    headers = role_headers(settings, producer=bearer(settings, Role.PRODUCER, producer_id="prd-1"))

    async def send(
        method: str, url: str, files: Any, headers: dict[str, str], role: str
    ) -> httpx.Response:
        return await client.request(method, url, files=files, headers=headers)

    wrong = await authorisation_mismatches(send, table, headers)
    assert not wrong, "\n".join(wrong)
