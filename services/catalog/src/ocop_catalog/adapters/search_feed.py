"""Keeps a process's in-memory SearchIndex in step with the products collection.

A change stream is opened first, then the collection is loaded, then every change is
applied as it comes (entries carry the product version, so a change seen twice or late
does nothing). While the index is not loaded, or after the stream failed, `ready` is
False and searches go to the database instead.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import structlog

from ocop_catalog.adapters.repository import PRODUCTS
from ocop_catalog.domain.search_index import IndexEntry, SearchIndex
from ocop_shared.mongo import Database

log = structlog.get_logger(__name__)

PROJECTION = {
    "search_tokens": 1,
    "name_key": 1,
    "version": 1,
    "certificate.stars": 1,
    "certificate.status": 1,
    "certificate.valid_until": 1,
    "certificate.expiry_reminder_on": 1,
    "province": 1,
    "province_key": 1,
    "commune_key": 1,
    "group_code": 1,
    "producer_id": 1,
    "eligible_channels": 1,
    "content.suggested_price_vnd": 1,
}


class SearchFeed:
    def __init__(self, retry_s: float = 1.0) -> None:
        self.index = SearchIndex()
        self.ready = False
        self._retry_s = retry_s
        self._task: asyncio.Task[None] | None = None

    def start(self, db: Database) -> None:
        self._task = asyncio.create_task(self._run(db), name="catalog-search-feed")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        self.ready = False

    async def _run(self, db: Database) -> None:
        collection = db[PRODUCTS]
        wait = self._retry_s
        while True:
            try:
                async with await collection.watch(full_document="updateLookup") as stream:
                    fresh = SearchIndex()
                    async for doc in collection.find({}, PROJECTION):
                        fresh.upsert(IndexEntry.of_doc(doc))
                    self.index = fresh
                    self.ready = True
                    wait = self._retry_s
                    log.info("catalog.search_index_loaded", products=len(fresh))
                    async for change in stream:
                        self._apply(change)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.ready = False
                log.warning("catalog.search_feed_failed", error=repr(exc), retry_in_s=wait)
                await asyncio.sleep(wait)
                wait = min(wait * 2, 30.0)  # e.g. a server without change streams

    def _apply(self, change: dict[str, Any]) -> None:
        operation = change.get("operationType")
        key = (change.get("documentKey") or {}).get("_id")
        if operation == "delete" and key is not None:
            self.index.remove(str(key))
            return
        doc = change.get("fullDocument")
        if doc is not None:
            self.index.upsert(IndexEntry.of_doc(doc))
        elif operation in ("drop", "dropDatabase", "invalidate"):
            raise RuntimeError(f"products collection {operation}")
