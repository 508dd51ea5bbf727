"""Approximate centres of Vietnam's provinces (34 since 1/7/2025, plus older names still
found in records) for a distance score between a producer and a buyer's delivery point."""

from __future__ import annotations

import math
from functools import lru_cache

from ocop_shared.text import words

_CENTRES: dict[str, tuple[float, float]] = {
    "ha noi": (21.03, 105.85),
    "hue": (16.46, 107.59),
    "thua thien hue": (16.46, 107.59),
    "lai chau": (22.39, 103.47),
    "dien bien": (21.39, 103.02),
    "son la": (21.33, 103.91),
    "lang son": (21.85, 106.76),
    "quang ninh": (20.95, 107.08),
    "thanh hoa": (19.81, 105.78),
    "nghe an": (18.68, 105.68),
    "ha tinh": (18.34, 105.91),
    "cao bang": (22.67, 106.26),
    "tuyen quang": (21.82, 105.21),
    "ha giang": (22.82, 104.98),
    "lao cai": (22.48, 103.97),
    "yen bai": (21.72, 104.90),
    "thai nguyen": (21.59, 105.85),
    "bac kan": (22.15, 105.83),
    "phu tho": (21.32, 105.40),
    "vinh phuc": (21.31, 105.60),
    "hoa binh": (20.81, 105.34),
    "bac ninh": (21.19, 106.07),
    "bac giang": (21.27, 106.19),
    "hung yen": (20.65, 106.05),
    "thai binh": (20.45, 106.34),
    "hai phong": (20.84, 106.69),
    "hai duong": (20.94, 106.33),
    "ninh binh": (20.25, 105.97),
    "nam dinh": (20.42, 106.17),
    "ha nam": (20.54, 105.91),
    "quang tri": (16.75, 107.19),
    "quang binh": (17.47, 106.60),
    "da nang": (16.05, 108.20),
    "quang nam": (15.57, 108.47),
    "quang ngai": (15.12, 108.80),
    "kon tum": (14.35, 108.00),
    "gia lai": (13.98, 108.00),
    "binh dinh": (13.78, 109.22),
    "khanh hoa": (12.24, 109.19),
    "ninh thuan": (11.57, 108.99),
    "lam dong": (11.94, 108.44),
    "dak lak": (12.67, 108.04),
    "phu yen": (13.09, 109.30),
    "ho chi minh": (10.78, 106.70),
    "binh duong": (10.98, 106.65),
    "dong nai": (10.95, 106.82),
    "binh phuoc": (11.75, 106.72),
    "tay ninh": (11.31, 106.10),
    "long an": (10.54, 106.41),
    "can tho": (10.03, 105.78),
    "vinh long": (10.25, 105.97),
    "ben tre": (10.24, 106.38),
    "tra vinh": (9.93, 106.35),
    "dong thap": (10.46, 105.63),
    "tien giang": (10.36, 106.36),
    "an giang": (10.39, 105.44),
    "kien giang": (10.01, 105.08),
    "ca mau": (9.18, 105.15),
    "bac lieu": (9.29, 105.72),
    "soc trang": (9.60, 105.97),
    "hau giang": (9.78, 105.47),
    "ba ria vung tau": (10.35, 107.08),
    "binh thuan": (10.93, 108.10),
    "dak nong": (12.00, 107.69),
}

_PREFIXES = (("thanh", "pho"), ("tp",), ("tinh",))


def province_key(name: str) -> str:
    """'TP. Hồ Chí Minh' → 'ho chi minh'; 'Tỉnh Phú Thọ' → 'phu tho'."""
    parts = words(name)
    for prefix in _PREFIXES:
        if tuple(parts[: len(prefix)]) == prefix:
            parts = parts[len(prefix) :]
            break
    return " ".join(parts)


def centre(name: str) -> tuple[float, float] | None:
    return _CENTRES.get(province_key(name))


@lru_cache(maxsize=8192)
def distance_km(a: str, b: str) -> float | None:
    """Great-circle distance between two provinces' centres; None if either is unknown."""
    if province_key(a) == province_key(b):
        return 0.0
    first, second = centre(a), centre(b)
    if first is None or second is None:
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (*first, *second))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371 * math.asin(math.sqrt(h))


def province_names() -> list[str]:
    """Folded province names ('phu tho', 'ho chi minh'), for recognising places in titles."""
    return list(_CENTRES)
