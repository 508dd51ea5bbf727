"""Spreadsheet rows: headers in Vietnamese, validation per row with reasons and line numbers."""

import io
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from ocop_catalog.adapters.spreadsheets import read_table
from ocop_catalog.domain.importing import (
    ImportHeaderError,
    ProductRow,
    RejectedRow,
    map_header,
    parse_row,
    parse_rows,
)


def test_vietnamese_headers_are_recognised_whatever_the_case_and_accents() -> None:
    mapping = map_header(["STT", "Mã sản phẩm", "TÊN SẢN PHẨM", "Giá bán lẻ", "Link truy xuất"])
    assert mapping == {1: "product_id", 2: "name", 3: "suggested_price_vnd", 4: "traceability_url"}


def test_header_without_the_name_column_fails_naming_it() -> None:
    with pytest.raises(ImportHeaderError, match="thiếu cột bắt buộc: ten_san_pham"):
        map_header(["ma_san_pham", "gia_ban_le"])


def test_unknown_column_fails_before_anything_is_read() -> None:
    with pytest.raises(ImportHeaderError, match="cột không nhận ra: Gia ban buon"):
        map_header(["ten_san_pham", "Gia ban buon"])


def test_a_column_given_twice_fails() -> None:
    with pytest.raises(ImportHeaderError, match="trùng"):
        map_header(["ten_san_pham", "Tên sản phẩm"])


@pytest.mark.parametrize(
    ("raw", "price"),
    [("1.250.000", 1_250_000), ("85000", 85_000), ("85,000 ₫", 85_000), (120000.0, 120_000)],
)
def test_prices_are_read_as_whole_vnd(raw: object, price: int) -> None:
    row = parse_row(2, {"name": "Mít sấy", "suggested_price_vnd": raw})
    assert isinstance(row, ProductRow)
    assert row.values["suggested_price_vnd"] == price


def test_every_problem_of_a_row_is_reported() -> None:
    row = parse_row(
        7,
        {
            "product_id": "sp 1",
            "name": "",
            "gtin": "8936045120027",
            "suggested_price_vnd": "12,5",
            "traceability_url": "icheck.vn/x",
            "key_farm_product": "có lẽ",
        },
    )
    assert isinstance(row, RejectedRow)
    assert row.line == 7
    assert [r.split(":")[0] for r in row.reasons] == [
        "ma_san_pham",
        "gtin",
        "gia_ban_le",
        "link_truy_xuat",
        "san_pham_chu_luc",
        "ten_san_pham",
    ]


@pytest.mark.parametrize("code", ["1234567²", "٨٩٣٤٥٨٨٠١٢١١٢", "89345880121¹2"])
def test_a_barcode_with_non_ascii_digits_is_a_rejected_row(code: str) -> None:
    row = parse_row(4, {"name": "Mít sấy", "gtin": code, "gln": code})
    assert isinstance(row, RejectedRow)
    assert [r.split(":")[0] for r in row.reasons] == ["gtin", "gln"]


def test_blank_cells_are_left_out_so_stored_values_stay() -> None:
    row = parse_row(3, {"name": "Chè búp tím", "description": "  ", "key_farm_product": "Có"})
    assert isinstance(row, ProductRow)
    assert row.values == {"name": "Chè búp tím", "key_farm_product": True}


def test_the_second_row_of_a_product_id_is_rejected_with_the_first_line() -> None:
    mapping = {0: "product_id", 1: "name"}
    valid, rejected = parse_rows([(2, ["sp-1", "A"]), (3, ["", ""]), (4, ["sp-1", "B"])], mapping)
    assert [r.line for r in valid] == [2]
    assert rejected[0].line == 4
    assert rejected[0].reasons == ["ma_san_pham: trùng với dòng 2"]


def test_csv_with_semicolons_and_bom_is_read_with_line_numbers() -> None:
    data = "\ufeffMã sản phẩm;Tên sản phẩm\nsp-1;Bưởi Đoan Hùng\n".encode()
    table = read_table("ds.csv", data)
    assert table.mapping == {0: "product_id", 1: "name"}
    assert table.rows == [(2, ["sp-1", "Bưởi Đoan Hùng"])]


def test_xlsx_title_rows_above_the_header_are_skipped() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["DANH SÁCH SẢN PHẨM OCOP TỈNH PHÚ THỌ NĂM 2025"])
    sheet.append([])
    sheet.append(["STT", "Mã sản phẩm", "Tên sản phẩm", "Giá bán lẻ"])
    sheet.append([1, "sp-1", "Mì gạo Hùng Lô", 45000])
    buffer = io.BytesIO()
    book.save(buffer)
    table = read_table("ds.xlsx", buffer.getvalue())
    assert table.rows == [(4, [1, "sp-1", "Mì gạo Hùng Lô", 45000])]


def test_other_file_types_are_refused() -> None:
    with pytest.raises(ImportHeaderError, match=r"\.csv hoặc \.xlsx"):
        read_table("ds.pdf", b"%PDF")


def test_a_csv_cell_over_the_field_limit_is_a_clear_error() -> None:
    with pytest.raises(ImportHeaderError, match="Dòng 2"):
        read_table("ds.csv", b"ten_san_pham\n" + b"x" * 200_000 + b"\n")


def test_a_broken_xlsx_is_a_clear_error() -> None:
    with pytest.raises(ImportHeaderError, match="hỏng"):
        read_table("ds.xlsx", b"not a zip")


def test_a_zip_bomb_xlsx_is_refused_before_it_is_inflated() -> None:
    from ocop_platform.testing.hostile import zip_bomb_xlsx

    bomb = zip_bomb_xlsx(20)  # ~70 KB that openpyxl would spend ~15 s inflating into rows
    assert len(bomb) < 200_000
    with pytest.raises(ImportHeaderError, match="quá lớn"):
        read_table("ds.xlsx", bomb)


def test_a_cell_with_a_control_character_is_a_rejected_row_naming_the_column() -> None:
    row = parse_row(5, {"name": "Bưởi\x03 Đoan Hùng", "description": "Dòng 1\nDòng 2"})
    assert isinstance(row, RejectedRow)
    assert row.reasons == ["«ten_san_pham» chứa ký tự điều khiển không được phép: U+0003"]


def test_a_name_typed_decomposed_is_imported_composed_and_multiline_cells_keep_lines() -> None:
    import unicodedata

    decomposed = unicodedata.normalize("NFD", " Bưởi Đoan Hùng ")
    row = parse_row(6, {"name": decomposed, "description": "Dòng 1\r\nDòng 2\tx"})
    assert isinstance(row, ProductRow)
    assert row.values == {"name": "Bưởi Đoan Hùng", "description": "Dòng 1\nDòng 2\tx"}


@pytest.mark.parametrize(
    ("cell", "province"),
    [
        ("Phú Thọ", "Phú Thọ"),
        ("TỈNH PHU THO", "Phú Thọ"),
        ("Vĩnh Phúc", "Phú Thọ"),  # merged into Phú Thọ on 1/7/2025
        ("Hà Giang", "Tuyên Quang"),
        ("TP. Hồ Chí Minh", "Hồ Chí Minh"),
        ("Thừa Thiên Huế", "Huế"),
    ],
)
def test_a_province_is_read_as_one_of_the_34_of_today(cell: str, province: str) -> None:
    row = parse_row(7, {"name": "Bưởi Đoan Hùng", "province": cell})
    assert isinstance(row, ProductRow)
    assert row.values["province"] == province


def test_an_unknown_province_is_a_rejected_row_not_a_new_province() -> None:
    row = parse_row(8, {"name": "Bưởi Đoan Hùng", "province": "Hà Tây"})
    assert isinstance(row, RejectedRow)
    assert row.reasons[0].startswith("tinh: 'Hà Tây' không phải tỉnh, thành phố nào")


def _xlsx(*rows: list[object], merges: tuple[str, ...] = ()) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_header_merged_over_two_rows_is_read_column_by_column() -> None:
    data = _xlsx(
        ["DANH SÁCH SẢN PHẨM OCOP"],
        ["STT", "Sản phẩm", None, "Chủ thể", None, "Giá bán (đồng)", "Tỉnh thành"],
        [None, "Mã", "Tên", "Mã", "Tên", None, None],
        [1, "sp-1", "Bưởi Đoan Hùng", "ct-1", "HTX Chí Đám", 45000, "Vĩnh Phúc"],
        merges=("B2:C2", "D2:E2", "A2:A3", "F2:F3", "G2:G3"),
    )
    table = read_table("ds.xlsx", data)
    assert table.mapping == {
        1: "product_id",
        2: "name",
        3: "producer_id",
        4: "producer_name",
        5: "suggested_price_vnd",
        6: "province",
    }
    assert [line for line, _ in table.rows] == [4]


def test_a_merged_header_that_cannot_be_read_is_refused_not_half_read() -> None:
    data = _xlsx(
        ["STT", "Tên sản phẩm", "Giá", None],
        [None, None, "Bán lẻ", "Bán buôn"],
        [1, "Bưởi Đoan Hùng", 45000, 40000],
        merges=("C1:D1",),
    )
    with pytest.raises(ImportHeaderError) as refused:
        read_table("ds.xlsx", data)
    assert "cột không nhận ra: Giá Bán buôn" in refused.value.detail
    assert "Tiêu đề gộp ô trên hai dòng" in refused.value.detail


def test_data_under_a_column_without_a_header_is_refused_naming_the_column() -> None:
    data = _xlsx(["Tên sản phẩm", "Giá bán", None], ["Bưởi Đoan Hùng", 45000, "ghi tay"])
    with pytest.raises(ImportHeaderError, match="Cột C có dữ liệu nhưng không có tiêu đề"):
        read_table("ds.xlsx", data)


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("Giá bán", "suggested_price_vnd"),
        ("Giá bán lẻ (đồng)", "suggested_price_vnd"),
        ("Tỉnh thành", "province"),
        ("Tỉnh/Thành phố", "province"),
        ("Tên sản phẩm (*)", "name"),
        ("Mã vạch (GTIN)", "gtin"),
        ("ĐVT", "unit"),
    ],
)
def test_header_synonyms_provinces_use_are_recognised(label: str, field: str) -> None:
    assert (
        map_header(["Tên sản phẩm", label] if field != "name" else [label])[
            1 if field != "name" else 0
        ]
        == field
    )


def test_the_rejected_rows_report_never_writes_a_formula(tmp_path: Path) -> None:
    import csv

    from ocop_catalog.entrypoints.cli import write_rejected
    from ocop_catalog.service_layer.importer import ImportReport

    report = ImportReport(
        file_name="ds.csv",
        rejected=[RejectedRow(2, None, '=HYPERLINK("http://x","bấm")\x03', ["gia_ban_le: sai"])],
    )
    as_csv, as_xlsx = tmp_path / "loi.csv", tmp_path / "loi.xlsx"
    write_rejected(report, as_csv)
    write_rejected(report, as_xlsx)
    with as_csv.open(encoding="utf-8-sig", newline="") as read:
        rows = list(csv.reader(read))
    assert rows[1][2] == '\'=HYPERLINK("http://x","bấm")\x03'
    sheet = load_workbook(as_xlsx).active
    assert sheet is not None
    assert sheet.cell(2, 3).data_type == "s"
    assert sheet.cell(2, 3).value == '=HYPERLINK("http://x","bấm")\ufffd'
