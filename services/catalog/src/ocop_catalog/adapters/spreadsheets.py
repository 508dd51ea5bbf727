"""Readers of the spreadsheets provinces keep: CSV (UTF-8 or Windows-1258) and XLSX."""

from __future__ import annotations

import csv
import io
import itertools
import zipfile
from dataclasses import dataclass

from openpyxl import load_workbook

from ocop_catalog.domain.importing import (
    ImportHeaderError,
    looks_like_header,
    map_header,
    two_row_labels,
)

# A zip bomb: a few kilobytes that inflate into gigabytes of rows. Real province workbooks
# compress their sheets 5-20 times; refuse before openpyxl inflates anything.
XLSX_MAX_INFLATED_BYTES = 200 * 1024 * 1024
XLSX_MAX_RATIO = 100
XLSX_RATIO_FROM_BYTES = 10 * 1024 * 1024

# A title such as "DANH SÁCH SẢN PHẨM OCOP NĂM 2025" often sits above the header row.
HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class Table:
    """The header mapping and the data rows, each with its line number in the file."""

    mapping: dict[int, str]
    rows: list[tuple[int, list[object]]]


def read_table(file_name: str, data: bytes) -> Table:
    lower = file_name.lower()
    if lower.endswith(".xlsx"):
        return _table(_xlsx_rows(data))
    if lower.endswith((".csv", ".txt")):
        return _table(_csv_rows(data))
    raise ImportHeaderError("Chỉ nhận tệp .csv hoặc .xlsx (Excel 2007 trở lên)", field="file.name")


def _column(index: int) -> str:
    """Excel's letters for a 0-based column index (0 → A, 27 → AB)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _filled(cells: list[object], index: int) -> bool:
    return index < len(cells) and cells[index] not in (None, "")


def _with_header(
    rows: list[tuple[int, list[object]]], line: int, header: list[object], below: list[object]
) -> Table:
    """The table under a one-row header, unless the row below shows the header really spans
    two rows (values under blank header cells: merged cells): never drop such a column."""
    mapping = map_header(header)
    unlabelled = [j for j in range(len(below)) if _filled(below, j) and not _filled(header, j)]
    if not unlabelled:
        return Table(mapping, [r for r in rows if r[0] > line])
    try:
        two_rows = map_header(list(two_row_labels(header, below)))
    except ImportHeaderError:
        two_rows = None
    if two_rows is None or not set(mapping.values()) <= set(two_rows.values()):
        columns = ", ".join(_column(j) for j in unlabelled)
        raise ImportHeaderError(
            f"Cột {columns} có dữ liệu nhưng không có tiêu đề (hoặc tiêu đề gộp ô trên hai "
            "dòng chưa nhận ra được): hãy đặt cho mỗi cột một tiêu đề trên một dòng",
            field="file.header",
        )
    return Table(two_rows, [r for r in rows if r[0] > line + 1])


def _table(rows: list[tuple[int, list[object]]]) -> Table:
    candidates = [
        r for r in rows[: HEADER_SEARCH_ROWS * 2] if any(c not in (None, "") for c in r[1])
    ]
    if not candidates:
        raise ImportHeaderError("Tệp không có dữ liệu", field="file")
    window = candidates[:HEADER_SEARCH_ROWS]
    following = {line: rows[k + 1][1] for k, (line, _) in enumerate(rows[:-1])}
    # A header on one row, as most files have it (possibly under a title row).
    for line, cells in window:
        if looks_like_header(cells):
            try:
                return _with_header(rows, line, cells, following.get(line, []))
            except ImportHeaderError:
                break
    # A header on two rows with merged cells ("Sản phẩm" over "Mã" and "Tên").
    for (top_line, top), (_, below) in itertools.pairwise(window):
        labels: list[object] = list(two_row_labels(top, below))
        if looks_like_header(labels) and following.get(top_line) is below:
            try:
                return Table(map_header(labels), [r for r in rows if r[0] > top_line + 1])
            except ImportHeaderError as exc:
                raise ImportHeaderError(
                    f"{exc.detail}. Tiêu đề gộp ô trên hai dòng: hãy đặt cho mỗi cột một "
                    "tiêu đề trên một dòng",
                    field=exc.field,
                ) from exc
    # Nothing readable: the error names what is wrong with the most header-like row.
    header_at = next((i for i, (_, cells) in enumerate(window) if looks_like_header(cells)), 0)
    line, header = candidates[header_at]
    return _with_header(rows, line, header, following.get(line, []))


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1258", errors="replace")


def _csv_rows(data: bytes) -> list[tuple[int, list[object]]]:
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[object]]] = []
    try:
        for index, row in enumerate(reader, start=1):
            rows.append((index, list(row)))
    except csv.Error as exc:  # e.g. a cell over the csv module's 128 KB field limit
        line = len(rows) + 1
        raise ImportHeaderError(
            f"Dòng {line}: không đọc được CSV (ô quá dài hoặc sai định dạng)", field="file"
        ) from exc
    return rows


def _refuse_zip_bombs(data: bytes) -> None:
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ImportHeaderError("Tệp .xlsx hỏng hoặc không phải Excel", field="file") from exc
    inflated = sum(m.file_size for m in members)
    suspicious = any(
        m.file_size > XLSX_RATIO_FROM_BYTES
        and m.file_size > XLSX_MAX_RATIO * max(m.compress_size, 1)
        for m in members
    )
    if inflated > XLSX_MAX_INFLATED_BYTES or suspicious:
        raise ImportHeaderError(
            "Tệp .xlsx giải nén ra quá lớn (nghi tệp độc hại); hãy lưu lại bằng Excel", field="file"
        )


def _xlsx_rows(data: bytes) -> list[tuple[int, list[object]]]:
    _refuse_zip_bombs(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportHeaderError("Tệp .xlsx hỏng hoặc không phải Excel", field="file") from exc
    try:
        sheet = book.worksheets[0]
        return [
            (index, list(row))
            for index, row in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        book.close()
