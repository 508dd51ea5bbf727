"""Which word of a product title names the product (its head word).

Vietnamese noun phrases put the head first (*trà bưởi* is tea, *bưởi Đoan Hùng* is pomelo),
but sellers often open a title with a generic word or a place: "Đặc sản Phú Thọ – Bưởi Đoan
Hùng", "Sản phẩm chè Thanh Sơn", "Huyện Đoan Hùng: bưởi Bằng Luân". Those leading phrases are
skipped; the lists below are data, extend them rather than the code. Never put a product word
here: *quế* (cinnamon), *miến* (glass noodles), *cua* (crab), *sò* (clam), *bạc hà* (mint, also
a district) fold like generic words or places and must stay heads.
"""

from __future__ import annotations

import re

from ocop_events.domain.provinces import province_names
from ocop_shared.text import fold

GENERIC_PREFIXES: tuple[str, ...] = (
    "dac san",
    "san pham",
    "ocop",
    "nong san",
    "thuong hieu",
    "qua tang",
    "hang",
    "loai",
    "chinh hang",
    "cao cap",
    "tuoi",
    "sach",
    "huu co",
    "nguyen chat",
    "truyen thong",
    "dac biet",
    "thuong hang",
    "sao",
    "tinh",
    "thanh pho",
    "tp",
    "huyen",
    "thi xa",
    "xa",
    "lang",
    "vung",
)
"""Folded phrases that open titles without naming a product ("Đặc sản", "Sản phẩm OCOP 4 sao",
"Huyện …", "Làng …"). *vùng* (region) here is only ever a prefix: sesame is *vừng*, which folds
the same, so "vung" is skipped only when a place follows it (see ``_skip_prefixes``)."""

LOCAL_PLACES: tuple[str, ...] = (
    "doan hung",
    "thanh son",
    "tan son",
    "phu ninh",
    "lam thao",
    "thanh ba",
    "ha hoa",
    "cam khe",
    "yen lap",
    "tam nong",
    "thanh thuy",
    "viet tri",
    "hung lo",
    "bang luan",
    "tan cuong",
    "moc chau",
    "sa pa",
    "van yen",
    "tra linh",
    "cao phong",
    "luc ngan",
    "trung ha",
)
"""Districts and villages famous for OCOP products, on top of every province name."""

# Words that stand for the place itself and never for a product after a generic prefix.
_NEEDS_PLACE_AFTER = frozenset(["vung", "lang", "xa", "tinh", "huyen", "thi xa", "thanh pho"])
_WORD = re.compile(r"\w+", re.UNICODE)


def _phrases(items: tuple[str, ...]) -> list[tuple[str, ...]]:
    # Longest first so "thanh pho" wins over a shorter phrase sharing its first word.
    return sorted({tuple(p.split()) for p in items}, key=len, reverse=True)


_GENERIC = _phrases(GENERIC_PREFIXES)
_PLACES = _phrases(LOCAL_PLACES + tuple(province_names()))


def _match(words: list[str], at: int, phrases: list[tuple[str, ...]]) -> tuple[str, ...] | None:
    for phrase in phrases:
        if tuple(words[at : at + len(phrase)]) == phrase:
            return phrase
    return None


def _skip_prefixes(words: list[str]) -> int:
    """Index of the first word after the leading generic words, numbers and place names."""
    at = 0
    while at < len(words):
        if words[at].isdigit():
            at += 1
            continue
        place = _match(words, at, _PLACES)
        if place is not None:
            at += len(place)
            continue
        generic = _match(words, at, _GENERIC)
        if generic is None:
            break
        following = at + len(generic)
        # "vùng"/"làng"/"xã" are prefixes only when a place follows ("Vừng đen" is sesame).
        if " ".join(generic) in _NEEDS_PLACE_AFTER and _match(words, following, _PLACES) is None:
            break
        at = following
    return at


def after_prefixes(title: str) -> str:
    """The folded title from its head word on: 'Đặc sản Phú Thọ – Bưởi Đoan Hùng' →
    'buoi doan hung'; empty when the title is nothing but prefixes."""
    words = _WORD.findall(fold(title))
    return " ".join(words[_skip_prefixes(words) :])
