from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from pathlib import Path

from openpyxl import load_workbook

from ocop_shared.timeutil import FixedClock
from ocop_shared.web.exports import xlsx_bytes
from ocop_shared.web.pages import format_datetime_vn, format_number_vn, format_vnd


def test_money_is_shown_with_dots_and_the_dong_sign() -> None:
    assert format_vnd(1_250_000) == "1.250.000 ₫"
    assert format_vnd(0) == "0 ₫"
    assert format_vnd(-5000) == "-5.000 ₫"


def test_numbers_use_vietnamese_separators() -> None:
    assert format_number_vn(12345) == "12.345"
    assert format_number_vn(12345.5) == "12.345,5"


def test_times_are_shown_in_vietnam() -> None:
    assert format_datetime_vn(datetime(2026, 1, 1, 20, 30, tzinfo=UTC)) == "02/01/2026 03:30"


def test_xlsx_keeps_vietnamese_text_dates_and_money() -> None:
    data = xlsx_bytes(
        "Giấy chứng nhận",
        ["Sản phẩm", "Ngày", "Giá (₫)"],
        [["Bưởi Đoan Hùng", date(2026, 3, 1), 45000]],
    )
    sheet = load_workbook(BytesIO(data)).active
    assert sheet is not None
    assert sheet.title == "Giấy chứng nhận"
    assert sheet.cell(2, 1).value == "Bưởi Đoan Hùng"
    assert sheet.cell(2, 2).number_format == "dd/mm/yyyy"
    assert sheet.cell(2, 3).value == 45000
    assert sheet.freeze_panes == "A2"


def test_fixed_clock_moves_only_when_told() -> None:
    clock = FixedClock(datetime(2026, 11, 23, 17, 30, tzinfo=UTC))
    assert clock.today() == date(2026, 11, 24)  # already tomorrow in Hà Nội
    clock.advance(timedelta(days=1))
    assert clock.today() == date(2026, 11, 25)


def test_xlsx_writes_text_that_looks_like_a_formula_as_text() -> None:
    import io

    from openpyxl import load_workbook

    data = xlsx_bytes("Sản phẩm", ["Tên"], [['=HYPERLINK("http://x","bấm")'], ["=1+1"]])
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    cells = [sheet.cell(row, 1) for row in (2, 3)]
    assert [c.data_type for c in cells] == ["s", "s"]
    assert cells[1].value == "=1+1"


def test_xlsx_survives_control_characters_in_any_cell() -> None:
    hostile = 'Bưởi\x03 =HYPERLINK("http://x","bấm")'
    data = xlsx_bytes("Sản phẩm\x01", ["Tên\x02"], [[hostile], ['=HYPERLINK("http://x")\x00']])
    sheet = load_workbook(BytesIO(data)).active
    assert sheet is not None
    assert sheet.cell(1, 1).value == "Tên\ufffd"
    assert sheet.cell(2, 1).value == 'Bưởi\ufffd =HYPERLINK("http://x","bấm")'
    assert sheet.cell(3, 1).data_type == "s"
    assert sheet.cell(3, 1).value == '=HYPERLINK("http://x")\ufffd'


def test_csv_cells_never_start_a_formula() -> None:
    from ocop_shared.web.exports import csv_cell, csv_row

    assert [csv_cell(v) for v in ["=1+1", "+84", "-x", "@SUM(A1)", "\tx", "\rx"]] == [
        "'=1+1",
        "'+84",
        "'-x",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
    ]
    assert csv_row(["Bưởi", 45000, -5, None, 1.5]) == ["Bưởi", 45000, -5, "", 1.5]


def test_decimals_are_vietnamese_and_never_rounded_up_to_a_band_edge() -> None:
    from fractions import Fraction

    from ocop_shared.numbers import format_points_vn

    assert format_number_vn(89.67) == "89,67"
    assert format_number_vn(Fraction(269_999, 3000)) == "89,99"  # 89.9966…, not 90
    assert format_number_vn(1_234_567.5) == "1.234.567,5"
    assert format_points_vn(90.0) == "90 điểm"


def test_pages_keep_hostile_data_inert_in_text_attributes_and_json_blocks(tmp_path: Path) -> None:
    import json
    import re

    from ocop_shared.web.pages import service_templates

    (tmp_path / "t.html").write_text(
        '<p title="{{ name }}">{{ name }}</p>{{ json_block("data", {"name": name}) }}',
        encoding="utf-8",
    )
    hostile = "</script><!--<script>alert(1)</script> \"' &\x03\x00"
    html = service_templates(tmp_path).env.get_template("t.html").render(name=hostile)
    assert "<script>alert" not in html and "<!--" not in html
    assert "\x03" not in html and "\x00" not in html
    assert html.count("</script>") == 1  # only the block's own end
    block = re.search(r'<script type="application/json" id="data">(.*)</script>', html)
    assert block is not None
    assert json.loads(block.group(1)) == {"name": hostile}
