"""Pydantic models ↔ MongoDB documents: dates as ISO strings (BSON has no date type),
datetimes as BSON dates, enums as their values, `id` as `_id`."""

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
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def to_doc(model: BaseModel, **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = _plain(model.model_dump(mode="python"))
    if "id" in doc:
        doc["_id"] = doc.pop("id")
    doc.update(extra)
    return doc


def from_doc(cls: type[M], doc: dict[str, Any]) -> M:
    data = {k: v for k, v in doc.items() if k in cls.model_fields}
    if "_id" in doc and "id" in cls.model_fields:
        data["id"] = doc["_id"]
    return cls.model_validate(data)
