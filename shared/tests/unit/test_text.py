"""Vietnamese folding: search and matching see 'Bưởi Đoan Hùng' and 'buoi doan hung' alike."""

from __future__ import annotations

import unicodedata

import pytest

from ocop_shared.text import fold, tokens, words


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


def test_words_keep_order_and_repeats_tokens_do_not() -> None:
    assert words("Trà bưởi, bưởi Đoan Hùng!") == ["tra", "buoi", "buoi", "doan", "hung"]
    assert tokens("Trà bưởi", None, "bưởi Đoan Hùng") == ["tra", "buoi", "doan", "hung"]
