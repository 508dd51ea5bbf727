"""Every mutating endpoint, every role: only the intended roles get past authorisation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from ocop_shared.auth import Role
from ocop_shared.testing.support import bearer

if TYPE_CHECKING:
    from conftest import CatalogApp

pytestmark = pytest.mark.integration

ROLES = (
    "admin",
    "province_officer",
    "commune_officer",
    "council_member",
    "producer",
    "showroom_operator",
    "trade_staff",
    "buyer",
)
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
    headers = {r: bearer(settings, Role(r)) for r in ROLES}
    headers["producer"] = bearer(settings, Role.PRODUCER, producer_id="prd-1")
    headers["anonymous"] = {}
    wrong: list[str] = []
    for method, url, files, allowed in table:
        for role in sorted(headers, key=lambda r: r in allowed):  # refusals first
            response = await client.request(method, url, files=files, headers=headers[role])
            status = response.status_code
            assert status < 500, (method, url, role, response.text)
            if (status not in (401, 403)) != (role in allowed):
                wrong.append(f"{method} {url} as {role}: {status} {response.text[:120]}")
            if role == "anonymous":
                assert status == 401, (method, url)
    assert not wrong, "\n".join(wrong)
