"""Vietnamese text folding shared by every service (search and matching without diacritics).

The catalogue has its own copy in ``ocop_catalog.domain.search``; this is the shared one
other services use so no service imports another's package.
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """'Bưởi Đoan Hùng' → 'buoi doan hung': no diacritics, đ → d, lower case."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return stripped.lower()


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
