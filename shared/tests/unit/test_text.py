"""Vietnamese text at the boundary and in search: one rule, one fold."""

from __future__ import annotations

import unicodedata

import pytest
from pydantic import BaseModel, ValidationError

from ocop_shared.text import MultilineText, Text, clean_text, fold, matches, tokens, words


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Bưởi Đoan Hùng", "buoi doan hung"),
        ("CHÈ BÚP TÍM", "che bup tim"),
        ("Rượu đòng nếp gà gáy", "ruou dong nep ga gay"),
        ("Thừa Thiên Huế", "thua thien hue"),
    ],
)
def test_fold_drops_diacritics_and_case(text: str, folded: str) -> None:
    assert fold(text) == folded
    assert fold(unicodedata.normalize("NFD", text)) == folded  # decomposed input too


@pytest.mark.parametrize(
    "lookalike",
    [
        "Bưởi Đоаn Hùng",  # Cyrillic о а
        "Вưởі Đοαn Ηùng",  # Cyrillic В і, Greek ο α Η
        "Ｂưởi Ｄoan Ｈùng",  # full-width Latin
        "Bu\u031b\u0309o\u031b\u0309i Đoan Hu\u0300ng",  # combining marks, uncomposed
        "ВƯỞІ ĐОАN НÙNG",
    ],
)
def test_fold_reads_letters_from_other_alphabets_and_keyboards_as_latin(lookalike: str) -> None:
    assert fold(lookalike) == "buoi doan hung"


def test_words_keep_order_and_repeats_tokens_do_not() -> None:
    assert words("Trà bưởi, bưởi Đoan Hùng!") == ["tra", "buoi", "buoi", "doan", "hung"]
    assert tokens("Trà bưởi", None, "bưởi Đoan Hùng") == ["tra", "buoi", "doan", "hung"]


def test_search_matches_words_in_any_order_and_the_word_being_typed() -> None:
    assert matches("doan hung buoi", "Bưởi Đoan Hùng")
    assert matches("Hùng bưởi", "HTX Sửu Chí Đám", "Bưởi Đoan Hùng")
    assert matches("buoi doan h", "Bưởi Đoan Hùng")
    assert matches("", "anything")
    assert not matches("buoi dien", "Bưởi Đoan Hùng")


class _Form(BaseModel):
    name: Text
    note: MultilineText | None = None


def test_text_is_trimmed_and_stored_composed() -> None:
    form = _Form(name=unicodedata.normalize("NFD", "  Bưởi Đoan Hùng  "), note=" a\r\nb\tc ")
    assert form.name == "Bưởi Đoan Hùng"
    assert unicodedata.is_normalized("NFC", form.name)
    assert form.note == "a\nb\tc"


@pytest.mark.parametrize("bad", ["a\x03b", "a\tb", "a\nb", "a\x7fb", "a\x85b", "a\u202eb"])
def test_single_line_text_refuses_control_characters_naming_the_field(bad: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _Form(name=bad)
    (error,) = caught.value.errors()
    assert error["type"] == "text_control_characters"
    assert error["loc"] == ("name",)
    assert "«name» chứa ký tự điều khiển" in error["msg"]


def test_multiline_text_allows_line_breaks_and_tabs_only() -> None:
    with pytest.raises(ValidationError, match="U\\+0000"):
        _Form(name="x", note="a\nb\x00")


def test_clean_text_is_the_same_rule_for_code_that_is_not_a_model() -> None:
    assert clean_text("  Ca\u0301  ") == "Cá"
    with pytest.raises(ValueError, match="«Tên sản phẩm» chứa ký tự điều khiển"):
        clean_text("x\x03", field="Tên sản phẩm")
