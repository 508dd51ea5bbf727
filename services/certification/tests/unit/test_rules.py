"""The rule engine, table-driven from DOMAIN.md §3–§4."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from ocop_certification.domain.rules import (
    RULESET_DIRECTORY,
    Outcome,
    RoundLevel,
    RuleSet,
    decide_at_level,
    default_rule_book,
    load_rule_book,
    score,
    validate_sheet,
)
from ocop_shared.errors import ValidationFailedError

BOOK = default_rule_book()
D, P, C = RoundLevel.DISTRICT, RoundLevel.PROVINCE, RoundLevel.CENTRAL


def sheet_with_total(
    rule_set: RuleSet, total: float, criteria_set: str = "product"
) -> dict[str, float]:
    """A sheet worth `total` points that passes every mandatory criterion."""
    criteria = rule_set.criteria(criteria_set)
    scores = {c.code: float(c.min_points or 0) for c in criteria}
    if sum(scores.values()) > total:  # too few points to pass them anyway
        scores = dict.fromkeys(scores, 0.0)
    left = total - sum(scores.values())
    for c in criteria:
        add = min(c.max_points - scores[c.code], left)
        scores[c.code] += add
        left -= add
    assert left == 0
    return scores


@pytest.mark.parametrize(
    ("points", "stars"),
    [
        (0, 1),
        (29, 1),
        (29.99, 1),
        (30, 2),
        (49, 2),
        (50, 3),
        (69, 3),
        (70, 4),
        (89, 4),
        (90, 5),
        (100, 5),
    ],
)
@pytest.mark.parametrize("key", ["1048", "148", "1489"])
def test_star_band_edges(key: str, points: float, stars: int) -> None:
    rule_set = BOOK.get(key)
    assert rule_set.stars_for(points) == stars
    assert score(rule_set, "product", [sheet_with_total(rule_set, points)]).stars == stars


@pytest.mark.parametrize(
    ("key", "a", "b", "c"), [("1048", 35, 25, 40), ("148", 40, 25, 35), ("1489", 40, 25, 35)]
)
def test_part_maxima_differ_between_rule_sets(key: str, a: int, b: int, c: int) -> None:
    rule_set = BOOK.get(key)
    assert rule_set.part_maxima == {"A": a, "B": b, "C": c}
    full = {x.code: x.max_points for x in rule_set.criteria("product")}
    assert score(rule_set, "product", [full]).part_averages == {"A": a, "B": b, "C": c}


def test_a_148_part_a_score_above_the_1048_maximum_is_refused_under_1048() -> None:
    a10 = BOOK.get("148").criteria("product")
    assert any(c.code == "A10" for c in a10)
    with pytest.raises(ValidationFailedError) as info:
        validate_sheet(
            BOOK.get("1048"), "product", {**sheet_with_total(BOOK.get("1048"), 60), "A10": 4}
        )
    assert info.value.field == "body.scores.A10"


@pytest.mark.parametrize(
    ("change", "field"),
    [({"A1": 6}, "body.scores.A1"), ({"B2": -1}, "body.scores.B2"), ({"Z9": 1}, "body.scores.Z9")],
)
def test_out_of_range_or_unknown_scores_are_refused(change: dict[str, float], field: str) -> None:
    rule_set = BOOK.get("148")
    with pytest.raises(ValidationFailedError) as info:
        validate_sheet(rule_set, "product", {**sheet_with_total(rule_set, 60), **change})
    assert info.value.field == field


def test_a_missing_criterion_is_refused() -> None:
    rule_set = BOOK.get("148")
    scores = sheet_with_total(rule_set, 60)
    del scores["C4"]
    with pytest.raises(ValidationFailedError) as info:
        validate_sheet(rule_set, "product", scores)
    assert info.value.field == "body.scores.C4"


@pytest.mark.parametrize(
    ("failed", "total", "capped_stars"),
    [
        ("C4", 80, 2),  # food safety declaration is mandatory from 3★
        ("A5", 95, 2),
        ("C6", 85, 3),  # traceability is mandatory from 4★
        ("C7", 95, 4),  # export capability is mandatory from 5★
        ("C7", 60, 3),  # a cap above the result changes nothing
    ],
)
def test_failed_mandatory_criterion_caps_the_result(
    failed: str, total: float, capped_stars: int
) -> None:
    rule_set = BOOK.get("148")
    criteria = {c.code: c for c in rule_set.criteria("product")}
    scores = {c: criteria[c].max_points for c in criteria}
    scores[failed] = 0
    # bring the total down to `total` with non-mandatory criteria
    excess = sum(scores.values()) - total
    for code, c in criteria.items():
        if c.mandatory_from_stars is None and excess > 0:
            take = min(scores[code], excess)
            scores[code] -= take
            excess -= take
    result = score(rule_set, "product", [scores])
    assert result.average_points == total
    assert result.stars == capped_stars
    assert failed in result.failed_mandatory
    assert result.result_points < rule_set.band_min(capped_stars + 1) if capped_stars < 5 else True


def test_the_result_is_the_members_average() -> None:
    rule_set = BOOK.get("148")
    sheets = [sheet_with_total(rule_set, t) for t in (68, 72, 73)]
    result = score(rule_set, "product", sheets)
    assert (result.members, result.average_points, result.stars) == (3, 71, 4)


def test_bonus_points_under_148_but_not_1048_and_never_above_100() -> None:
    inputs = {"local_raw_materials": True, "representative_woman_or_ethnic_minority": True}
    assert (
        score(
            BOOK.get("148"), "product", [sheet_with_total(BOOK.get("148"), 68)], inputs
        ).result_points
        == 70
    )
    assert (
        score(
            BOOK.get("1048"), "product", [sheet_with_total(BOOK.get("1048"), 68)], inputs
        ).result_points
        == 68
    )
    assert (
        score(
            BOOK.get("148"), "product", [sheet_with_total(BOOK.get("148"), 99.5)], inputs
        ).result_points
        == 100
    )


@pytest.mark.parametrize(
    ("key", "level", "points", "outcome", "stars"),
    [
        ("1048", D, 49, Outcome.NOT_RECOGNISED, None),
        ("1048", D, 50, Outcome.FORWARDED, None),  # Hà Nội 2021: district forwards ≥ 50
        ("1048", P, 55, Outcome.RECOGNISED, 3),  # province issues 3★ and 4★
        ("1048", P, 89, Outcome.RECOGNISED, 4),
        ("1048", P, 90, Outcome.FORWARDED, None),
        ("148", D, 55, Outcome.RECOGNISED, 3),  # district UBND issues 3★
        ("148", D, 69, Outcome.RECOGNISED, 3),
        ("148", D, 70, Outcome.FORWARDED, None),  # district forwards ≥ 70
        ("148", P, 75, Outcome.RECOGNISED, 4),
        ("148", P, 89, Outcome.RECOGNISED, 4),
        ("148", P, 90, Outcome.FORWARDED, None),  # Huế 2024: ≥ 90 goes to the ministry
        ("148", C, 92, Outcome.RECOGNISED, 5),
        ("148", C, 85, Outcome.NOT_RECOGNISED, None),
        ("1489", P, 50, Outcome.RECOGNISED, 3),  # after 1489 the province recognises 3★
        ("1489", P, 89, Outcome.RECOGNISED, 4),
        ("1489", P, 90, Outcome.FORWARDED, None),
        ("1489", P, 49, Outcome.NOT_RECOGNISED, None),
        ("1489", C, 90, Outcome.RECOGNISED, 5),
    ],
)
def test_what_each_level_does_with_a_result(
    key: str, level: RoundLevel, points: float, outcome: Outcome, stars: int | None
) -> None:
    rule_set = BOOK.get(key)
    decision = decide_at_level(
        rule_set, level, score(rule_set, "product", [sheet_with_total(rule_set, points)])
    )
    assert (decision.outcome, decision.recognised_stars) == (outcome, stars)


def test_forwarded_goes_to_the_next_level_of_its_rule_set() -> None:
    result = score(BOOK.get("1489"), "product", [sheet_with_total(BOOK.get("1489"), 95)])
    assert decide_at_level(BOOK.get("1489"), P, result).forward_to is C
    with pytest.raises(ValidationFailedError):
        decide_at_level(BOOK.get("1489"), D, result)  # no district after 1489


@pytest.mark.parametrize(
    ("day", "key"),
    [
        (date(2019, 8, 21), "1048"),
        (date(2023, 2, 23), "1048"),
        (date(2023, 2, 24), "148"),
        (date(2025, 7, 5), "148"),
        (date(2025, 7, 6), "1489"),
        (date(2026, 10, 1), "1489"),
    ],
)
def test_a_round_uses_the_rule_set_in_force_on_its_date(day: date, key: str) -> None:
    assert BOOK.in_force_on(day).key == key


def test_a_new_rule_set_is_loaded_from_a_file_without_code(tmp_path: Path) -> None:
    for source in RULESET_DIRECTORY.glob("*.json"):
        (tmp_path / source.name).write_text(source.read_text("utf-8"), "utf-8")
    data = json.loads((RULESET_DIRECTORY / "ruleset-1489.json").read_text("utf-8"))
    data.update(key="2030", title="Quyết định giả định 2030", effective_from="2030-01-01")
    data["forwarding"] = {"province": 85}
    (tmp_path / "ruleset-2030.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    book = load_rule_book(tmp_path)
    assert book.in_force_on(date(2030, 6, 1)).key == "2030"
    result = score(book.get("2030"), "product", [sheet_with_total(book.get("2030"), 86)])
    assert decide_at_level(book.get("2030"), P, result).outcome is Outcome.FORWARDED


def test_every_sub_group_of_the_taxonomy_has_its_criteria_set_and_a_1048_sector() -> None:
    taxonomy = BOOK.latest_taxonomy()
    codes = [s.code for g in taxonomy.groups for s in g.subgroups]
    assert len(codes) == len(set(codes))
    assert {taxonomy.sector_of(c) for c in codes} == {
        "food",
        "drink",
        "herbs",
        "cloth",
        "keepsake",
        "travel",
    }
    with pytest.raises(ValidationFailedError):
        taxonomy.subgroup("9.9")


def test_a_rule_set_may_let_the_province_recognise_4_stars_while_forwarding_5() -> None:
    strict = BOOK.get("148")
    lenient = strict.model_copy(update={"recognise_lower_while_forwarding": True})
    result = score(strict, "product", [sheet_with_total(strict, 93)])
    assert decide_at_level(strict, P, result).recognised_stars is None
    decision = decide_at_level(lenient, P, result)
    assert (decision.outcome, decision.recognised_stars) == (Outcome.FORWARDED, 4)


def _minus(sheet: dict[str, float], rule_set: RuleSet, points: float) -> dict[str, float]:
    """The sheet with `points` fewer on a criterion that is not mandatory."""
    code = next(
        c.code
        for c in rule_set.criteria("product")
        if c.mandatory_from_stars is None and sheet[c.code] >= points
    )
    return {**sheet, code: round(sheet[code] - points, 2)}


@pytest.mark.parametrize("key", ["1048", "148", "1489"])
def test_band_edges_use_the_exact_average_not_a_rounded_one(key: str) -> None:
    rule_set = BOOK.get(key)
    ninety = sheet_with_total(rule_set, 90)
    result = score(rule_set, "product", [ninety, ninety, _minus(ninety, rule_set, 0.01)])
    # (90 + 90 + 89.99) / 3 = 89.9966…: 4★, and never shown as 90
    assert result.stars == 4
    assert result.average_points == result.result_points == 89.99
    decision = decide_at_level(rule_set, P, result)
    assert decision.outcome is not Outcome.FORWARDED
    assert "89,99 điểm" in decision.reason
    assert "90" not in decision.reason


@pytest.mark.parametrize("edge", [30, 50, 70])
def test_every_band_edge_is_reached_only_by_the_exact_average(edge: int) -> None:
    rule_set = BOOK.get("148")
    at_edge = sheet_with_total(rule_set, edge)
    below = score(rule_set, "product", [at_edge, at_edge, _minus(at_edge, rule_set, 0.01)])
    reached = score(rule_set, "product", [at_edge, at_edge, at_edge])
    assert below.stars == rule_set.stars_for(edge) - 1
    assert reached.stars == rule_set.stars_for(edge)


def test_a_forwarding_decision_names_the_level_in_vietnamese() -> None:
    rule_set = BOOK.get("148")
    decision = decide_at_level(
        rule_set, P, score(rule_set, "product", [sheet_with_total(rule_set, 92.5)])
    )
    assert decision.reason == "Đạt 92,5 điểm ≥ 90 điểm: chuyển lên cấp trung ương"
