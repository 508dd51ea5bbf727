"""Search tokens insensitive to Vietnamese diacritics and case ('Bưởi' finds 'buoi')."""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn").lower()


def tokens(*texts: str | None) -> list[str]:
    seen: dict[str, None] = {}
    for text in texts:
        for word in _WORD.findall(fold(text or "")):
            seen[word] = None
    return list(seen)
