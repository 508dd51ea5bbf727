"""Pydantic models ⇄ MongoDB documents: real datetimes, dates as ISO strings, enums as values."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return value.isoformat()  # sorts and compares as the date does
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value


def to_doc(model: BaseModel, *, key: str = "id") -> dict[str, Any]:
    data: dict[str, Any] = _plain(model.model_dump(exclude=_computed(model)))
    if key in data:
        data["_id"] = data.pop(key)
    return data


def from_doc(cls: type[M], doc: dict[str, Any], *, key: str = "id") -> M:
    data = {k: v for k, v in doc.items() if k != "_id" and k != "search_tokens"}
    if key not in data:
        data[key] = doc["_id"]
    return cls.model_validate(data)


def _computed(model: BaseModel) -> set[str]:
    return set(type(model).model_computed_fields)
