"""Properties of the rule engine over any valid score sheets (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ocop_certification.domain.rules import (
    Outcome,
    RoundLevel,
    decide_at_level,
    default_rule_book,
    score,
)

BOOK = default_rule_book()


@st.composite
def council(draw: st.DrawFn, key: str) -> list[dict[str, float]]:
    criteria = BOOK.get(key).criteria("product")
    members = draw(st.integers(1, 7))
    return [
        {c.code: draw(st.integers(0, int(c.max_points * 2))) / 2 for c in criteria}
        for _ in range(members)
    ]


@settings(max_examples=200, deadline=None)
@given(
    key=st.sampled_from(["1048", "148", "1489"]),
    data=st.data(),
    bonus=st.booleans(),
)
def test_results_stay_in_range_and_caps_hold(key: str, data: st.DataObject, bonus: bool) -> None:
    rule_set = BOOK.get(key)
    sheets = data.draw(council(key))
    inputs = {"local_raw_materials": bonus, "local_labour": bonus}
    result = score(rule_set, "product", sheets, inputs)
    assert 0 <= result.result_points <= 100
    assert result.stars == rule_set.stars_for(result.result_points)
    for part, maximum in rule_set.part_maxima.items():
        assert 0 <= result.part_averages[part] <= maximum
    if result.star_cap is not None:
        assert result.stars <= result.star_cap
    else:
        assert result.result_points >= result.average_points
    for level in rule_set.levels:
        decision = decide_at_level(rule_set, level, result)
        if decision.outcome is Outcome.RECOGNISED:
            assert decision.recognised_stars in rule_set.recognition[level]
            assert result.stars >= 3
        if decision.outcome is Outcome.FORWARDED:
            assert result.result_points >= rule_set.forwarding[level]


@settings(max_examples=100, deadline=None)
@given(low=st.floats(0, 100), high=st.floats(0, 100))
def test_more_points_never_mean_fewer_stars(low: float, high: float) -> None:
    low, high = sorted((low, high))
    for rule_set in BOOK.rule_sets:
        assert rule_set.stars_for(low) <= rule_set.stars_for(high)
    assert RoundLevel.PROVINCE in BOOK.get("1489").levels
