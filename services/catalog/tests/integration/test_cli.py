"""`ocop-catalog import`: a table of rejected rows, a report file, a clear header error.

Synchronous tests: the CLI runs its own event loop.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from ocop_catalog.entrypoints.cli import app
from ocop_platform.infra import Endpoints
from ocop_platform.testing.support import new_run_id
from ocop_shared.mongo import create_client

pytestmark = pytest.mark.integration


@pytest.fixture
def env(infra: Endpoints) -> dict[str, str]:
    return {
        "MONGODB_URI": infra.mongodb_uri,
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers,
        "CATALOG_MONGODB_DATABASE": f"ocop_catalog_cli_{new_run_id()}",
        "OCOP_LOG_LEVEL": "WARNING",
    }


def _drop(env: dict[str, str]) -> None:
    asyncio.run(_drop_database(env))


async def _drop_database(env: dict[str, str]) -> None:
    client = create_client(env["MONGODB_URI"], app_name="test-cleanup")
    await client.drop_database(env["CATALOG_MONGODB_DATABASE"])
    await client.close()


def test_import_prints_the_rejected_rows_and_writes_a_report(
    env: dict[str, str], tmp_path: Path
) -> None:
    source = tmp_path / "ds.csv"
    source.write_text(
        "ma_san_pham,ten_san_pham,ma_chu_the,gia_ban_le\n"
        "sp-1,Chè Nhân Sơn,ct-1,120000\n"
        "sp-2,Chè Thôm Loà,ct-1,-5\n",
        encoding="utf-8",
    )
    report = tmp_path / "loi.xlsx"
    try:
        result = CliRunner().invoke(app, ["import", str(source), "--report", str(report)], env=env)
        assert result.exit_code == 0, result.output
        assert "mới 1" in result.output
        assert "bị từ chối 1" in result.output
        assert "gia_ban_le" in result.output
        sheet = load_workbook(report).active
        assert sheet is not None
        assert [c.value for c in sheet[2]][:2] == [3, "sp-2"]
    finally:
        _drop(env)


def test_wrong_header_exits_with_a_clear_message(env: dict[str, str], tmp_path: Path) -> None:
    source = tmp_path / "sai.csv"
    source.write_text("ma,ten\nsp-1,A\n", encoding="utf-8")
    try:
        result = CliRunner().invoke(app, ["import", str(source)], env=env)
        assert result.exit_code == 2
        assert "Không nhập được" in result.output
        assert "ten_san_pham" in result.output
    finally:
        _drop(env)
