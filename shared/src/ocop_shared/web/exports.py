"""Exports officials open in Excel: XLSX (one sheet, bold frozen header, sized columns) and
the one rule for CSV cells. Both survive whatever is stored: a cell holding a control
character or text that looks like a formula is written as inert text.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from urllib.parse import quote

from fastapi.responses import Response
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from ocop_shared.timeutil import VIETNAM

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Cell = str | int | float | date | datetime | None


# What the XLSX format cannot hold (openpyxl raises IllegalCharacterError on them): C0
# controls but tab, LF, CR; also lone surrogates and the two non-characters.
_XLSX_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
REPLACEMENT = "\ufffd"


def xlsx_text(text: str) -> str:
    """``text`` with every character an XLSX cell cannot hold replaced by U+FFFD (visible)."""
    return _XLSX_ILLEGAL.sub(REPLACEMENT, text)


def _excel_value(value: Cell) -> Cell:
    # Excel has no time zones: show the Vietnamese wall-clock time people expect.
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(VIETNAM).replace(tzinfo=None)
    if isinstance(value, str):
        return xlsx_text(value)
    return value


# A spreadsheet runs a CSV cell beginning with one of these as a formula (or DDE command).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str | int | float:
    """One CSV cell that Excel or LibreOffice will show as text, never run (OWASP CSV
    injection): text beginning with ``= + - @``, tab or CR gets a leading apostrophe;
    numbers stay numbers; None is empty. Every CSV writer puts each cell through this."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    text = str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def csv_row(values: Iterable[object]) -> list[str | int | float]:
    """``csv_cell`` of every value: ``writer.writerow(csv_row(row))``."""
    return [csv_cell(v) for v in values]


def xlsx_bytes(sheet_title: str, headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """An XLSX workbook with one sheet; dates formatted dd/mm/yyyy, money as whole numbers."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    # Excel's limits: 31 characters, none of []:*?/\ in a sheet's name.
    sheet.title = re.sub(r"[\[\]:*?/\\]", " ", _XLSX_ILLEGAL.sub("", sheet_title))[:31] or "Sheet"
    sheet.append([xlsx_text(h) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E3F4E8")
    widths = [len(h) for h in headers]
    for row in rows:
        values = [_excel_value(v) for v in row]
        sheet.append(values)
        for index, value in enumerate(values):
            if isinstance(value, datetime):
                sheet.cell(sheet.max_row, index + 1).number_format = "dd/mm/yyyy hh:mm"
            elif isinstance(value, date):
                sheet.cell(sheet.max_row, index + 1).number_format = "dd/mm/yyyy"
            elif isinstance(value, int):
                sheet.cell(sheet.max_row, index + 1).number_format = "#,##0"
            elif isinstance(value, str) and value.startswith("="):
                # Text from users (a product named "=HYPERLINK(...)") stays text: openpyxl
                # would otherwise write it as a formula that Excel runs on opening.
                sheet.cell(sheet.max_row, index + 1).data_type = "s"
            if index < len(widths):
                widths[index] = max(widths[index], len(str(value)) if value is not None else 0)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 10), 60)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(
    filename: str, sheet_title: str, headers: Sequence[str], rows: Iterable[Sequence[Cell]]
) -> Response:
    """A download response; ``filename`` may contain Vietnamese (RFC 5987 encoding)."""
    return Response(
        xlsx_bytes(sheet_title, headers, rows),
        media_type=XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"},
    )
