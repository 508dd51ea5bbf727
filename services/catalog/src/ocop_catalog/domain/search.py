"""Search tokens insensitive to Vietnamese diacritics, case and word order, and the query.

SecantusDB has no `$text` index, so each product stores its folded words in an indexed
array and a query asks for all of the visitor's words (`$all`), in any order.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ocop_shared.contracts.catalog import CertificateStatus, Channel
from ocop_shared.text import tokens, words


def query_words(text: str | None) -> tuple[list[str], str | None]:
    """Whole words, and the last word as a prefix while the visitor is still typing it.

    "buoi doan h" finds "Bưởi Đoan Hùng"; a trailing space ("buoi doan ") means every word is
    whole. A lone single letter stays a whole word (as a prefix it would match nearly all).
    """
    words = tokens(text)
    if not words or not text or text[-1].isspace() or (len(words) == 1 and len(words[0]) < 2):
        return words, None
    return words[:-1], words[-1]


def name_key(text: str) -> str:
    """A sort and match key: folded words joined by single spaces."""
    return " ".join(words(text))


class SortOrder(StrEnum):
    RELEVANCE = "relevance"
    """Words in the product's name before words only in its producer or origin."""
    STARS = "stars"
    NAME = "name"
    PRICE_ASC = "price_asc"
    PRICE_DESC = "price_desc"
    VALID_UNTIL = "valid_until"
    NEWEST = "newest"


@dataclass(frozen=True)
class SearchQuery:
    """What a visitor or an officer can ask of the catalogue (validated by the API)."""

    text: str | None = None
    min_stars: int | None = None
    stars: int | None = None
    group_code: str | None = None
    province: str | None = None
    commune: str | None = None
    producer_id: str | None = None
    channel: Channel | None = None
    status: CertificateStatus | None = None
    expiring_within_days: int | None = None
    sort: SortOrder = SortOrder.STARS
    skip: int = 0
    limit: int = 20
