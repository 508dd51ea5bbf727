"""Rows of the provinces' product spreadsheets: header recognition and per-row validation.

Headers are matched after folding (Vietnamese diacritics, case, spaces), so "Tên sản phẩm",
"TEN SAN PHAM" and "ten_san_pham" are the same column. A column absent from the file, or a
blank cell, leaves the stored value as it is; certificate state is never part of a row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ocop_catalog.domain.search import name_key
from ocop_shared.errors import ValidationFailedError
from ocop_shared.identifiers import is_gln, is_gtin
from ocop_shared.places import find_province
from ocop_shared.text import TextRefusedError, clean_text

# Field → accepted header spellings (folded, words joined by "_"). The first is canonical.
COLUMNS: dict[str, tuple[str, ...]] = {
    "product_id": ("ma_san_pham", "product_id", "ma_sp", "ma_sp_ocop", "ma_san_pham_ocop"),
    "name": ("ten_san_pham", "name", "ten_sp", "ten_san_pham_ocop", "san_pham", "ten_hang"),
    "producer_id": ("ma_chu_the", "producer_id", "ma_chu_the_ocop"),
    "producer_name": (
        "ten_chu_the",
        "producer_name",
        "chu_the",
        "chu_the_ocop",
        "ten_chu_the_ocop",
        "ten_co_so",
        "co_so_san_xuat",
        "ten_co_so_san_xuat",
    ),
    "group_code": ("nhom_san_pham", "nhom", "group_code", "nganh_hang", "nhom_nganh"),
    "province": ("tinh", "tinh_thanh_pho", "province", "tinh_thanh", "tinh_tp", "thanh_pho"),
    "commune": (
        "xa",
        "xa_phuong",
        "xa_phuong_thi_tran",
        "commune",
        "phuong_xa",
        "xa_phuong_dac_khu",
    ),
    "district": ("huyen_cu", "huyen", "quan_huyen", "district", "quan_huyen_cu"),
    "gtin": ("gtin", "ma_vach", "ma_so_ma_vach", "ma_gtin", "ma_vach_gtin", "barcode"),
    "gln": ("gln", "ma_gln"),
    "unit": ("don_vi_tinh", "don_vi", "unit", "dvt"),
    "pack_size": ("quy_cach", "quy_cach_dong_goi", "pack_size", "dong_goi", "khoi_luong_tinh"),
    "suggested_price_vnd": (
        "gia_ban_le",
        "gia_ban_le_de_xuat",
        "gia",
        "suggested_price_vnd",
        "gia_ban",
        "don_gia",
        "gia_ban_de_xuat",
        "gia_niem_yet",
    ),
    "description": ("mo_ta", "description", "mo_ta_san_pham", "gioi_thieu_san_pham"),
    "story": ("cau_chuyen_san_pham", "cau_chuyen", "story"),
    "images": ("hinh_anh", "anh", "images", "hinh_anh_san_pham", "link_anh", "anh_san_pham"),
    "traceability_provider": ("don_vi_truy_xuat", "truy_xuat_don_vi", "traceability_provider"),
    "traceability_url": (
        "link_truy_xuat",
        "truy_xuat_url",
        "traceability_url",
        "duong_dan_truy_xuat",
        "truy_xuat_nguon_goc",
    ),
    "key_farm_product": ("san_pham_chu_luc", "chu_luc", "key_farm_product"),
    "sales_points": ("noi_ban", "diem_ban", "sales_points", "dia_diem_ban"),
}
IGNORED_COLUMNS = ("stt", "so_thu_tu", "ghi_chu")
REQUIRED_FIELDS = ("name",)

_ALIASES = {alias: f for f, aliases in COLUMNS.items() for alias in aliases}
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_PRICE = re.compile(r"^\d{1,3}([.,]\d{3})+$|^\d+$")
_LIMITS = {
    "name": 200,
    "producer_name": 200,
    "group_code": 50,
    "province": 100,
    "commune": 100,
    "district": 100,
    "unit": 50,
    "pack_size": 100,
    "description": 5000,
    "story": 10000,
    "traceability_provider": 100,
}
# Cells that may hold line breaks: long texts, and lists one item a line.
_MULTILINE = frozenset({"description", "story", "images", "sales_points"})
_YES = {"co", "x", "yes", "true", "1", "dung"}
_NO = {"khong", "no", "false", "0", "sai"}


class ImportHeaderError(ValidationFailedError):
    """The file's header is not the catalogue's: nothing has been written."""


# "Giá bán lẻ (đồng)", "Tên sản phẩm (*)", "GTIN [13 số]": units, marks and notes in brackets
# are not part of a column's name.
_NOTE = re.compile(r"\([^)]*\)|\[[^\]]*\]|\*")


def header_key(label: object) -> str:
    return name_key(_NOTE.sub(" ", str(label or ""))).replace(" ", "_")


def is_known_header(label: object) -> bool:
    key = header_key(label)
    return key in _ALIASES or key in IGNORED_COLUMNS


def two_row_labels(top: list[object], below: list[object]) -> list[str]:
    """Labels of a header written on two rows with merged cells ("Sản phẩm" over "Mã" and
    "Tên"): each lower cell is read with the upper label it sits under ("Tên sản phẩm"); a
    cell merged down over both rows keeps its upper label."""
    labels: list[str] = []
    parent = ""
    for index in range(max(len(top), len(below))):
        upper = str(top[index]).strip() if index < len(top) and top[index] is not None else ""
        lower = str(below[index]).strip() if index < len(below) and below[index] is not None else ""
        if upper:
            parent = upper
        if not lower:
            labels.append(upper)
            continue
        tried = [f"{lower} {parent}", f"{parent} {lower}", lower] if parent else [lower]
        labels.append(next((t for t in tried if is_known_header(t)), tried[min(1, len(tried) - 1)]))
    return labels


def map_header(labels: list[object]) -> dict[int, str]:
    """Column index → field; raises ImportHeaderError naming what is wrong."""
    mapping: dict[int, str] = {}
    unknown: list[str] = []
    seen: dict[str, str] = {}
    for index, label in enumerate(labels):
        key = header_key(label)
        if not key or key in IGNORED_COLUMNS:
            continue
        target = _ALIASES.get(key)
        if target is None:
            unknown.append(str(label))
            continue
        if target in seen:
            raise ImportHeaderError(
                f"Cột '{label}' trùng với cột '{seen[target]}'", field="file.header"
            )
        seen[target] = str(label)
        mapping[index] = target
    problems = []
    missing = [COLUMNS[f][0] for f in REQUIRED_FIELDS if f not in seen]
    if missing:
        problems.append(f"thiếu cột bắt buộc: {', '.join(missing)}")
    if unknown:
        problems.append(f"cột không nhận ra: {', '.join(unknown)}")
    if problems:
        expected = ", ".join(aliases[0] for aliases in COLUMNS.values())
        raise ImportHeaderError(
            f"Dòng tiêu đề không đúng mẫu ({'; '.join(problems)}). Các cột hợp lệ: {expected}",
            field="file.header",
        )
    return mapping


def looks_like_header(labels: list[object]) -> bool:
    keys = {header_key(label) for label in labels}
    return any(alias in keys for f in REQUIRED_FIELDS for alias in COLUMNS[f])


@dataclass(frozen=True)
class ProductRow:
    """A valid row: only the fields whose cells were filled in."""

    line: int
    values: dict[str, Any]

    @property
    def product_id(self) -> str | None:
        return self.values.get("product_id")

    @property
    def name(self) -> str:
        return str(self.values["name"])


@dataclass(frozen=True)
class RejectedRow:
    line: int
    product_id: str | None
    name: str | None
    reasons: list[str] = field(default_factory=list)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _price(value: object) -> int:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        price = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise ValueError
        price = int(value)
    else:
        text = re.sub(r"\s|₫|đ|vnd|VND|VNĐ", "", str(value))
        if not _PRICE.match(text):
            raise ValueError
        price = int(re.sub(r"[.,]", "", text))
    if not 0 < price <= 1_000_000_000:
        raise ValueError
    return price


def _url(text: str) -> bool:
    return bool(re.match(r"^https?://[^\s/$.?#][^\s]*$", text)) and len(text) <= 500


def _list(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;\n]", text) if part.strip()]


def parse_row(line: int, cells: dict[str, object]) -> ProductRow | RejectedRow:
    """Validate one row; every problem is reported, in Vietnamese, not only the first."""
    values: dict[str, Any] = {}
    reasons: list[str] = []
    refused_fields: set[str] = set()
    for name, raw in cells.items():
        label = COLUMNS[name][0]
        try:  # the kernel's text rule, as for every form and API body
            text = clean_text(_text(raw), field=label, multiline=name in _MULTILINE)
        except TextRefusedError as refused:
            reasons.append(str(refused))
            refused_fields.add(name)
            continue
        if not text:
            continue
        if name in ("product_id", "producer_id"):
            if _ID.match(text):
                values[name] = text
            else:
                reasons.append(f"{label}: chỉ gồm chữ không dấu, số, '-' và '_' (tối đa 64 ký tự)")
        elif name == "gtin":
            if is_gtin(text):
                values[name] = text
            else:
                reasons.append(
                    f"{label}: '{text}' không phải GTIN hợp lệ (8/12/13/14 số, số kiểm tra GS1)"
                )
        elif name == "gln":
            if is_gln(text):
                values[name] = text
            else:
                reasons.append(f"{label}: '{text}' không phải GLN hợp lệ (13 số, số kiểm tra GS1)")
        elif name == "suggested_price_vnd":
            try:
                values[name] = _price(raw)
            except ValueError:
                reasons.append(f"{label}: '{text}' không phải số tiền VND nguyên dương")
        elif name == "images":
            urls = _list(text)
            bad = [u for u in urls if not (_url(u) or u.startswith("/"))]
            if bad:
                reasons.append(f"{label}: địa chỉ ảnh không hợp lệ: {', '.join(bad)}")
            else:
                values[name] = urls
        elif name == "traceability_url":
            if _url(text):
                values[name] = text
            else:
                reasons.append(f"{label}: phải là địa chỉ http(s)://")
        elif name == "key_farm_product":
            answer = name_key(text)
            if answer in _YES:
                values[name] = True
            elif answer in _NO:
                values[name] = False
            else:
                reasons.append(f"{label}: ghi 'có' hoặc 'không'")
        elif name == "sales_points":
            values[name] = _list(text)
        elif name == "province":
            # Today's 34 provinces; a pre-2025 name maps to the province it merged into.
            found = find_province(text)
            if found is None:
                reasons.append(
                    f"{label}: '{text}' không phải tỉnh, thành phố nào trong 34 đơn vị "
                    "hành chính cấp tỉnh (từ 1/7/2025)"
                )
            else:
                values[name] = found.province.name
        else:
            limit = _LIMITS[name]
            if len(text) > limit:
                reasons.append(f"{label}: dài quá {limit} ký tự")
            else:
                values[name] = text
    named = "name" in refused_fields or any(r.startswith("ten_san_pham") for r in reasons)
    if "name" not in values and not named:
        reasons.append("ten_san_pham: bắt buộc")
    if reasons:
        return RejectedRow(
            line, _text(cells.get("product_id")) or None, _text(cells.get("name")) or None, reasons
        )
    return ProductRow(line, values)


def parse_rows(
    rows: Iterable[tuple[int, list[object]]], mapping: dict[int, str]
) -> tuple[list[ProductRow], list[RejectedRow]]:
    """Validate every row; a product id given twice keeps its first row and rejects the rest."""
    valid: list[ProductRow] = []
    rejected: list[RejectedRow] = []
    first_line: dict[str, int] = {}
    for line, row in rows:
        if all(not _text(cell) for cell in row):
            continue
        cells = {f: row[i] if i < len(row) else None for i, f in mapping.items()}
        parsed = parse_row(line, cells)
        if isinstance(parsed, RejectedRow):
            rejected.append(parsed)
            continue
        product_id = parsed.product_id
        if product_id is not None and product_id in first_line:
            reason = f"ma_san_pham: trùng với dòng {first_line[product_id]}"
            rejected.append(RejectedRow(line, product_id, parsed.name, [reason]))
            continue
        if product_id is not None:
            first_line[product_id] = line
        valid.append(parsed)
    return valid, rejected
