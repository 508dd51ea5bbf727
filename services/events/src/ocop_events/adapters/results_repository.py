"""Fair results: sales recorded at fair booths (from the orders service) and participant reports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ocop_events.adapters.repository import FAIR_REPORTS, FAIR_SALES
from ocop_shared.mongo import Database, Session


class ResultsRepository:
    def __init__(self, db: Database, session: Session | None = None) -> None:
        self._db = db
        self._session = session

    async def has_sale(self, sale_id: str) -> bool:
        doc = await self._db[FAIR_SALES].find_one(
            {"_id": sale_id}, {"_id": 1}, session=self._session
        )
        return doc is not None

    async def add_sale(
        self,
        *,
        sale_id: str,
        event_id: str,
        booth_code: str | None,
        total_vnd: int,
        lines: list[dict[str, Any]],
        sold_at: datetime,
    ) -> None:
        await self._db[FAIR_SALES].insert_one(
            {
                "_id": sale_id,
                "event_id": event_id,
                "booth_code": booth_code,
                "total_vnd": total_vnd,
                "lines": lines,
                "sold_at": sold_at,
            },
            session=self._session,
        )

    async def sales(self, event_id: str | None = None) -> list[dict[str, Any]]:
        query = {"event_id": event_id} if event_id else {}
        return await self._db[FAIR_SALES].find(query, session=self._session).to_list()

    async def save_report(
        self, participation_id: str, event_id: str, producer_id: str, report: dict[str, Any]
    ) -> None:
        await self._db[FAIR_REPORTS].replace_one(
            {"_id": participation_id},
            {"event_id": event_id, "producer_id": producer_id, **report},
            upsert=True,
            session=self._session,
        )

    async def reports(self, event_id: str | None = None) -> list[dict[str, Any]]:
        query = {"event_id": event_id} if event_id else {}
        return await self._db[FAIR_REPORTS].find(query, session=self._session).to_list()
