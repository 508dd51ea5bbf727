"""The 34 provinces and cities since 1/7/2025, with the pre-2025 names as aliases."""

from __future__ import annotations

from ocop_shared.places import find_province, provinces


def test_there_are_34_provinces_and_every_pre_2025_province_maps_to_one() -> None:
    listed = provinces()
    assert len(listed) == 34
    assert sum(p.kind == "thành phố" for p in listed) == 6
    # 63 provinces before the merger: the 34 names plus the 29 that disappeared
    gone = {old for p in listed for old in p.legacy if old != "Thừa Thiên Huế"}
    assert len(listed) + len(gone) == 63


def test_names_are_found_with_or_without_diacritics_prefix_or_the_old_name() -> None:
    found = find_province("tinh hoa binh")
    assert found is not None
    assert (found.province.name, found.legacy_name) == ("Phú Thọ", "Hòa Bình")
    assert find_province("Thành phố Hồ Chí Minh") is not None
    assert find_province("Hà Tây") is None
    assert find_province("") is None
