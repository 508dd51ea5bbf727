"""Pure helpers of the console pages: search without diacritics, rounds open for dossiers."""

from __future__ import annotations

from datetime import date

from ocop_certification.domain.rounds import Round
from ocop_certification.domain.rules import RoundLevel, default_rule_book
from ocop_certification.entrypoints.api.pages_producer import open_rounds
from ocop_shared.text import matches


def test_search_ignores_diacritics_case_and_word_order() -> None:
    assert matches("che thom loa", "Chè Thôm Loà")
    assert matches("LOA che", "Chè Thôm Loà")
    assert matches("dong van", None, "Hộ kinh doanh Mật ong Đồng Văn")
    assert not matches("mat ong", "Chè Thôm Loà", "Tuyên Quang")
    assert matches("", "anything") and matches(None, "anything")


def _round(level: RoundLevel, opens: date, deadline: date) -> Round:
    return Round(
        id=f"dg-{level.value}",
        level=level,
        province="Tuyên Quang",
        year=2025,
        number=1,
        name=f"Đợt {level.value}",
        opens_on=opens,
        submission_deadline=deadline,
        scoring_deadline=date(2025, 12, 31),
        rule_set="1489",
        created_by="t",
    )


def test_only_first_level_rounds_inside_their_submission_window_take_new_dossiers() -> None:
    rules = default_rule_book()
    first = rules.get("1489").levels[0]
    today = date(2025, 10, 1)
    open_now = _round(first, date(2025, 9, 1), date(2025, 10, 15))
    closed = _round(first, date(2025, 8, 1), date(2025, 9, 30)).model_copy(update={"id": "x"})
    upper = _round(RoundLevel.PROVINCE, date(2025, 9, 1), date(2025, 10, 15))
    assert open_rounds([open_now, closed, upper], rules, today) == [open_now]
    assert open_rounds([open_now], rules, date(2025, 10, 15)) == [open_now]
    assert open_rounds([open_now], rules, date(2025, 10, 16)) == []
