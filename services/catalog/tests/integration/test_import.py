"""Bulk import of product content: per-row report, idempotent re-runs, certificate untouched."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from ocop_catalog.adapters.repository import PRODUCTS, CatalogRepository
from ocop_catalog.domain.model import CatalogProduct, CertificateState
from ocop_catalog.entrypoints.cli import run_import
from ocop_catalog.service_layer.catalogue import settle
from ocop_platform.infra import Endpoints
from ocop_platform.testing.support import bearer
from ocop_shared.auth import Role
from ocop_shared.contracts.catalog import CertificateStatus
from ocop_shared.messaging.outbox import OUTBOX_COLLECTION
from ocop_shared.timeutil import today_in_vietnam
from ocop_shared.web.body_limit import DEFAULT_MAX_BODY_BYTES

from .conftest import CatalogApp, running_catalog

pytestmark = pytest.mark.integration

HEADER = ["STT", "Mã sản phẩm", "Tên sản phẩm", "Mã chủ thể", "Tỉnh", "Xã", "Giá bán lẻ", "GTIN"]


def big_file(rows: int, bad_every: int = 400) -> tuple[bytes, list[int]]:
    """A province spreadsheet as CSV; every `bad_every`-th row is broken on purpose."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    bad_lines: list[int] = []
    for i in range(1, rows + 1):
        price: str = f"{(i % 90 + 10) * 1000}"
        if i % bad_every == 0:
            price = "mười nghìn"
            bad_lines.append(i + 1)
        writer.writerow(
            [
                i,
                f"sp-{i:05d}",
                f"Sản phẩm thử {i} Đoan Hùng",
                f"ct-{i % 300}",
                "Phú Thọ",
                "Chí Đám",
                price,
                "",
            ]
        )
    return out.getvalue().encode(), bad_lines


async def test_twenty_thousand_rows_report_rejects_by_line_and_rerun_changes_nothing(
    catalog_app: CatalogApp, tmp_path: Path
) -> None:
    data, bad_lines = big_file(20_000)
    path = tmp_path / "ocop_phu_tho.csv"
    path.write_bytes(data)

    first = await run_import(catalog_app.settings, path, dry_run=False, show_progress=False)
    assert first.rows == 20_000
    assert first.created == 20_000 - len(bad_lines)
    assert [r.line for r in first.rejected] == bad_lines
    assert first.rejected[0].reasons == [
        "gia_ban_le: 'mười nghìn' không phải số tiền VND nguyên dương"
    ]

    db = catalog_app.runtime.db
    versions = {d["_id"]: d["version"] async for d in db[PRODUCTS].find({}, {"version": 1})}
    second = await run_import(catalog_app.settings, path, dry_run=False, show_progress=False)
    assert (second.created, second.updated) == (0, 0)
    assert second.unchanged == first.created
    assert {d["_id"]: d["version"] async for d in db[PRODUCTS].find({}, {"version": 1})} == versions
    found = await catalog_app.client.get(
        "/api/v1/products", params={"q": "san pham thu 123 doan hung"}
    )
    assert [i["product"]["id"] for i in found.json()["items"]] == ["sp-00123"]


async def test_content_import_keeps_the_certificate_and_announces_the_new_price(
    catalog_app: CatalogApp,
) -> None:
    today = today_in_vietnam()
    cert = CertificateState(
        certificate_id="gcn-1",
        number="OCOP-PT-1",
        stars=4,
        level="province",
        issuing_authority="UBND tỉnh Phú Thọ",
        decision_number="1/QĐ",
        valid_from=today - timedelta(days=10),
        valid_until=today + timedelta(days=1000),
        status=CertificateStatus.ACTIVE,
    )
    settled = settle(
        None,
        CatalogProduct(id="sp-1", name="Bưởi Đoan Hùng", producer_id="ct-1", certificate=cert),
        today,
    )
    assert settled is not None
    await CatalogRepository(catalog_app.runtime.db).save(settled.product)

    body = 'ten_san_pham,gia_ban_le,don_vi_tinh,mo_ta\nbuoi doan hung,"55.000",quả,Ngọt thanh\n'
    response = await catalog_app.client.post(
        "/api/v1/imports",
        headers=bearer(catalog_app.settings, Role.PROVINCE_OFFICER),
        files={"file": ("noi_dung.csv", body.encode(), "text/csv")},
    )
    assert response.status_code == 200, response.text
    assert response.json()["updated"] == 1
    product = await CatalogRepository(catalog_app.runtime.db).get("sp-1")
    assert product.certificate == cert
    assert product.content.suggested_price_vnd == 55_000
    assert product.version == 2
    outbox = await catalog_app.runtime.db[OUTBOX_COLLECTION].find({"key": "sp-1"}).to_list()
    assert [o["type"] for o in outbox] == ["ocop.catalog.product.updated.v1"]
    assert '"sequence":2' in outbox[0]["payload"].replace(" ", "")
    assert '"suggested_price_vnd":55000' in outbox[0]["payload"].replace(" ", "")


async def test_wrong_header_fails_with_a_clear_message_and_writes_nothing(
    catalog_app: CatalogApp,
) -> None:
    body = "ma_san_pham,ten_sp_x,gia\nsp-1,Bưởi,10000\n"
    response = await catalog_app.client.post(
        "/api/v1/imports",
        headers=bearer(catalog_app.settings, Role.ADMIN),
        files={"file": ("sai.csv", body.encode(), "text/csv")},
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["errors"][0]["field"] == "body.file.header"
    assert "thiếu cột bắt buộc: ten_san_pham" in problem["detail"]
    assert await catalog_app.runtime.db[PRODUCTS].count_documents({}) == 0


async def test_xlsx_upload_reports_rejected_rows(catalog_app: CatalogApp) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Mã sản phẩm", "Tên sản phẩm", "Mã chủ thể", "GTIN"])
    sheet.append(["sp-a", "Chè Nhân Sơn", "ct-1", "8936045310014"])
    sheet.append(["sp-b", "Chè Thôm Loà", "ct-1", "8936045310015"])
    sheet.append(["sp-c", "Cam sành Trung Hà", None, None])
    buffer = io.BytesIO()
    book.save(buffer)
    response = await catalog_app.client.post(
        "/api/v1/imports",
        headers=bearer(catalog_app.settings, Role.PROVINCE_OFFICER),
        files={"file": ("ds.xlsx", buffer.getvalue(), "application/octet-stream")},
    )
    report = response.json()
    assert response.status_code == 200, report
    assert report["created"] == 1
    assert [(r["line"], r["reasons"][0].split(":")[0]) for r in report["rejected"]] == [
        (3, "gtin"),
        (4, "ma_chu_the"),
    ]


async def test_rejected_rows_download_as_xlsx(catalog_app: CatalogApp) -> None:
    response = await catalog_app.client.post(
        "/api/v1/imports",
        params={"report": "xlsx"},
        headers=bearer(catalog_app.settings, Role.PROVINCE_OFFICER),
        files={"file": ("Danh sách.csv", "ten_san_pham,gtin\nChè,123\n".encode())},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "dong_bi_tu_choi.xlsx" in response.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert [c.value for c in sheet[2]][:3] == [2, None, "Chè"]


@pytest.mark.parametrize(("roles", "status"), [((), 401), ((Role.PRODUCER,), 403)])
async def test_only_officers_may_import(
    catalog_app: CatalogApp, roles: tuple[Role, ...], status: int
) -> None:
    headers = bearer(catalog_app.settings, *roles) if roles else {}
    response = await catalog_app.client.post(
        "/api/v1/imports", headers=headers, files={"file": ("a.csv", b"ten_san_pham\nA\n")}
    )
    assert response.status_code == status


async def test_a_raised_import_limit_is_not_cut_by_the_shared_body_cap(infra: Endpoints) -> None:
    big = DEFAULT_MAX_BODY_BYTES + 1024
    async with running_catalog(infra, import_max_bytes=big + 1024) as app:
        response = await app.client.post(
            "/api/v1/imports?dry_run=true",
            headers=bearer(app.settings, Role.PROVINCE_OFFICER),
            files={"file": ("big.csv", b"ten_san_pham\n" + b"x" * big)},
        )
        assert response.status_code == 422, response.text  # read, then refused by the import


async def test_a_file_over_the_size_limit_is_refused(infra: Endpoints) -> None:
    async with running_catalog(infra, import_max_bytes=1024) as app:
        response = await app.client.post(
            "/api/v1/imports",
            headers=bearer(app.settings, Role.PROVINCE_OFFICER),
            files={"file": ("big.csv", b"ten_san_pham\n" + b"x\n" * 2000)},
        )
        assert response.status_code == 413
        assert response.json()["errors"][0]["field"] == "body.file"


async def test_dry_run_reports_without_writing(catalog_app: CatalogApp) -> None:
    response = await catalog_app.client.post(
        "/api/v1/imports",
        params={"dry_run": "true"},
        headers=bearer(catalog_app.settings, Role.PROVINCE_OFFICER),
        files={"file": ("a.csv", b"ma_san_pham,ten_san_pham,ma_chu_the\nsp-1,A,ct-1\n")},
    )
    assert response.json()["created"] == 1
    assert await catalog_app.runtime.db[PRODUCTS].count_documents({}) == 0


async def test_a_product_reached_by_id_and_by_name_in_one_file_keeps_the_last_row(
    catalog_app: CatalogApp,
) -> None:
    repository = CatalogRepository(catalog_app.runtime.db)
    settled = settle(
        None, CatalogProduct(id="sp-9", name="Mắm cá ruộng", producer_id="ct"), today_in_vietnam()
    )
    assert settled is not None
    await repository.save(settled.product)
    body = "ma_san_pham,ten_san_pham,gia_ban_le\nsp-9,Mắm cá ruộng,80000\n,mam ca ruong,90000\n"
    response = await catalog_app.client.post(
        "/api/v1/imports",
        headers=bearer(catalog_app.settings, Role.PROVINCE_OFFICER),
        files={"file": ("a.csv", body.encode())},
    )
    assert response.json()["updated"] == 2
    product = await repository.get("sp-9")
    assert (product.content.suggested_price_vnd, product.version) == (90_000, 3)
