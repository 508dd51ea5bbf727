"""Vietnam's administrative units after the 2025 reorganisation, as data: 34 provinces and
cities (two-level local government since 1/7/2025), with the 63 pre-2025 names as legacy
aliases so old records and spreadsheets map to today's province.

Communes are not listed yet (3,321 after the merger): a commune stays free text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ocop_shared.text import words

_DATA = Path(__file__).parent / "provinces-2025.json"
# "Tỉnh Phú Thọ", "TP. Hồ Chí Minh", "Thành phố Huế" name the same province as "Phú Thọ".
_PREFIXES = (("thanh", "pho"), ("tp",), ("tinh",))


@dataclass(frozen=True)
class Province:
    name: str
    """Today's name ("Phú Thọ", "Hồ Chí Minh")."""
    kind: str
    """"tỉnh" or "thành phố"."""
    legacy: tuple[str, ...]
    """Provinces merged into it on 1/7/2025."""

    @property
    def full_name(self) -> str:
        return f"{'Thành phố' if self.kind == 'thành phố' else 'Tỉnh'} {self.name}"


@dataclass(frozen=True)
class ProvinceMatch:
    province: Province
    legacy_name: str | None
    """The pre-2025 province the text named, when it named one (``None`` for today's)."""


def province_key(text: str) -> str:
    """'TP. Hồ Chí Minh' → 'ho chi minh'; 'Tỉnh Phú Thọ' → 'phu tho' (folded, no prefix)."""
    parts = words(text)
    for prefix in _PREFIXES:
        if tuple(parts[: len(prefix)]) == prefix and len(parts) > len(prefix):
            parts = parts[len(prefix) :]
            break
    return " ".join(parts)


@cache
def provinces() -> tuple[Province, ...]:
    """The 34 provinces and cities, in the order of the resolution."""
    data = json.loads(_DATA.read_text("utf-8"))
    return tuple(
        Province(name=p["name"], kind=p["kind"], legacy=tuple(p["legacy"]))
        for p in data["provinces"]
    )


@cache
def _index() -> dict[str, ProvinceMatch]:
    index: dict[str, ProvinceMatch] = {}
    for province in provinces():
        index[province_key(province.name)] = ProvinceMatch(province, None)
        for old in province.legacy:
            index[province_key(old)] = ProvinceMatch(province, old)
    return index


def find_province(text: str | None) -> ProvinceMatch | None:
    """Today's province named by ``text`` (any case, with or without diacritics or a
    "Tỉnh"/"TP." prefix, or a pre-2025 name); None when it names none."""
    if not text:
        return None
    return _index().get(province_key(text))
