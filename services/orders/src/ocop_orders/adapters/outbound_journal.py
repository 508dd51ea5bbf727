"""The partner-call journal in MongoDB (collection ``outbound_calls``): write, read, redrive.

See `service_layer/outbound.py` for why every partner call is a durable job.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

import structlog
from bson import ObjectId
from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError, PyMongoError

from ocop_orders.config import OrdersSettings
from ocop_orders.domain.outbound import CallOutcome, NewCall, OutboundCall
from ocop_shared.mongo import Database, Session, ensure_collections

log = structlog.get_logger(__name__)

CALLS = "outbound_calls"
CALL_LEASES = "outbound_leases"


async def ensure_outbound_indexes(db: Database) -> None:
    """Collections and indexes of the journal (call before the first transaction)."""
    await ensure_collections(db, (CALLS, CALL_LEASES))
    await db[CALLS].create_indexes(
        [
            IndexModel([("outcome", ASCENDING), ("next_attempt_at", ASCENDING)]),
            IndexModel(
                [("ordering_key", ASCENDING), ("outcome", ASCENDING), ("created_at", ASCENDING)]
            ),
            IndexModel([("target", ASCENDING), ("outcome", ASCENDING)]),
            IndexModel([("key", ASCENDING), ("created_at", ASCENDING)]),
        ]
    )


async def enqueue(
    session: Session | None,
    db: Database,
    call: NewCall,
    *,
    now: datetime,
    settings: OrdersSettings,
) -> str:
    """Journal ``call`` as pending (inside the caller's transaction when ``session`` is set)."""
    call_id = str(ObjectId())
    await db[CALLS].insert_one(
        {
            "_id": call_id,
            "target": call.target,
            "operation": call.operation,
            "key": call.key,
            "ordering_key": call.ordering_key or f"{call.target}:{call.key}",
            "payload": call.payload,
            "attempts": [],
            "outcome": CallOutcome.PENDING.value,
            "tries": 0,
            "max_attempts": settings.outbound_max_attempts,
            "next_attempt_at": now,
            "created_at": now,
            "updated_at": now,
            "last_error": None,
            "result": None,
        },
        session=session,
    )
    return call_id


def call_from_doc(doc: dict[str, Any]) -> OutboundCall:
    return OutboundCall(
        id=str(doc["_id"]),
        target=doc["target"],
        operation=doc["operation"],
        key=doc["key"],
        ordering_key=doc["ordering_key"],
        payload=doc.get("payload") or {},
        outcome=CallOutcome(doc["outcome"]),
        tries=int(doc.get("tries", 0)),
        max_attempts=int(doc.get("max_attempts", 1)),
        next_attempt_at=doc["next_attempt_at"],
        created_at=doc["created_at"],
        attempts=list(doc.get("attempts") or []),
        last_error=doc.get("last_error"),
        result=doc.get("result"),
    )


async def get_call(db: Database, call_id: str) -> OutboundCall | None:
    doc = await db[CALLS].find_one({"_id": str(call_id)})
    return call_from_doc(doc) if doc else None


async def list_calls(
    db: Database,
    *,
    outcome: CallOutcome | None = None,
    target: str | None = None,
    key: str | None = None,
    limit: int = 200,
) -> list[OutboundCall]:
    """Newest first; filters are typed values only."""
    query: dict[str, Any] = {}
    if outcome is not None:
        query["outcome"] = CallOutcome(outcome).value
    if target is not None:
        query["target"] = str(target)
    if key is not None:
        query["key"] = str(key)
    docs = (
        await db[CALLS]
        .find(query)
        .sort([("created_at", -1), ("_id", -1)])
        .limit(max(1, min(limit, 1000)))
        .to_list()
    )
    return [call_from_doc(d) for d in docs]


async def count_calls(db: Database) -> dict[str, int]:
    counts = {o.value: 0 for o in CallOutcome}
    async for row in await db[CALLS].aggregate([{"$group": {"_id": "$outcome", "n": {"$sum": 1}}}]):
        counts[str(row["_id"])] = int(row["n"])
    return counts


async def parked_ids(db: Database, *, target: str | None = None) -> list[str]:
    query: dict[str, Any] = {"outcome": CallOutcome.PARKED.value}
    if target is not None:
        query["target"] = str(target)
    docs = await db[CALLS].find(query, {"_id": 1}).sort([("created_at", 1), ("_id", 1)]).to_list()
    return [str(d["_id"]) for d in docs]


async def redrive(
    db: Database,
    *,
    now: datetime,
    target: str | None = None,
    call_id: str | None = None,
) -> list[str]:
    """Put parked calls back to pending with a fresh attempt budget; returns their ids."""
    ids = [str(call_id)] if call_id is not None else await parked_ids(db, target=target)
    redriven: list[str] = []
    for one in ids:
        query: dict[str, Any] = {"_id": one, "outcome": CallOutcome.PARKED.value}
        if target is not None:
            query["target"] = str(target)
        result = await db[CALLS].update_one(
            query,
            {
                "$set": {
                    "outcome": CallOutcome.PENDING.value,
                    "tries": 0,
                    "next_attempt_at": now,
                    "updated_at": now,
                }
            },
        )
        if result.modified_count:
            redriven.append(one)
    if redriven:
        log.info("outbound.redriven", count=len(redriven), target=target)
    return redriven


async def due_keys(db: Database, now: datetime, limit: int) -> list[str]:
    """Ordering keys whose head (earliest unfinished call) is pending and due.

    Looking at heads, not at every due call, keeps keys held back by a parked or
    backing-off head from crowding out the others.
    """
    pipeline: list[dict[str, Any]] = [
        {"$match": {"outcome": {"$in": [CallOutcome.PENDING.value, CallOutcome.PARKED.value]}}},
        {"$sort": {"created_at": 1, "_id": 1}},
        {
            "$group": {
                "_id": "$ordering_key",
                "outcome": {"$first": "$outcome"},
                "next_attempt_at": {"$first": "$next_attempt_at"},
            }
        },
        {"$match": {"outcome": CallOutcome.PENDING.value, "next_attempt_at": {"$lte": now}}},
        {"$sort": {"next_attempt_at": 1}},
        {"$limit": limit},
    ]
    return [str(row["_id"]) async for row in await db[CALLS].aggregate(pipeline)]


async def head_of(db: Database, ordering_key: str) -> OutboundCall | None:
    """The earliest unfinished (pending or parked) call of an ordering key."""
    doc = await db[CALLS].find_one(
        {
            "ordering_key": ordering_key,
            "outcome": {"$in": [CallOutcome.PENDING.value, CallOutcome.PARKED.value]},
        },
        sort=[("created_at", 1), ("_id", 1)],
    )
    return call_from_doc(doc) if doc else None


async def acquire_lease(
    db: Database, ordering_key: str, owner: str, now: datetime, until: datetime
) -> bool:
    """Hold the ordering key until ``until`` unless another live worker holds it."""
    try:
        await db[CALL_LEASES].find_one_and_update(
            {"_id": ordering_key, "$or": [{"owner": owner}, {"expires_at": {"$lt": now}}]},
            {"$set": {"owner": owner, "expires_at": until}},
            upsert=True,
        )
    except DuplicateKeyError:
        return False
    return True


async def release_lease(db: Database, ordering_key: str, owner: str) -> None:
    with contextlib.suppress(PyMongoError):
        await db[CALL_LEASES].delete_one({"_id": ordering_key, "owner": owner})


async def record_attempt(
    db: Database, session: Session, call: OutboundCall, update: dict[str, Any]
) -> bool:
    """Journal an attempt unless the call was redriven or recorded meanwhile."""
    written = await db[CALLS].update_one(
        {"_id": call.id, "tries": call.tries, "outcome": CallOutcome.PENDING.value},
        update,
        session=session,
    )
    return bool(written.modified_count == 1)


async def unfinished_keys(db: Database) -> set[str]:
    """What pending or parked calls are about (their ``key``)."""
    docs = await (
        db[CALLS]
        .find(
            {"outcome": {"$in": [CallOutcome.PENDING.value, CallOutcome.PARKED.value]}},
            {"key": 1},
        )
        .to_list()
    )
    return {str(d["key"]) for d in docs}
