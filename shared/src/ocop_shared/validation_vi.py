"""Validation errors in Vietnamese, naming the field by its label: one rule for API problems
(``ocop_shared.web.problems``) and console forms alike.

Pydantic writes "Input should be a valid string"; users read Vietnamese first. Each error type
gets a Vietnamese sentence; the field is named by its schema ``title`` where the model gives one
(``Field(title="Tên sản phẩm")``), else by its name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, get_args

from pydantic import BaseModel

from ocop_shared.text import refusal_message


def _num(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace(".", ",") if isinstance(value, float) else str(value)


def _expected(ctx: Mapping[str, Any]) -> str:
    return str(ctx.get("expected", "")).replace(" or ", " hoặc ")


# error type → what is wrong (the field's label goes in front)
_SENTENCES: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "missing": lambda c: "là bắt buộc",
    "string_type": lambda c: "phải là chuỗi ký tự",
    "string_too_short": lambda c: f"cần ít nhất {c.get('min_length', 1)} ký tự",
    "string_too_long": lambda c: f"dài tối đa {c.get('max_length')} ký tự",
    "string_pattern_mismatch": lambda c: "không đúng định dạng",
    "string_unicode": lambda c: "phải là văn bản Unicode hợp lệ",
    "int_type": lambda c: "phải là số nguyên",
    "int_parsing": lambda c: "phải là số nguyên",
    "int_from_float": lambda c: "phải là số nguyên, không có phần thập phân",
    "int_parsing_size": lambda c: "là số quá lớn",
    "float_type": lambda c: "phải là số",
    "float_parsing": lambda c: "phải là số",
    "finite_number": lambda c: "phải là số hữu hạn",
    "decimal_parsing": lambda c: "phải là số",
    "decimal_type": lambda c: "phải là số",
    "greater_than": lambda c: f"phải lớn hơn {_num(c.get('gt'))}",
    "greater_than_equal": lambda c: f"phải từ {_num(c.get('ge'))} trở lên",
    "less_than": lambda c: f"phải nhỏ hơn {_num(c.get('lt'))}",
    "less_than_equal": lambda c: f"tối đa là {_num(c.get('le'))}",
    "multiple_of": lambda c: f"phải là bội số của {_num(c.get('multiple_of'))}",
    "bool_type": lambda c: "phải là có hoặc không (true/false)",
    "bool_parsing": lambda c: "phải là có hoặc không (true/false)",
    "date_type": lambda c: "phải là ngày (YYYY-MM-DD)",
    "date_parsing": lambda c: "phải là ngày (YYYY-MM-DD)",
    "date_from_datetime_parsing": lambda c: "phải là ngày (YYYY-MM-DD)",
    "date_from_datetime_inexact": lambda c: "phải là ngày, không kèm giờ",
    "datetime_type": lambda c: "phải là thời điểm (ISO 8601)",
    "datetime_parsing": lambda c: "phải là thời điểm (ISO 8601)",
    "datetime_from_date_parsing": lambda c: "phải là thời điểm (ISO 8601)",
    "timezone_aware": lambda c: "cần ghi múi giờ",
    "enum": lambda c: f"phải là một trong các giá trị: {_expected(c)}",
    "literal_error": lambda c: f"phải là một trong các giá trị: {_expected(c)}",
    "extra_forbidden": lambda c: "không phải trường được chấp nhận",
    "list_type": lambda c: "phải là danh sách",
    "tuple_type": lambda c: "phải là danh sách",
    "set_type": lambda c: "phải là danh sách",
    "dict_type": lambda c: "phải là đối tượng JSON",
    "model_type": lambda c: "phải là đối tượng JSON",
    "model_attributes_type": lambda c: "phải là đối tượng JSON",
    "too_short": lambda c: f"cần ít nhất {c.get('min_length')} phần tử",
    "too_long": lambda c: f"có tối đa {c.get('max_length')} phần tử",
    "url_type": lambda c: "phải là địa chỉ URL",
    "url_parsing": lambda c: "phải là địa chỉ URL hợp lệ",
    "url_scheme": lambda c: "phải là địa chỉ http(s)://",
    "uuid_type": lambda c: "phải là UUID",
    "uuid_parsing": lambda c: "phải là UUID hợp lệ",
    "union_tag_invalid": lambda c: "có loại không hợp lệ",
    "union_tag_not_found": lambda c: "thiếu trường phân loại",
    "bytes_type": lambda c: "phải là dữ liệu nhị phân",
    "json_invalid": lambda c: "không phải JSON hợp lệ",
    "json_type": lambda c: "phải là JSON",
    "value_error": lambda c: "không hợp lệ",
}

MALFORMED_JSON = "JSON không hợp lệ"


def message_vi(error: Mapping[str, Any], label: str | None) -> str:
    """One pydantic error as a Vietnamese sentence naming the field (``«Tên sản phẩm» là bắt
    buộc``). Messages the project wrote itself (``ValueError("...")`` in a validator) are kept:
    they are Vietnamese already."""
    kind = str(error.get("type", ""))
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    where = f"«{label}»" if label else "Dữ liệu"
    if kind == "text_control_characters":
        return refusal_message(
            label, list(ctx.get("codes", [])), multiline=bool(ctx.get("multiline"))
        )
    if kind == "json_invalid":
        detail = str(ctx.get("error", "")).strip()
        return f"{MALFORMED_JSON}" + (f" ({detail})" if detail else "")
    if kind in {"value_error", "assertion_error"}:
        own = (
            str(error.get("msg", ""))
            .removeprefix("Value error, ")
            .removeprefix("Assertion failed, ")
        )
        return f"{where}: {own}" if own else f"{where} không hợp lệ"
    sentence = _SENTENCES.get(kind)
    if sentence is None:
        return f"{where} không hợp lệ"
    return f"{where} {sentence(ctx)}"


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in get_args(annotation) for m in _models_in(arg)]


def label_in(model: type[BaseModel] | None, path: Sequence[Any]) -> str | None:
    """The ``title`` of the field at ``path`` inside ``model`` (nested models, list indexes
    and dict keys walked through), or None where the schema gives no title."""
    title: str | None = None
    models = [model] if model is not None else []
    for part in path:
        if isinstance(part, int) or not models:
            continue
        found = next((m.model_fields[part] for m in models if part in m.model_fields), None)
        if found is None:
            continue  # a dict key (a criterion code) or a union branch name
        title = found.title
        models = _models_in(found.annotation)
    return title


def field_name(loc: Sequence[Any]) -> str | None:
    """The last named part of an error location (``body.product.name`` → ``name``)."""
    names = [str(p) for p in loc if not isinstance(p, int)]
    names = [n for n in names if n not in {"body", "query", "path", "header", "cookie"}]
    return names[-1] if names else None


COMMON_LABELS_VI: Mapping[str, str] = {
    "name": "Tên",
    "province": "Tỉnh/thành phố",
    "commune": "Xã/phường",
    "district": "Huyện (dữ liệu cũ)",
    "description": "Mô tả",
    "note": "Ghi chú",
    "reason": "Lý do",
    "comment": "Nhận xét",
    "decision_number": "Số quyết định",
    "decision_date": "Ngày quyết định",
    "issuing_authority": "Cơ quan ban hành",
    "producer_id": "Mã chủ thể",
    "producer_name": "Tên chủ thể",
    "product_id": "Mã sản phẩm",
    "product_ids": "Sản phẩm",
    "stars": "Hạng sao",
    "min_stars": "Hạng sao tối thiểu",
    "tax_code": "Mã số thuế",
    "gtin": "Mã số mã vạch (GTIN)",
    "gln": "Mã địa điểm (GLN)",
    "group_code": "Nhóm sản phẩm",
    "phone": "Số điện thoại",
    "email": "Thư điện tử",
    "full_name": "Họ và tên",
    "title": "Tiêu đề",
    "keywords": "Từ khóa",
    "year": "Năm",
    "number": "Số",
    "kind": "Loại",
}
"""Labels of fields every service has; a service adds its own (``vietnamese_titles``)."""


def vietnamese_titles(labels: Mapping[str, str]) -> Callable[[str, Any], str]:
    """A pydantic ``field_title_generator``: each field's ``title`` is its Vietnamese label
    (``labels`` first, then ``COMMON_LABELS_VI``, else its name), so problem+json and forms
    name it the way users read it. ``model_config = ConfigDict(field_title_generator=...)``."""
    merged = {**COMMON_LABELS_VI, **labels}

    def title(name: str, _info: Any) -> str:
        return merged.get(name, name)

    return title
