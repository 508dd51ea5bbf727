"""The landing page and the operations CLI against the whole platform started by `ocop run`.

The commands run as an operator runs them, in their own process (in this one a browser test's
Playwright may already own the event loop).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from ocop_platform.testing.platform import RunningSystem

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


def ocop(system: RunningSystem, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**system.env, "COLUMNS": "200"}  # rich: one table row per line
    return subprocess.run(
        [sys.executable, "-m", "ocop_platform.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )


def test_the_portal_shows_every_service_ready_with_its_messaging(
    running_system: RunningSystem,
) -> None:
    summary = httpx.get(f"{running_system.portal}/api/health-summary", timeout=30).json()
    assert (summary["services_up"], summary["services_total"]) == (4, 4)
    by_key = {s["key"]: s for s in summary["services"]}
    assert set(by_key) == {"certification", "catalog", "orders", "events"}
    for service in by_key.values():
        assert service["state"] == "up", service
        assert service["messaging"] is not None, service
        assert service["messaging"]["dead_letters"] == 0
    # The three consumers report their groups (the certification service consumes nothing).
    assert by_key["catalog"]["messaging"]["consumer_lag"]
    assert by_key["orders"]["messaging"]["consumer_lag"]
    assert by_key["events"]["messaging"]["consumer_lag"]

    page = httpx.get(f"{running_system.portal}/", timeout=30)
    assert page.status_code == 200
    assert page.text.count("Sẵn sàng") >= 4
    for url in (running_system.catalog, running_system.orders, running_system.events):
        assert f'href="{url}/' in page.text


def test_lag_lists_the_consumer_groups_per_topic(running_system: RunningSystem) -> None:
    group = running_system.env.get("CATALOG_CONSUMER_GROUP", "catalog")
    result = ocop(running_system, "lag", "--group", group)
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if group in line]
    assert any("certification.certificates" in row for row in rows), result.stdout


def test_import_uploads_a_sheet_to_the_catalogue_and_reports_rejected_rows(
    running_system: RunningSystem, tmp_path: Path
) -> None:
    sheet = tmp_path / "bo_sung_gia.csv"
    sheet.write_text(
        "ma_san_pham,ten_san_pham,don_vi_tinh,gia_ban_le\n"
        ",Nón lá Sai Nga,chiếc,95000\n"
        ",Sản phẩm không có trong danh mục,gói,10000\n",
        encoding="utf-8",
    )
    result = ocop(running_system, "import", str(sheet), "--token", running_system.admin_token)
    assert result.returncode == 3, result.stdout + result.stderr  # one row rejected
    rejected = [line for line in result.stdout.splitlines() if "Sản phẩm không có" in line]
    assert rejected and rejected[0].split("│")[1].strip() == "3", result.stdout  # its line
    found = httpx.get(
        f"{running_system.catalog}/api/v1/products", params={"q": "non la sai nga"}, timeout=10
    ).json()
    (hat,) = [i for i in found["items"] if i["product"]["name"] == "Nón lá Sai Nga"]
    assert hat["product"]["content"]["suggested_price_vnd"] == 95_000


def test_seed_again_is_idempotent(running_system: RunningSystem) -> None:
    before = httpx.get(f"{running_system.catalog}/api/v1/products", timeout=10).json()["total"]
    result = ocop(running_system, "seed", "--token", running_system.admin_token)
    assert result.returncode == 0, result.stdout + result.stderr
    after = httpx.get(f"{running_system.catalog}/api/v1/products", timeout=10).json()["total"]
    assert after == before
