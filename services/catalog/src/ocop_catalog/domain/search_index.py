"""An in-memory inverted index of the catalogue, answering searches in milliseconds.

Why: SecantusDB plans `$all` over a multikey array as a collection scan and counts and
sorts 20,000 documents slowly, so each API process keeps the searchable fields of every
product (tokens, stars, status, origin, price…) in memory and asks the database only for
the page it shows. The index is fed from the stored documents (see adapters/search_feed.py).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ocop_catalog.domain.search import SearchQuery, SortOrder, name_key, tokens
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

    def status_on(self, day: str) -> str:
        if self.status == "active" and self.valid_until is not None and self.valid_until < day:
            return CertificateStatus.EXPIRED.value
        return self.status


_SORT_KEYS: dict[SortOrder, Callable[[IndexEntry], tuple[Any, ...]]] = {
    SortOrder.STARS: lambda e: (-(e.stars or 0), e.name_key, e.id),
    SortOrder.NAME: lambda e: (e.name_key, e.id),
    SortOrder.PRICE_ASC: lambda e: (e.price is None, e.price or 0, e.name_key, e.id),
    SortOrder.PRICE_DESC: lambda e: (e.price is None, -(e.price or 0), e.name_key, e.id),
    SortOrder.VALID_UNTIL: lambda e: (e.valid_until or _LAST, e.name_key, e.id),
    SortOrder.NEWEST: lambda e: (-e.version, e.name_key, e.id),
}


class SearchIndex:
    """Entries by id plus token → ids; every method is synchronous and quick."""

    def __init__(self) -> None:
        self._entries: dict[str, IndexEntry] = {}
        self._by_token: dict[str, set[str]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def upsert(self, entry: IndexEntry) -> None:
        """Keep the newest version; an older document arriving late changes nothing."""
        old = self._entries.get(entry.id)
        if old is not None and old.version > entry.version:
            return
        if old is not None:
            for token in old.tokens - entry.tokens:
                ids = self._by_token.get(token)
                if ids is not None:
                    ids.discard(entry.id)
                    if not ids:
                        del self._by_token[token]
        for token in entry.tokens:
            self._by_token.setdefault(token, set()).add(entry.id)
        self._entries[entry.id] = entry

    def remove(self, product_id: str) -> None:
        old = self._entries.pop(product_id, None)
        if old is not None:
            for token in old.tokens:
                self._by_token.get(token, set()).discard(product_id)

    def load(self, entries: Iterable[IndexEntry]) -> None:
        for entry in entries:
            self.upsert(entry)

    def search(self, query: SearchQuery, today: date) -> tuple[int, list[str]]:
        """The total and the ids of the requested page, in the requested order."""
        words = tokens(query.text)
        candidates: Iterable[IndexEntry]
        if words:
            sets = sorted((self._by_token.get(w, set()) for w in words), key=len)
            ids = set(sets[0]).intersection(*sets[1:]) if sets[0] else set()
            candidates = (self._entries[i] for i in ids)
        else:
            candidates = self._entries.values()
        keep = _predicate(query, today)
        matches = [e for e in candidates if keep(e)]
        wanted = query.skip + query.limit
        key = _SORT_KEYS[query.sort]
        ordered = (
            heapq.nsmallest(wanted, matches, key=key)
            if wanted < len(matches) // 4
            else sorted(matches, key=key)
        )
        return len(matches), [e.id for e in ordered[query.skip : wanted]]

    def facets(self) -> dict[str, list[str]]:
        provinces = {e.province for e in self._entries.values() if e.province}
        groups = {e.group_code for e in self._entries.values() if e.group_code}
        return {"provinces": sorted(provinces, key=name_key), "groups": sorted(groups)}


def _predicate(query: SearchQuery, today: date) -> Callable[[IndexEntry], bool]:
    day = today.isoformat()
    checks: list[Callable[[IndexEntry], bool]] = []
    if query.min_stars is not None:
        least = query.min_stars
        checks.append(lambda e: e.stars is not None and e.stars >= least)
    if query.stars is not None:
        exact = query.stars
        checks.append(lambda e: e.stars == exact)
    if query.group_code:
        group = query.group_code
        checks.append(lambda e: e.group_code == group)
    if query.province:
        province = name_key(query.province)
        checks.append(lambda e: e.province_key == province)
    if query.commune:
        commune = name_key(query.commune)
        checks.append(lambda e: e.commune_key == commune)
    if query.producer_id:
        producer = query.producer_id
        checks.append(lambda e: e.producer_id == producer)
    if query.channel is not None:
        channel = query.channel.value
        checks.append(lambda e: channel in e.channels)
    if query.status is not None:
        status = query.status.value
        checks.append(lambda e: e.status_on(day) == status)
    if query.expiring_within_days is not None:
        horizon = (today + timedelta(days=query.expiring_within_days)).isoformat()
        checks.append(
            lambda e: (
                e.status_on(day) == "active"
                and (e.reminded or (e.valid_until is not None and e.valid_until <= horizon))
            )
        )
    return lambda e: all(check(e) for check in checks)
