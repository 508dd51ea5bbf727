"""Hostile text in every service's stored data, for the walks that render every page with it.

People type names with markup and comment openers, paste formulas into spreadsheets, copy
decomposed Vietnamese (NFD) from old documents, mix look-alike Cyrillic/Greek letters and
write 200-letter words; older records may even hold control characters the APIs now refuse.
`plant_hostile_text` renames demo records in each service's MongoDB database directly (the
way such data arrives: imported, migrated, or accepted before a validator existed), so every
page that lists them renders it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from pymongo import MongoClient

from ocop_platform.testing.platform import RunningSystem

LONG_WORD = "Bánhgiầyngũsắc" * 14 + "x" * 4  # 200 characters, no break opportunity
assert len(LONG_WORD) == 200

MARKUP = [
    "<!--<script>alert(1)</script>",
    "</script><b>x</b>",
    "\"'><img src=x onerror=alert(1)>",
    "</textarea></title><svg onload=alert(1)>",
]
FORMULAS = ['=HYPERLINK("http://x.invalid","bấm")', "+84 912", "-1+1", "@SUM(A1)"]
NFD = unicodedata.normalize("NFD", "Chè Shan tuyết Suối Giàng")
LOOK_ALIKE = "Вưởі Đоаn Нùng"  # Cyrillic В, і, о, Н in a Vietnamese name
CONTROL = "Mắm\x00 cá\x1b[31m ruộng\x08\x07 Trung\u202eHà\u200b"

#: The names given, in turn, to the records of each collection: every collection gets all four,
#: so each page and export meets a formula prefix, markup, a script closer and a long word.
NAMES = [
    f"{FORMULAS[0]} {MARKUP[0]} {NFD}",
    f"{FORMULAS[1]} {MARKUP[1]} {LOOK_ALIKE} {CONTROL}",
    f"{FORMULAS[2]} {MARKUP[2]} {LONG_WORD}",
    f"{FORMULAS[3]} {MARKUP[3]}",
]

#: Every hostile fragment that must come back as text: the markup as typed, never as elements.
MARKERS = ["<!--<script>", "</script><b>x", "onerror=alert(1)>"]


@dataclass(frozen=True)
class Target:
    """A collection and the name fields of its documents to replace with hostile text."""

    service: str
    collection: str
    fields: tuple[str, ...]
    limit: int = 4


TARGETS = [
    Target("certification", "producers", ("name",)),
    Target("certification", "products", ("name", "producer_name")),
    Target("certification", "certificates", ("product_name", "producer_name")),
    Target("catalog", "products", ("name", "producer.name")),
    Target("orders", "products", ("name", "producer_name")),
    Target("orders", "stock", ("product_name", "producer_name")),
    Target("orders", "sales", ("lines.0.name", "lines.0.product_name")),
    Target("orders", "listings", ("product_name", "title")),
    Target("orders", "online_orders", ("customer.name", "lines.0.name")),
    Target("events", "participations", ("producer_name", "products.0.name")),
    Target("events", "demands", ("buyer_name", "title", "description")),
    Target("events", "offers", ("producer_name", "title")),
    Target("events", "products", ("name", "producer_name")),
    Target("events", "trade_events", ("name",), limit=1),
]


def database_names(system: RunningSystem) -> dict[str, str]:
    """Each service's database as `ocop run` configured it (the default name otherwise)."""
    return {
        s: system.env.get(f"{s.upper()}_MONGODB_DATABASE", f"ocop_{s}")
        for s in ("certification", "catalog", "orders", "events")
    }


def _has(document: dict[str, object], dotted: str) -> bool:
    value: object = document
    for part in dotted.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return False
    return isinstance(value, str)


Planted = list[tuple[str, str, object, dict[str, object]]]
"""(database, collection, _id, the fields' values before) of every renamed record."""


def _get(document: dict[str, object], dotted: str) -> object:
    value: object = document
    for part in dotted.split("."):
        value = value[int(part)] if isinstance(value, list) else value[part]  # type: ignore[index]
    return value


def restore_names(system: RunningSystem, planted: Planted) -> None:
    """Give the renamed records their names back: the platform is shared with later tests
    (the demo's natural keys are names, so `ocop seed` would not find renamed records)."""
    client: MongoClient[dict[str, Any]] = MongoClient(
        system.env["MONGODB_URI"], serverSelectionTimeoutMS=10_000
    )
    with client:
        for database, collection, key, before in planted:
            client[database][collection].update_one({"_id": key}, {"$set": before})


def plant_hostile_text(system: RunningSystem) -> Planted:
    """Rename a few records of every target collection; returns what was renamed, with the
    values before (`restore_names`). Records are chosen from the end of the collection, away
    from the ones the other browser tests sell, score and register."""
    uri = system.env.get("MONGODB_URI")
    assert uri, "the walk needs MONGODB_URI to plant data the APIs refuse"
    planted: Planted = []
    client: MongoClient[dict[str, Any]] = MongoClient(uri, serverSelectionTimeoutMS=10_000)
    with client:
        for service, database in database_names(system).items():
            db = client[database]
            existing = set(db.list_collection_names())
            for target in (t for t in TARGETS if t.service == service):
                if target.collection not in existing:
                    continue
                documents = list(db[target.collection].find().sort("_id", -1).limit(30))
                chosen = [d for d in documents if any(_has(d, f) for f in target.fields)]
                for document, name in zip(chosen[: target.limit], NAMES, strict=False):
                    fields = [f for f in target.fields if _has(document, f)]
                    before = {f: _get(document, f) for f in fields}
                    change = dict.fromkeys(fields, name)
                    db[target.collection].update_one({"_id": document["_id"]}, {"$set": change})
                    planted.append((database, target.collection, document["_id"], before))
    return planted
