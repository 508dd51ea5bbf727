"""JSON API under /api/v1: public catalogue reads, officers' bulk import."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, UploadFile
from fastapi.responses import Response

from ocop_catalog.domain.importing import ImportHeaderError
from ocop_catalog.entrypoints.api.deps import (
    Feed,
    Importer,
    ImportOfficer,
    Repository,
    Search,
    Settings,
    Today,
)
from ocop_catalog.entrypoints.api.labels import CHANNEL_LABELS, GROUP_LABELS, STATUS_LABELS
from ocop_catalog.entrypoints.api.schemas import (
    ImportReportView,
    ProductPage,
    ProductView,
    RejectedRowView,
)
from ocop_catalog.service_layer import search
from ocop_catalog.service_layer.importer import REJECTED_HEADERS, ImportReport, rejected_rows
from ocop_shared.errors import DomainError, ValidationFailedError
from ocop_shared.web.exports import Cell, xlsx_response

router = APIRouter(prefix="/api/v1", tags=["catalogue"])


class FileTooLargeError(DomainError):
    status = 413
    code = "file-too-large"
    title = "Tệp quá lớn"


ProductId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


@router.get("/products")
async def search_products(
    repository: Repository, feed: Feed, query: Search, today: Today, settings: Settings
) -> ProductPage:
    """Tìm sản phẩm OCOP: chữ không dấu, sao, nhóm, tỉnh, xã, chủ thể, kênh, sắp hết hạn."""
    total, items = await search.search_products(repository, feed, query, today)
    return ProductPage(
        total=total,
        skip=query.skip,
        limit=query.limit,
        items=[ProductView.of(p, today, settings.expiring_soon_days) for p in items],
    )


EXPORT_LIMIT = 20_000
EXPORT_HEADERS = (
    "Mã sản phẩm",
    "Tên sản phẩm",
    "Chủ thể",
    "Tỉnh",
    "Xã, phường",
    "Nhóm",
    "Số sao",
    "Số giấy chứng nhận",
    "Trạng thái",
    "Hiệu lực đến",
    "Giá bán lẻ đề xuất (₫)",
    "GTIN",
    "Kênh bán",
)


@router.get("/products.xlsx", tags=["catalogue"])
async def export_products(
    repository: Repository, feed: Feed, query: Search, today: Today
) -> Response:
    """Danh sách sản phẩm theo bộ lọc, dạng Excel (tối đa 20.000 dòng)."""
    export = replace(query, skip=0, limit=EXPORT_LIMIT)
    _, items = await search.search_products(repository, feed, export, today)
    rows: list[list[Cell]] = [
        [
            p.id,
            p.name,
            p.producer.name if p.producer else "",
            p.province or "",
            p.commune or "",
            GROUP_LABELS.get(p.group_code or "", p.group_code or ""),
            p.certificate.stars if p.certificate else None,
            p.certificate.number if p.certificate else "",
            STATUS_LABELS[p.certificate_status(today).value],
            p.certificate.valid_until if p.certificate else None,
            p.content.suggested_price_vnd,
            p.gtin or "",
            ", ".join(CHANNEL_LABELS[c.value] for c in p.eligible_channels),
        ]
        for p in items
    ]
    return xlsx_response(
        f"san_pham_ocop_{today:%Y%m%d}.xlsx", "Sản phẩm OCOP", EXPORT_HEADERS, rows
    )


@router.get("/products/{product_id}")
async def get_product(
    product_id: ProductId, repository: Repository, today: Today, settings: Settings
) -> ProductView:
    return ProductView.of(await repository.get(product_id), today, settings.expiring_soon_days)


@router.post("/imports", tags=["import"], response_model=ImportReportView)
async def import_products(
    request: Request,
    file: UploadFile,
    officer: ImportOfficer,
    importer: Importer,
    settings: Settings,
    dry_run: Annotated[bool, Query(description="Chỉ kiểm tra, không ghi")] = False,
    report_format: Annotated[
        Literal["json", "xlsx"],
        Query(alias="report", description="xlsx: tải về các dòng bị từ chối dưới dạng Excel"),
    ] = "json",
) -> ImportReportView | Response:
    """Nhập nội dung sản phẩm từ tệp CSV/XLSX (cán bộ tỉnh, quản trị). Chạy lại không đổi gì."""
    limit = settings.import_max_bytes
    too_large = FileTooLargeError(
        f"Tệp lớn hơn giới hạn {limit // (1024 * 1024)} MB", field="body.file"
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + 64 * 1024:
        raise too_large
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise too_large
    name = file.filename or "upload"
    try:
        report = await importer.import_file(name, data, dry_run=dry_run)
    except ImportHeaderError as exc:
        raise ValidationFailedError(exc.detail, field=f"body.{exc.field or 'file'}") from exc
    if report_format == "xlsx":
        stem = name.rsplit(".", 1)[0]
        return xlsx_response(
            f"{stem}_dong_bi_tu_choi.xlsx",
            "Dòng bị từ chối",
            REJECTED_HEADERS,
            rejected_rows(report),
        )
    return report_view(report)


def report_view(report: ImportReport) -> ImportReportView:
    return ImportReportView(
        file_name=report.file_name,
        rows=report.rows,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        rejected=[
            RejectedRowView(line=r.line, product_id=r.product_id, name=r.name, reasons=r.reasons)
            for r in report.rejected
        ],
        dry_run=report.dry_run,
    )
