"""Console forms: a text field as typed, and validation errors in Vietnamese naming the field
as the form labels it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from ocop_shared.errors import DomainError

FIELD_VI = {
    "product_id": "Sản phẩm",
    "round_id": "Đợt đánh giá",
    "subgroup_code": "Phân nhóm",
    "description": "Mô tả",
    "target_stars": "Hạng sao mong muốn",
    "production_capacity": "Năng lực sản xuất",
    "raw_materials": "Nguồn nguyên liệu",
    "contact_person": "Người liên hệ",
    "self_assessment": "Tự đánh giá",
    "inspected_on": "Ngày hậu kiểm",
    "authority": "Cơ quan hậu kiểm",
    "inspectors": "Người hậu kiểm",
    "findings": "Phát hiện",
    "category": "Nhóm vi phạm",
    "revocation": "Quyết định thu hồi",
    "decision_number": "Số quyết định",
    "decision_date": "Ngày quyết định",
    "reason": "Lý do thu hồi",
    "issuing_authority": "Cơ quan ban hành",
}


def _problem(error: Mapping[str, Any]) -> str:
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "cần nhập"
    if kind == "string_too_short":
        return f"cần ít nhất {ctx.get('min_length', 1)} ký tự"
    if kind == "string_too_long":
        return f"tối đa {ctx.get('max_length')} ký tự"
    if kind == "string_pattern_mismatch":
        return "sai định dạng"
    if kind.startswith("date"):
        return "ngày không hợp lệ"
    if kind.startswith(("int", "float")):
        return "phải là số"
    if kind in {"greater_than_equal", "greater_than"}:
        return f"phải từ {ctx.get('ge', ctx.get('gt'))} trở lên"
    if kind in {"less_than_equal", "less_than"}:
        return f"tối đa {ctx.get('le', ctx.get('lt'))}"
    if kind in {"enum", "literal_error"}:
        return "giá trị không hợp lệ"
    if kind == "text_control_characters":  # the kernel's text rule
        return f"chứa ký tự điều khiển không được phép: {', '.join(ctx.get('codes', []))}"
    return str(error.get("msg", "không hợp lệ")).removeprefix("Value error, ")


def message_vi(exc: ValidationError) -> str:
    """The first error as 'Field: problem' (the form keeps the user's input around it)."""
    first = exc.errors()[0]
    names = [FIELD_VI[str(p)] for p in first["loc"] if str(p) in FIELD_VI]
    where = names[-1] if names else "Dữ liệu"
    return f"{where}: {_problem(first)}"


def form_text(form: Any, name: str) -> str:
    """A text field without surrounding spaces; "" when it is missing or a file."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def form_error(exc: DomainError | ValidationError) -> tuple[str, int]:
    """The message and status a console form shows again with: the domain's, or 422."""
    if isinstance(exc, DomainError):
        return exc.detail, exc.status
    return message_vi(exc), 422
