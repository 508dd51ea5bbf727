"""Vietnamese text folding shared by every service (search and matching without diacritics)."""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[a-z0-9]+")


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


# Every precomposed Latin letter with marks (Vietnamese uses U+00C0–U+1EF9) → its bare
# letter, so folding is one C-level translate instead of a Python loop per character.
_FOLD = {
    code: _strip_marks(chr(code))
    for code in range(0x00C0, 0x1EFA)
    if unicodedata.category(chr(code)).startswith("L") and _strip_marks(chr(code)) != chr(code)
}
_FOLD.update({ord("đ"): "d", ord("Đ"): "D"})


def fold(text: str) -> str:
    """'Bưởi Đoan Hùng' → 'buoi doan hung': no diacritics, đ → d, lower case."""
    folded = unicodedata.normalize("NFC", text).translate(_FOLD)
    if not folded.isascii():  # combining marks NFC could not compose, other scripts
        folded = _strip_marks(folded)
    return folded.lower()


def words(text: str | None) -> list[str]:
    """Folded words in order, repeats kept ('Trà bưởi' → ['tra', 'buoi'])."""
    return _WORD.findall(fold(text or ""))


def tokens(*texts: str | None) -> list[str]:
    """Distinct folded words of all texts, in first-seen order."""
    seen: dict[str, None] = {}
    for text in texts:
        for word in words(text):
            seen[word] = None
    return list(seen)
