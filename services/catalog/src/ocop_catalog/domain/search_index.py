"""An in-memory inverted index of the catalogue, answering searches in milliseconds.

Why: SecantusDB plans `$all` over a multikey array as a collection scan and counts and
sorts 20,000 documents slowly, so each API process keeps the searchable fields of every
product (tokens, stars, status, origin, price…) in memory and asks the database only for
the page it shows. The index is fed from the stored documents (see adapters/search_feed.py).
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ocop_catalog.domain.search import SearchQuery, SortOrder, name_key, query_words
from ocop_shared.contracts.catalog import CertificateStatus

_LAST = "\uffff"


@dataclass(frozen=True, slots=True)
class IndexEntry:
    id: str
    version: int
    tokens: frozenset[str]
    name_key: str
    stars: int | None
    status: str
    valid_until: str | None  # ISO date: compares as text
    reminded: bool
    province: str | None
    province_key: str
    commune_key: str
    group_code: str | None
    producer_id: str
    channels: frozenset[str]
    price: int | None

    @classmethod
    def of_doc(cls, doc: Mapping[str, Any]) -> IndexEntry:
        """From a stored product document (see repository.to_doc)."""
        cert = doc.get("certificate") or {}
        content = doc.get("content") or {}
        return cls(
            id=str(doc["_id"]),
            version=int(doc.get("version") or 0),
            tokens=frozenset(doc.get("search_tokens") or ()),
            name_key=str(doc.get("name_key") or ""),
            stars=cert.get("stars"),
            status=str(cert.get("status") or CertificateStatus.NONE.value),
            valid_until=cert.get("valid_until"),
            reminded=cert.get("expiry_reminder_on") is not None,
            province=doc.get("province"),
            province_key=str(doc.get("province_key") or ""),
            commune_key=str(doc.get("commune_key") or ""),
            group_code=doc.get("group_code"),
            producer_id=str(doc.get("producer_id") or ""),
            channels=frozenset(doc.get("eligible_channels") or ()),
            price=content.get("suggested_price_vnd"),
        )


def _by_stars(e: IndexEntry) -> tuple[Any, ...]:
    return (-(e.stars or 0), e.name_key, e.id)


_SORT_KEYS: dict[SortOrder, Callable[[IndexEntry], tuple[Any, ...]]] = {
    SortOrder.RELEVANCE: _by_stars,  # without words
    SortOrder.STARS: _by_stars,
    SortOrder.NAME: lambda e: (e.name_key, e.id),
    SortOrder.PRICE_ASC: lambda e: (e.price is None, e.price or 0, e.name_key, e.id),
    SortOrder.PRICE_DESC: lambda e: (e.price is None, -(e.price or 0), e.name_key, e.id),
    SortOrder.VALID_UNTIL: lambda e: (e.valid_until or _LAST, e.name_key, e.id),
    SortOrder.NEWEST: lambda e: (-e.version, e.name_key, e.id),
}


_EMPTY: frozenset[str] = frozenset()

# Exact-value lookups kept as value → ids, so filters are set intersections, not scans.
_FIELDS: dict[str, Callable[[IndexEntry], Iterable[Any]]] = {
    "province_key": lambda e: (e.province_key,),
    "commune_key": lambda e: (e.commune_key,),
    "group_code": lambda e: (e.group_code,),
    "producer_id": lambda e: (e.producer_id,),
    "stars": lambda e: (e.stars,),
    "status": lambda e: (e.status,),
    "channels": lambda e: e.channels,
    "reminded": lambda e: (e.reminded,),
}


class SearchIndex:
    """Entries by id, token → ids and field value → ids; every method is synchronous.

    Sorted orders, facets and the set of certificates that ran out by date are cached per
    `generation` (bumped by every change), so a quiet catalogue answers from the caches.
    """

    def __init__(self) -> None:
        self._entries: dict[str, IndexEntry] = {}
        self._by_token: dict[str, set[str]] = {}
        self._by_field: dict[str, dict[Any, set[str]]] = {f: {} for f in _FIELDS}
        self._generation = 0
        self._sorted: dict[SortOrder, tuple[int, list[str]]] = {}
        self._lapsed: tuple[int, str, frozenset[str]] | None = None
        self._facets: tuple[int, dict[str, list[str]]] | None = None
        self._until: tuple[int, list[str], list[str]] | None = None
        self._tokens: tuple[int, list[str]] | None = None

    def __len__(self) -> int:
        return len(self._entries)

    def upsert(self, entry: IndexEntry) -> None:
        """Keep the newest version; an older document arriving late changes nothing."""
        old = self._entries.get(entry.id)
        if old is not None and (old.version > entry.version or old == entry):
            return
        if old is not None:
            self._unlink(old)
        for token in entry.tokens:
            self._by_token.setdefault(token, set()).add(entry.id)
        for name, values in _FIELDS.items():
            for value in values(entry):
                self._by_field[name].setdefault(value, set()).add(entry.id)
        self._entries[entry.id] = entry
        self._generation += 1

    def remove(self, product_id: str) -> None:
        old = self._entries.pop(product_id, None)
        if old is not None:
            self._unlink(old)
            self._generation += 1

    def _unlink(self, old: IndexEntry) -> None:
        for token in old.tokens:
            _discard(self._by_token, token, old.id)
        for name, values in _FIELDS.items():
            for value in values(old):
                _discard(self._by_field[name], value, old.id)

    def load(self, entries: Iterable[IndexEntry]) -> None:
        for entry in entries:
            self.upsert(entry)

    def search(self, query: SearchQuery, today: date) -> tuple[int, list[str]]:
        """The total and the ids of the requested page, in the requested order."""
        whole, prefix = query_words(query.text)
        sets = self._filter_sets(query, whole, prefix, today)
        candidates: set[str] | None = None
        if sets:
            sets.sort(key=len)
            candidates = set(sets[0]).intersection(*sets[1:])
        wanted = query.skip + query.limit
        if query.sort is SortOrder.RELEVANCE and query.text and candidates is not None:
            key = _relevance(whole, prefix)
            best = heapq.nsmallest(wanted, (self._entries[i] for i in candidates), key=key)
            return len(candidates), [e.id for e in best[query.skip :]]
        if candidates is None:
            return len(self._entries), self._sorted_ids(query.sort)[query.skip : wanted]
        if len(candidates) <= 2048:
            key = _SORT_KEYS[query.sort]
            ordered = sorted((self._entries[i] for i in candidates), key=key)
            return len(candidates), [e.id for e in ordered[query.skip : wanted]]
        page: list[str] = []
        for product_id in self._sorted_ids(query.sort):
            if product_id in candidates:
                page.append(product_id)
                if len(page) >= wanted:
                    break
        return len(candidates), page[query.skip :]

    def _filter_sets(
        self, query: SearchQuery, whole: list[str], prefix: str | None, today: date
    ) -> list[AbstractSet[str]]:
        fields = self._by_field
        sets: list[AbstractSet[str]] = [self._by_token.get(w, _EMPTY) for w in whole]
        if prefix is not None:
            sets.append(self._prefixed(prefix))
        exact = (
            ("province_key", name_key(query.province) if query.province else None),
            ("commune_key", name_key(query.commune) if query.commune else None),
            ("group_code", query.group_code),
            ("producer_id", query.producer_id),
            ("stars", query.stars),
            ("channels", query.channel.value if query.channel else None),
        )
        for name, value in exact:
            if value is not None:
                sets.append(fields[name].get(value, _EMPTY))
        if query.min_stars is not None:
            sets.append(
                set().union(
                    *(ids for s, ids in fields["stars"].items() if s and s >= query.min_stars)
                )
            )
        status = query.status.value if query.status is not None else None
        if query.expiring_within_days is not None:
            horizon = (today + timedelta(days=query.expiring_within_days)).isoformat()
            sets.append(self._ending_by(horizon))
            status = CertificateStatus.ACTIVE.value if status in (None, "active") else "impossible"
        if status is not None:
            lapsed = self._lapsed_ids(today)
            stored = fields["status"]
            if status == CertificateStatus.ACTIVE.value:
                sets.append(stored.get(status, _EMPTY) - lapsed)
            elif status == CertificateStatus.EXPIRED.value:
                sets.append(stored.get(status, _EMPTY) | lapsed)
            else:
                sets.append(stored.get(status, _EMPTY))
        return sets

    def _prefixed(self, prefix: str) -> set[str]:
        cached = self._tokens
        if cached is None or cached[0] != self._generation:
            cached = (self._generation, sorted(self._by_token))
            self._tokens = cached
        ordered = cached[1]
        ids: set[str] = set()
        for i in range(bisect.bisect_left(ordered, prefix), len(ordered)):
            if not ordered[i].startswith(prefix):
                break
            ids |= self._by_token.get(ordered[i], _EMPTY)
        return ids

    def _lapsed_ids(self, today: date) -> frozenset[str]:
        """Active certificates whose end date has passed: shown as expired."""
        day = today.isoformat()
        cached = self._lapsed
        if cached is not None and cached[0] == self._generation and cached[1] == day:
            return cached[2]
        active = self._by_field["status"].get(CertificateStatus.ACTIVE.value, set())
        lapsed = frozenset(i for i in active if (self._entries[i].valid_until or day) < day)
        self._lapsed = (self._generation, day, lapsed)
        return lapsed

    def _ending_by(self, horizon: str) -> set[str]:
        """Ids whose certificate ends on or before `horizon`, or that certification reminded."""
        dates, ids = self._by_valid_until()
        ending = set(ids[: bisect.bisect_right(dates, horizon)])
        return ending | self._by_field["reminded"].get(True, set())

    def _by_valid_until(self) -> tuple[list[str], list[str]]:
        cached = self._until
        if cached is not None and cached[0] == self._generation:
            return cached[1], cached[2]
        pairs = sorted((e.valid_until, e.id) for e in self._entries.values() if e.valid_until)
        dates, ids = [d for d, _ in pairs], [i for _, i in pairs]
        self._until = (self._generation, dates, ids)
        return dates, ids

    def _sorted_ids(self, order: SortOrder) -> list[str]:
        cached = self._sorted.get(order)
        if cached is not None and cached[0] == self._generation:
            return cached[1]
        ids = [e.id for e in sorted(self._entries.values(), key=_SORT_KEYS[order])]
        self._sorted[order] = (self._generation, ids)
        return ids

    def facets(self) -> dict[str, list[str]]:
        if self._facets is not None and self._facets[0] == self._generation:
            return self._facets[1]
        provinces = {e.province for e in self._entries.values() if e.province}
        groups = {g for g in self._by_field["group_code"] if g}
        facets = {"provinces": sorted(provinces, key=name_key), "groups": sorted(groups)}
        self._facets = (self._generation, facets)
        return facets


def _relevance(whole: list[str], prefix: str | None) -> Callable[[IndexEntry], tuple[Any, ...]]:
    """Names starting with the words first, then names holding more of them, then stars."""
    phrase = " ".join([*whole, prefix] if prefix else whole)

    def key(entry: IndexEntry) -> tuple[Any, ...]:
        name_words = entry.name_key.split()
        missing = sum(1 for w in whole if w not in name_words)
        if prefix is not None and not any(n.startswith(prefix) for n in name_words):
            missing += 1
        starts = entry.name_key.startswith(phrase)
        return (not starts, missing, -(entry.stars or 0), entry.name_key, entry.id)

    return key


def _discard(index: dict[Any, set[str]], value: Any, product_id: str) -> None:
    ids = index.get(value)
    if ids is not None:
        ids.discard(product_id)
        if not ids:
            del index[value]
