"""`ocop import FILE`: upload a province's product spreadsheet to the catalogue import API.

The catalogue does the work (`POST /api/v1/imports`, idempotent); this command shows the
upload's progress, waits for the report and prints the rejected rows by line number.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

import typer

from ocop_platform.cli.console import err, fail, out
from ocop_platform.cli.services import api_token, service_url

if TYPE_CHECKING:  # imported when the command runs: `ocop --help` stays fast
    import httpx
    from rich.progress import Progress

IMPORT_PATH = "/api/v1/imports"
CONTENT_TYPES = {
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class _Reading:
    """A file whose reads advance a progress bar (httpx streams multipart files in chunks)."""

    def __init__(self, handle: IO[bytes], advance: Callable[[int], None]) -> None:
        self._handle = handle
        self._advance = advance

    def read(self, size: int = -1) -> bytes:
        chunk = self._handle.read(size)
        self._advance(len(chunk))
        return chunk

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)


def upload(
    client: httpx.Client, path: Path, *, dry_run: bool, progress: Progress
) -> httpx.Response:
    """POST the file; the bar follows the bytes sent, then says the catalogue is working."""
    size = path.stat().st_size
    task = progress.add_task(f"Gửi {path.name}", total=size)
    sent = 0

    def advance(n: int) -> None:
        nonlocal sent
        sent += n
        progress.update(task, completed=sent)
        if sent >= size:
            progress.update(task, description="Danh mục đang xử lý (importing)…")

    content_type = CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")
    with path.open("rb") as handle:
        response = client.post(
            IMPORT_PATH,
            params={"dry_run": "true"} if dry_run else None,
            files={"file": (path.name, cast(IO[bytes], _Reading(handle, advance)), content_type)},
        )
    progress.update(task, description=f"Đã gửi {path.name} (sent)", completed=size)
    return response


def print_report(body: dict[str, Any], limit: int) -> None:
    verb = "Kiểm tra (không ghi)" if body.get("dry_run") else "Đã nhập"
    rejected = list(body.get("rejected") or [])
    out.print(
        f"{verb} {body.get('file_name')}: {body.get('rows')} dòng – mới {body.get('created')}, "
        f"cập nhật {body.get('updated')}, không đổi {body.get('unchanged')}, "
        f"bị từ chối [bold red]{len(rejected)}[/]"
    )
    if rejected:
        from rich.table import Table

        table = Table("Dòng", "Mã sản phẩm", "Tên", "Lý do", title="Dòng bị từ chối")
        for row in rejected[:limit]:
            reasons = row.get("reasons") or []
            table.add_row(
                str(row.get("line")),
                str(row.get("product_id") or ""),
                str(row.get("name") or ""),
                "; ".join(map(str, reasons)) if isinstance(reasons, list) else str(reasons),
            )
        out.print(table)
        if len(rejected) > limit:
            out.print(f"… và {len(rejected) - limit} dòng nữa (and more).")


def import_file(
    path: Path = typer.Argument(
        ..., exists=True, dir_okay=False, readable=True, help="Tệp .csv hoặc .xlsx"
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Chỉ kiểm tra, không ghi."),
    token: str | None = typer.Option(
        None, envvar="OCOP_TOKEN", help="Token cán bộ tỉnh/quản trị (dev: tự tạo)."
    ),
    limit: int = typer.Option(50, min=0, help="Số dòng bị từ chối in ra tối đa."),
    timeout: float = typer.Option(600.0, min=1.0, help="Chờ tối đa N giây (s)."),
) -> None:
    """Nhập nội dung sản phẩm qua API danh mục (import a product spreadsheet; idempotent).

    Exit code 1 if the catalogue refuses the file, 3 if some rows were rejected.
    """
    import httpx
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    base_url = service_url("catalog")
    headers = {"Authorization": f"Bearer {api_token(token)}"}
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
    )
    try:
        with (
            httpx.Client(base_url=base_url, headers=headers, timeout=timeout) as client,
            Progress(*columns, console=err) as progress,
        ):
            response = upload(client, path, dry_run=dry_run, progress=progress)
    except httpx.HTTPError as exc:
        raise fail(f"không gọi được danh mục {base_url} (catalogue unreachable): {exc}") from exc
    if response.status_code != 200:
        raise fail(f"danh mục từ chối tệp (HTTP {response.status_code}): {response.text[:500]}")
    body = response.json()
    print_report(body, limit)
    if body.get("rejected"):
        raise typer.Exit(3)
