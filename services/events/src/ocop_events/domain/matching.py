"""Supply-demand matching: rank producer offers for a buyer demand with an explainable score.

How a pair is judged:

1. Gates (a pair failing one is not a candidate): the same product — the head word of each
   title (Vietnamese noun phrases put the head first: *trà bưởi* is tea, *rượu bưởi* is
   liquor, *bưởi Đoan Hùng* is pomelo) must appear in the other side's words; the same product
   group when both give one; at least the stars asked for; some season overlap; a price not
   far above the buyer's ceiling.
2. Score (0–1), a weighted sum of six parts, each explained in Vietnamese: text relevance
   (IDF-weighted share of the demand's words the offer covers, diacritics folded), volume
   coverage (and MOQ), season overlap, price fit, certification (stars and standards such
   as VietGAP), distance between provinces.

Speed: offers are indexed by their head word, then stars, then price, so a demand only looks
at offers whose head is one of its own words, with the stars and price it can accept (an
inverted index with prefiltering), never at all offers. ``rank_all_pairs`` is the
plain loop over every offer with the same rules, kept as the benchmark's baseline and as the
test oracle for the index.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from ocop_events.domain.head_words import after_prefixes
from ocop_events.domain.matching_model import Demand, Offer, ScorePart
from ocop_events.domain.provinces import distance_km
from ocop_shared.text import fold

WEIGHTS = {
    "text": 0.30,
    "volume": 0.20,
    "season": 0.15,
    "price": 0.15,
    "certification": 0.10,
    "distance": 0.10,
}
CRITERIA_LABELS = {
    "text": "Mức liên quan của sản phẩm",
    "volume": "Sản lượng",
    "season": "Mùa vụ",
    "price": "Giá",
    "certification": "Chứng nhận OCOP và tiêu chuẩn",
    "distance": "Khoảng cách",
}

# Words that say nothing about which product it is ("đặc sản", "loại 1", "sản phẩm OCOP").
NOISE = frozenset(
    [
        "dac",
        "san",
        "pham",
        "ocop",
        "loai",
        "hang",
        "va",
        "cua",
        "cho",
        "cac",
        "nhung",
        "co",
        "tu",
        "kg",
        "tan",
        "la",
        "mot",
        "chat",
        "luong",
        "cao",
    ]
)
# Folded spellings of the same product: trà and chè are both tea in northern usage.
CANONICAL = {"tra": "che"}
MAX_DISTANCE_KM = 1500.0
PRICE_CEILING_TOLERANCE = 1.5
"""Offers priced above 1.5 × the buyer's ceiling are not proposed at all."""

_WORD = re.compile(r"\w+", re.UNICODE)


def _terms(*texts: str) -> list[tuple[str, str]]:
    """(canonical folded term, original word) in order, noise and bare numbers dropped."""
    found: list[tuple[str, str]] = []
    for text in texts:
        for word in _WORD.findall(text):
            term = fold(word)
            term = CANONICAL.get(term, term)
            if term and term not in NOISE and not term.isdigit():
                found.append((term, word.lower()))
    return found


def _head(title: str, keywords: str) -> str | None:
    """The first product word after generic and place prefixes (see ``head_words``)."""
    for term, _ in (
        _terms(after_prefixes(title)) or _terms(after_prefixes(keywords)) or _terms(title)
    ):
        return term
    return None


def _fmt(number: float) -> str:
    return f"{round(number):,}".replace(",", ".")


def _months(months: Iterable[int]) -> frozenset[int]:
    return frozenset(m for m in months if 1 <= m <= 12)


@dataclass(frozen=True, slots=True)
class _OfferEntry:
    offer: Offer
    terms: frozenset[str]
    head: str | None
    months: frozenset[int]
    standards: frozenset[str]


@dataclass(frozen=True, slots=True)
class _DemandProfile:
    demand: Demand
    weights: dict[str, float]
    total_weight: float
    head: str | None
    months: frozenset[int]
    standards: frozenset[str]
    display: dict[str, str]


def _entry(offer: Offer) -> _OfferEntry:
    return _OfferEntry(
        offer=offer,
        terms=frozenset(t for t, _ in _terms(offer.title, offer.keywords)),
        head=_head(offer.title, offer.keywords),
        months=_months(offer.season_months),
        standards=frozenset(fold(s).strip() for s in offer.standards),
    )


class Candidate(BaseModel):
    """A ranked offer for a demand, with the explanation staff read."""

    model_config = ConfigDict(frozen=True)

    offer: Offer
    score: float
    parts: list[ScorePart]


class OfferIndex:
    """Open offers indexed by head word, then by stars, each bucket sorted by price.

    A demand then reads only offers of its own product words, with at least the stars it
    asks for and a price under its ceiling: the cheap prefilter happens in the index.
    """

    def __init__(self, offers: Iterable[Offer]) -> None:
        self.entries = [_entry(o) for o in offers if o.open]
        buckets: dict[str, list[list[_OfferEntry]]] = defaultdict(lambda: [[] for _ in range(6)])
        frequency: Counter[str] = Counter()
        for entry in self.entries:
            if entry.head is not None:
                buckets[entry.head][max(0, min(entry.offer.stars, 5))].append(entry)
            frequency.update(entry.terms)
        self._by_head: dict[str, list[tuple[list[int], list[_OfferEntry]]]] = {}
        for head, by_stars in buckets.items():
            ordered = [sorted(b, key=lambda e: e.offer.price_vnd) for b in by_stars]
            self._by_head[head] = [([e.offer.price_vnd for e in b], b) for b in ordered]
        size = max(len(self.entries), 1)
        self._idf = {term: math.log(1 + size / count) for term, count in frequency.items()}
        self._unseen_idf = math.log(1 + size)

    def profile(self, demand: Demand) -> _DemandProfile:
        terms = _terms(demand.title, demand.keywords)
        display: dict[str, str] = {}
        for term, word in terms:
            display.setdefault(term, word)
        weights = {term: self._idf.get(term, self._unseen_idf) for term in display}
        return _DemandProfile(
            demand=demand,
            weights=weights,
            total_weight=sum(weights.values()) or 1.0,
            head=_head(demand.title, demand.keywords),
            months=_months(demand.season_months),
            standards=frozenset(fold(s).strip() for s in demand.standards),
            display=display,
        )

    def candidates(self, profile: _DemandProfile) -> Iterable[_OfferEntry]:
        """Offers whose head word is one of the demand's words (each offer has one head),
        with enough stars and a price under the ceiling the gates allow."""
        demand = profile.demand
        ceiling = demand.price_max_vnd
        limit = ceiling * PRICE_CEILING_TOLERANCE if ceiling else math.inf
        for term in profile.weights:
            by_stars = self._by_head.get(term)
            if by_stars is None:
                continue
            for prices, entries in by_stars[max(0, min(demand.min_stars, 5)) :]:
                yield from itertools.islice(entries, bisect.bisect_right(prices, limit))


def _indexed_gates(profile: _DemandProfile, entry: _OfferEntry) -> bool:
    """The offer's head word is one of the demand's words, enough stars, a price under the
    ceiling: what the index already guarantees for its candidates."""
    demand, offer = profile.demand, entry.offer
    if entry.head is None or entry.head not in profile.weights:
        return False
    if offer.stars < demand.min_stars:
        return False
    ceiling = demand.price_max_vnd
    return not (ceiling and offer.price_vnd > ceiling * PRICE_CEILING_TOLERANCE)


def _other_gates(profile: _DemandProfile, entry: _OfferEntry) -> bool:
    """The demand's head word is in the offer, same group, some season overlap."""
    if profile.head is not None and profile.head not in entry.terms:
        return False
    group, offered = profile.demand.group_code, entry.offer.group_code
    if group and offered and group != offered:
        return False
    return not (profile.months and entry.months and not profile.months & entry.months)


def _gates(profile: _DemandProfile, entry: _OfferEntry) -> bool:
    return _indexed_gates(profile, entry) and _other_gates(profile, entry)


def _parts(profile: _DemandProfile, entry: _OfferEntry) -> tuple[float, ...]:
    """The six part scores in WEIGHTS order (no text built: this runs for every candidate)."""
    demand, offer = profile.demand, entry.offer
    text = sum(w for t, w in profile.weights.items() if t in entry.terms) / profile.total_weight
    volume = min(1.0, offer.capacity_kg_per_month / demand.monthly_volume_kg)
    if offer.moq_kg > demand.monthly_volume_kg:
        volume *= 0.5
    if profile.months and entry.months:
        season = len(profile.months & entry.months) / len(profile.months)
    else:
        season = 1.0
    price = _price_fit(demand, offer.price_vnd)
    stars = min(offer.stars, 5) / 5
    if profile.standards:
        certification = 0.5 * stars + 0.5 * len(profile.standards & entry.standards) / len(
            profile.standards
        )
    else:
        certification = stars
    km = distance_km(offer.province, demand.delivery_province)
    distance = 0.5 if km is None else max(0.0, 1 - km / MAX_DISTANCE_KM)
    return text, volume, season, price, certification, distance


def _price_fit(demand: Demand, price: int) -> float:
    low, high = demand.price_min_vnd, demand.price_max_vnd
    if high is not None and price > high:
        return max(0.0, 1 - 2 * (price - high) / high)
    if low is not None and price < low:
        return 0.9  # cheaper than expected: fine, but worth a question about quality
    return 1.0


_W = tuple(WEIGHTS.values())


def _total(parts: tuple[float, ...]) -> float:
    text, volume, season, price, certification, distance = parts
    return (
        _W[0] * text
        + _W[1] * volume
        + _W[2] * season
        + _W[3] * price
        + _W[4] * certification
        + _W[5] * distance
    )


def _explain(
    profile: _DemandProfile, entry: _OfferEntry, parts: tuple[float, ...]
) -> list[ScorePart]:
    demand, offer = profile.demand, entry.offer
    matched = [profile.display[t] for t in profile.weights if t in entry.terms]
    texts = {
        "text": f"Khớp từ khoá: {', '.join(matched)} ({len(matched)}/{len(profile.weights)})",
        "volume": (
            f"Năng lực {_fmt(offer.capacity_kg_per_month)} kg/tháng so với nhu cầu "
            f"{_fmt(demand.monthly_volume_kg)} kg/tháng"
            + (
                f"; đơn tối thiểu {_fmt(offer.moq_kg)} kg lớn hơn nhu cầu"
                if offer.moq_kg > demand.monthly_volume_kg
                else ""
            )
        ),
        "season": _season_text(profile.months, entry.months),
        "price": _price_text(demand, offer.price_vnd),
        "certification": (
            (f"OCOP {offer.stars}★" if offer.stars else "Chưa có sao OCOP")
            + (f" (yêu cầu từ {demand.min_stars}★)" if demand.min_stars else "")
            + (
                "; tiêu chuẩn: "
                + ", ".join(
                    f"{s} {'có' if fold(s).strip() in entry.standards else 'chưa có'}"
                    for s in demand.standards
                )
                if demand.standards
                else ""
            )
        ),
        "distance": _distance_text(offer.province, demand.delivery_province),
    }
    # Built from values computed here: no need to validate them again (hot path).
    return [
        ScorePart.model_construct(
            criterion=name,
            weight=weight,
            score=round(score, 3),
            explanation=texts[name],
        )
        for (name, weight), score in zip(WEIGHTS.items(), parts, strict=True)
    ]


def _season_text(wanted: frozenset[int], offered: frozenset[int]) -> str:
    if not wanted:
        return "Người mua cần hàng quanh năm" + ("" if not offered else "; cung theo mùa vụ")
    if not offered:
        return "Cung cấp quanh năm"
    common = sorted(wanted & offered)
    return (
        f"Trùng {len(common)}/{len(wanted)} tháng cần hàng "
        f"(tháng {', '.join(str(m) for m in common)})"
    )


def _price_text(demand: Demand, price: int) -> str:
    low, high = demand.price_min_vnd, demand.price_max_vnd
    offered = f"Giá chào {_fmt(price)} ₫/kg"
    if low is None and high is None:
        return f"{offered}; người mua chưa nêu khoảng giá"
    if high is not None and price > high:
        return (
            f"{offered} cao hơn giá trần {_fmt(high)} ₫/kg ({round(100 * (price - high) / high)}%)"
        )
    if low is not None and price < low:
        return f"{offered} thấp hơn giá sàn {_fmt(low)} ₫/kg"
    return f"{offered} trong khoảng {_fmt(low or 0)}–{_fmt(high) if high else '…'} ₫/kg"


def _distance_text(origin: str, destination: str) -> str:
    km = distance_km(origin, destination)
    if km is None:
        return f"{origin} → {destination}: chưa rõ khoảng cách"
    if km == 0:
        return f"Cùng tỉnh {destination}"
    return f"{origin} → {destination} khoảng {_fmt(km)} km"


def _best(
    profile: _DemandProfile,
    entries: Iterable[_OfferEntry],
    limit: int,
    gates: Callable[[_DemandProfile, _OfferEntry], bool],
) -> list[Candidate]:
    scored = []
    for entry in entries:
        if gates(profile, entry):
            parts = _parts(profile, entry)
            scored.append((_total(parts), entry.offer.id, entry, parts))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [
        Candidate.model_construct(
            offer=entry.offer, score=round(total, 4), parts=_explain(profile, entry, parts)
        )
        for total, _, entry, parts in scored[:limit]
    ]


def rank(demand: Demand, index: OfferIndex, limit: int = 10) -> list[Candidate]:
    """The best offers for a demand, best first, looking only at indexed candidates."""
    profile = index.profile(demand)
    return _best(profile, index.candidates(profile), limit, _other_gates)


def rank_all_pairs(demand: Demand, index: OfferIndex, limit: int = 10) -> list[Candidate]:
    """Same rules over every open offer (no index): the baseline and the test oracle."""
    return _best(index.profile(demand), index.entries, limit, _gates)
