"""`ocop-catalog`: serve the catalogue, import spreadsheets, refresh eligibility.

The demo content is loaded by `ocop seed` (`ocop_platform.seeding`), through the import API."""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path

import typer
import uvicorn
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ocop_catalog.adapters.repository import CatalogRepository, ensure_indexes
from ocop_catalog.config import CatalogSettings
from ocop_catalog.domain.importing import ImportHeaderError
from ocop_catalog.service_layer.importer import (
    REJECTED_HEADERS,
    ImportReport,
    ProductImporter,
    rejected_rows,
)
from ocop_catalog.service_layer.refresh import refresh_eligibility
from ocop_shared.runtime import ServiceRuntime, ensure_messaging_indexes, open_runtime
from ocop_shared.web.exports import csv_row, xlsx_bytes

app = typer.Typer(help="Danh mục sản phẩm OCOP (catalogue service).", no_args_is_help=True)
console = Console()


@app.callback()
def main() -> None:
    """Danh mục sản phẩm OCOP (catalogue service)."""


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Địa chỉ lắng nghe (bind host)."),
    port: int = typer.Option(8002, envvar="OCOP_CATALOG_PORT", help="Cổng (port)."),
) -> None:
    """Chạy API và trang danh mục (run the HTTP API and pages with uvicorn)."""
    uvicorn.run("ocop_catalog.entrypoints.api:create_app", factory=True, host=host, port=port)


async def _runtime(settings: CatalogSettings) -> ServiceRuntime:
    runtime = await open_runtime(settings)
    await ensure_messaging_indexes(runtime.db)
    await ensure_indexes(runtime.db)
    return runtime


async def run_import(
    settings: CatalogSettings, path: Path, *, dry_run: bool, show_progress: bool = True
) -> ImportReport:
    data = await asyncio.to_thread(path.read_bytes)
    runtime = await _runtime(settings)
    importer = ProductImporter(
        runtime.client,
        runtime.db,
        runtime.outbox,
        policies=settings.channel_policies(),
        batch_size=settings.import_batch_size,
    )
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    try:
        with Progress(*columns, console=console, disable=not show_progress) as progress:
            task = progress.add_task(f"Nhập {path.name}", total=None)
            return await importer.import_file(
                path.name,
                data,
                dry_run=dry_run,
                on_total=lambda n: progress.update(task, total=n),
                progress=lambda n: progress.advance(task, n),
            )
    finally:
        await runtime.close()


def print_report(report: ImportReport, limit: int = 50) -> None:
    verb = "Kiểm tra (không ghi)" if report.dry_run else "Đã nhập"
    console.print(
        f"{verb} {report.file_name}: {report.rows} dòng – mới {report.created}, "
        f"cập nhật {report.updated}, không đổi {report.unchanged}, "
        f"bị từ chối [bold red]{len(report.rejected)}[/]"
    )
    if report.rejected:
        table = Table("Dòng", "Mã sản phẩm", "Tên", "Lý do", title="Dòng bị từ chối")
        for line, product_id, name, reasons in rejected_rows(report)[:limit]:
            table.add_row(str(line), product_id, name, reasons)
        console.print(table)
        if len(report.rejected) > limit:
            console.print(f"… và {len(report.rejected) - limit} dòng nữa (xem --report).")


def write_rejected(report: ImportReport, path: Path) -> None:
    """The rejected rows as XLSX (for officers, when the name ends in .xlsx) or CSV."""
    rows = rejected_rows(report)
    if path.suffix.lower() == ".xlsx":
        path.write_bytes(xlsx_bytes("Dòng bị từ chối", REJECTED_HEADERS, rows))
        return
    with path.open("w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        writer.writerow(csv_row(REJECTED_HEADERS))
        writer.writerows(csv_row(row) for row in rows)


@app.command("import")
def import_file(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="Tệp .csv hoặc .xlsx"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Chỉ kiểm tra, không ghi."),
    report: Path | None = typer.Option(None, help="Ghi dòng bị từ chối ra tệp .xlsx hoặc .csv."),
) -> None:
    """Nhập nội dung sản phẩm từ bảng tính của tỉnh (idempotent: chạy lại không đổi gì)."""
    try:
        result = asyncio.run(run_import(CatalogSettings(), path, dry_run=dry_run))
    except ImportHeaderError as exc:
        console.print(f"[bold red]Không nhập được:[/] {exc.detail}")
        raise typer.Exit(2) from exc
    print_report(result)
    if report is not None:
        write_rejected(result, report)
        console.print(f"Đã ghi {len(result.rejected)} dòng bị từ chối vào {report}")


@app.command()
def refresh() -> None:
    """Áp lại chính sách kênh bán cho mọi sản phẩm (chạy hằng ngày hoặc khi đổi chính sách)."""

    async def run() -> int:
        settings = CatalogSettings()
        runtime = await _runtime(settings)
        try:
            return await refresh_eligibility(
                runtime.client, runtime.db, runtime.outbox, policies=settings.channel_policies()
            )
        finally:
            await runtime.close()

    console.print(f"{asyncio.run(run())} sản phẩm thay đổi kênh bán")


@app.command()
def reindex() -> None:
    """Tính lại khóa tìm kiếm của mọi sản phẩm (sau khi quy tắc bỏ dấu/chuẩn hoá chữ thay đổi)."""

    async def run() -> int:
        runtime = await _runtime(CatalogSettings())
        try:
            return await CatalogRepository(runtime.db).rederive_search_keys()
        finally:
            await runtime.close()

    console.print(f"{asyncio.run(run())} sản phẩm được cập nhật khóa tìm kiếm")
