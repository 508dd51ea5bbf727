"""Rule sets as data (1048 / 148 / 1489) and the rule engine that applies them.

A rule set is a JSON file under ``domain/rulesets/``: part maxima, star bands, criteria sets
with their mandatory criteria, bonus points, which level recognises which stars and the
forwarding thresholds. Loading a new rule set (a new decision of the Prime Minister) is a new
file, no code change. A round is judged under the rule set in force on its date.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from datetime import date
from enum import StrEnum
from fractions import Fraction
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ocop_shared.errors import NotFoundError, ValidationFailedError
from ocop_shared.numbers import format_number_vn, format_points_vn

RULESET_DIRECTORY = Path(__file__).parent / "rulesets"
Part = str  # "A" | "B" | "C"


class RoundLevel(StrEnum):
    """Where a round sits: commune pre-check (1489), district (legacy), province, central."""

    COMMUNE = "commune"
    DISTRICT = "district"
    PROVINCE = "province"
    CENTRAL = "central"


LEVEL_NAMES_VI = {
    RoundLevel.COMMUNE: "xã",
    RoundLevel.DISTRICT: "huyện",
    RoundLevel.PROVINCE: "tỉnh",
    RoundLevel.CENTRAL: "trung ương",
}
"""How a level is written for people ("cấp trung ương"); the enum value is for machines."""


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Criterion(_Data):
    code: str
    part: Part
    label: str
    max_points: float = Field(gt=0)
    mandatory_from_stars: int | None = Field(None, ge=2, le=5)
    """Failing it (below ``min_points``) caps the result below this star level."""
    min_points: float | None = None


class StarBand(_Data):
    stars: int = Field(ge=1, le=5)
    min_points: float = Field(ge=0)


class BonusRule(_Data):
    code: str
    label: str
    points: float = Field(gt=0)
    input: str
    """Name of the commune input (a yes/no) that earns it."""


class RuleSet(_Data):
    key: str
    title: str
    effective_from: date
    taxonomy: str
    part_maxima: dict[Part, float]
    max_total: float = 100
    star_bands: tuple[StarBand, ...]
    levels: tuple[RoundLevel, ...]
    pre_check_level: RoundLevel | None = None
    recognition: dict[RoundLevel, tuple[int, ...]]
    forwarding: dict[RoundLevel, float]
    recognise_lower_while_forwarding: bool = False
    """Unconfirmed in the rules: may a level recognise what it can while forwarding upward."""
    bonus: tuple[BonusRule, ...] = ()
    bonus_max: float = 0
    criteria_sets: dict[str, tuple[Criterion, ...]]

    @model_validator(mode="after")
    def _consistent(self) -> RuleSet:
        if sum(self.part_maxima.values()) != self.max_total:
            raise ValueError(f"{self.key}: part maxima do not add up to {self.max_total}")
        for name, criteria in self.criteria_sets.items():
            for part, maximum in self.part_maxima.items():
                total = sum(c.max_points for c in criteria if c.part == part)
                if total != maximum:
                    raise ValueError(f"{self.key}/{name}: part {part} sums to {total}")
        bands = [b.min_points for b in self.star_bands]
        if bands != sorted(bands) or bands[0] != 0:
            raise ValueError(f"{self.key}: star bands must rise from 0")
        return self

    def criteria(self, criteria_set: str) -> tuple[Criterion, ...]:
        try:
            return self.criteria_sets[criteria_set]
        except KeyError:
            raise NotFoundError(
                f"Bộ tiêu chí '{criteria_set}' không có trong {self.title}", field="criteria_set"
            ) from None

    def band_min(self, stars: int) -> float:
        return next(b.min_points for b in self.star_bands if b.stars == stars)

    def stars_for(self, points: float) -> int:
        """Stars by total points: the highest band whose lower edge the points reach."""
        return max(b.stars for b in self.star_bands if points >= b.min_points)


class SubGroup(_Data):
    code: str
    name: str
    sector_1048: str
    criteria_set: str


class Group(_Data):
    code: str
    name: str
    subgroups: tuple[SubGroup, ...]


class Taxonomy(_Data):
    version: str
    title: str
    note: str = ""
    groups: tuple[Group, ...]
    sectors_1048: dict[str, str]

    def subgroup(self, code: str, *, field: str = "body.subgroup_code") -> SubGroup:
        for group in self.groups:
            for sub in group.subgroups:
                if sub.code == code:
                    return sub
        raise ValidationFailedError(f"Không có phân nhóm sản phẩm '{code}'", field=field)

    def sector_of(self, subgroup_code: str) -> str:
        return self.subgroup(subgroup_code).sector_1048


class RuleBook:
    """All known rule sets, in force from their dates, and the taxonomies they use."""

    def __init__(self, rule_sets: Iterable[RuleSet], taxonomies: Iterable[Taxonomy]) -> None:
        self.rule_sets = sorted(rule_sets, key=lambda r: r.effective_from)
        self.taxonomies = {t.version: t for t in taxonomies}
        for rule_set in self.rule_sets:
            taxonomy = self.taxonomies[rule_set.taxonomy]
            for group in taxonomy.groups:
                for sub in group.subgroups:
                    rule_set.criteria(sub.criteria_set)

    def get(self, key: str) -> RuleSet:
        for rule_set in self.rule_sets:
            if rule_set.key == key:
                return rule_set
        raise NotFoundError(f"Không có bộ quy tắc '{key}'", field="rule_set")

    def in_force_on(self, day: date) -> RuleSet:
        candidates = [r for r in self.rule_sets if r.effective_from <= day]
        if not candidates:
            raise ValidationFailedError(
                f"Không có bộ quy tắc OCOP nào có hiệu lực ngày {day:%d/%m/%Y}", field="body.date"
            )
        return candidates[-1]

    def taxonomy_of(self, rule_set: RuleSet) -> Taxonomy:
        return self.taxonomies[rule_set.taxonomy]

    def latest_taxonomy(self) -> Taxonomy:
        return self.taxonomy_of(self.rule_sets[-1])


def load_rule_book(directory: Path = RULESET_DIRECTORY) -> RuleBook:
    rule_sets = [
        RuleSet.model_validate(json.loads(p.read_text("utf-8")))
        for p in sorted(directory.glob("ruleset-*.json"))
    ]
    taxonomies = [
        Taxonomy.model_validate(json.loads(p.read_text("utf-8")))
        for p in sorted(directory.glob("taxonomy-*.json"))
    ]
    return RuleBook(rule_sets, taxonomies)


@cache
def default_rule_book() -> RuleBook:
    return load_rule_book()


# ---------------------------------------------------------------- the engine


def validate_sheet(
    rule_set: RuleSet,
    criteria_set: str,
    scores: Mapping[str, float],
    *,
    field_prefix: str = "body.scores",
) -> dict[str, float]:
    """Every criterion scored once, within 0..max; nothing unknown. Field names the criterion."""
    criteria = {c.code: c for c in rule_set.criteria(criteria_set)}
    for code in scores:
        if code not in criteria:
            raise ValidationFailedError(
                f"Tiêu chí '{code}' không thuộc bộ tiêu chí này", field=f"{field_prefix}.{code}"
            )
    for code, criterion in criteria.items():
        if code not in scores:
            raise ValidationFailedError(
                f"Thiếu điểm tiêu chí {code} ({criterion.label})", field=f"{field_prefix}.{code}"
            )
        value = scores[code]
        if not 0 <= value <= criterion.max_points:
            raise ValidationFailedError(
                f"Điểm tiêu chí {code} phải từ 0 đến {format_number_vn(criterion.max_points)}",
                field=f"{field_prefix}.{code}",
            )
    return {code: float(scores[code]) for code in criteria}


class ScoreResult(_Data):
    """The council's result for one dossier in one round."""

    rule_set: str
    members: int
    average_points: float
    part_averages: dict[Part, float]
    bonus_points: float
    failed_mandatory: tuple[str, ...]
    star_cap: int | None
    result_points: float
    stars: int


def _exact(value: float) -> Fraction:
    """The decimal a council member typed (89.99), not its nearest binary float."""
    return Fraction(repr(float(value)))


def _shown(value: Fraction) -> float:
    """Two decimals, cut towards zero: what is stored and shown never reaches a band edge or
    a forwarding threshold the exact average did not reach (89.9967 is 89.99, not 90)."""
    return float(Fraction(math.floor(value * 100), 100))


def score(
    rule_set: RuleSet,
    criteria_set: str,
    sheets: Iterable[Mapping[str, float]],
    bonus_inputs: Mapping[str, bool] | None = None,
) -> ScoreResult:
    """Average of the members' sheets, plus bonus, capped by failed mandatory criteria.

    A mandatory criterion fails when the members' average on it is below its ``min_points``;
    the result is then capped just below the band of the star level it is mandatory for.
    """
    criteria = rule_set.criteria(criteria_set)
    sheets = [validate_sheet(rule_set, criteria_set, s) for s in sheets]
    if not sheets:
        raise ValidationFailedError("Chưa có phiếu chấm nào", field="score_sheets")
    count = len(sheets)
    # Exact arithmetic: three sheets of 90, 90 and 89.99 average 89.9966…, which is 4★ and
    # not forwarded, however the average is rounded for display.
    per_criterion = {
        c.code: sum((_exact(s[c.code]) for s in sheets), Fraction(0)) / count for c in criteria
    }
    parts = {
        part: _shown(sum((per_criterion[c.code] for c in criteria if c.part == part), Fraction(0)))
        for part in rule_set.part_maxima
    }
    average = sum(per_criterion.values(), Fraction(0))
    inputs = bonus_inputs or {}
    bonus = min(
        sum((_exact(b.points) for b in rule_set.bonus if inputs.get(b.input)), Fraction(0)),
        _exact(rule_set.bonus_max),
    )
    total = min(average + bonus, _exact(rule_set.max_total))
    failed = [
        c
        for c in criteria
        if c.mandatory_from_stars is not None and per_criterion[c.code] < _exact(c.min_points or 0)
    ]
    cap = min((c.mandatory_from_stars for c in failed if c.mandatory_from_stars), default=None)
    if cap is not None:
        total = min(total, _exact(rule_set.band_min(cap)) - Fraction(1, 100))
    return ScoreResult(
        rule_set=rule_set.key,
        members=count,
        average_points=_shown(average),
        part_averages=parts,
        bonus_points=float(bonus),
        failed_mandatory=tuple(c.code for c in failed),
        star_cap=None if cap is None else cap - 1,
        result_points=_shown(total),
        stars=max(b.stars for b in rule_set.star_bands if total >= _exact(b.min_points)),
    )


class Outcome(StrEnum):
    RECOGNISED = "recognised"
    NOT_RECOGNISED = "not_recognised"
    FORWARDED = "forwarded"


class LevelDecision(_Data):
    """What the level that scored does with the result."""

    outcome: Outcome
    recognised_stars: int | None = None
    forward_to: RoundLevel | None = None
    reason: str


def next_level(rule_set: RuleSet, level: RoundLevel) -> RoundLevel | None:
    levels = list(rule_set.levels)
    if level not in levels:
        return None
    index = levels.index(level)
    return levels[index + 1] if index + 1 < len(levels) else None


def decide_at_level(rule_set: RuleSet, level: RoundLevel, result: ScoreResult) -> LevelDecision:
    """Forward over the level's threshold; else recognise the stars this level may issue."""
    if level not in rule_set.levels:
        raise ValidationFailedError(
            f"Cấp {LEVEL_NAMES_VI[level]} không có trong {rule_set.title}", field="body.level"
        )
    here = rule_set.recognition.get(level, ())
    threshold = rule_set.forwarding.get(level)
    upper = next_level(rule_set, level)
    if threshold is not None and upper is not None and result.result_points >= threshold:
        provisional = max((s for s in here if s <= result.stars), default=None)
        return LevelDecision(
            outcome=Outcome.FORWARDED,
            forward_to=upper,
            recognised_stars=provisional if rule_set.recognise_lower_while_forwarding else None,
            reason=f"Đạt {format_points_vn(result.result_points)} ≥ {format_points_vn(threshold)}: "
            f"chuyển lên cấp {LEVEL_NAMES_VI[upper]}",
        )
    if result.stars in here:
        return LevelDecision(
            outcome=Outcome.RECOGNISED,
            recognised_stars=result.stars,
            reason=f"Đạt {format_points_vn(result.result_points)}: công nhận {result.stars} sao",
        )
    if result.stars < 3:
        why = f"Đạt {format_points_vn(result.result_points)} ({result.stars} sao): chưa đạt 3 sao"
    else:
        why = (
            f"Cấp {LEVEL_NAMES_VI[level]} không công nhận {result.stars} sao theo {rule_set.title}"
        )
    if result.failed_mandatory:
        why += f"; không đạt tiêu chí bắt buộc {', '.join(result.failed_mandatory)}"
    return LevelDecision(outcome=Outcome.NOT_RECOGNISED, reason=why)
