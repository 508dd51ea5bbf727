"""The landing page and the operations CLI against the whole platform started by `ocop run`."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from ocop_shared.cli import app
from ocop_shared.testing.platform import RunningSystem

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

runner = CliRunner()


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
    env = {**running_system.env, "COLUMNS": "200"}  # one table row per line
    result = runner.invoke(app, ["lag", "--group", group], env=env)
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if group in line]
    assert any("certification.certificates" in row for row in rows), result.output


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
    result = runner.invoke(
        app,
        ["import", str(sheet), "--token", running_system.admin_token],
        env=running_system.env,
    )
    assert result.exit_code == 3, result.output  # one row rejected
    assert "bị từ chối" in result.output and "3" in result.output  # line 3 of the sheet
    found = httpx.get(
        f"{running_system.catalog}/api/v1/products", params={"q": "non la sai nga"}, timeout=10
    ).json()
    (hat,) = [i for i in found["items"] if i["product"]["name"] == "Nón lá Sai Nga"]
    assert hat["product"]["content"]["suggested_price_vnd"] == 95_000


def test_seed_again_is_idempotent(running_system: RunningSystem) -> None:
    before = httpx.get(f"{running_system.catalog}/api/v1/products", timeout=10).json()["total"]
    result = runner.invoke(
        app, ["seed", "--token", running_system.admin_token], env=running_system.env
    )
    assert result.exit_code == 0, result.output
    after = httpx.get(f"{running_system.catalog}/api/v1/products", timeout=10).json()["total"]
    assert after == before
