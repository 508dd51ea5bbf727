"""Readers of the spreadsheets provinces keep: CSV (UTF-8 or Windows-1258) and XLSX."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass

from openpyxl import load_workbook

from ocop_catalog.domain.importing import ImportHeaderError, looks_like_header, map_header

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


def _table(rows: list[tuple[int, list[object]]]) -> Table:
    candidates = [
        r for r in rows[: HEADER_SEARCH_ROWS * 2] if any(c not in (None, "") for c in r[1])
    ]
    header_at = next(
        (
            i
            for i, (_, cells) in enumerate(candidates[:HEADER_SEARCH_ROWS])
            if looks_like_header(cells)
        ),
        None,
    )
    if not candidates:
        raise ImportHeaderError("Tệp không có dữ liệu", field="file")
    header_line, header = candidates[header_at or 0]
    mapping = map_header(header)  # raises before anything is written
    return Table(mapping, [r for r in rows if r[0] > header_line])


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
