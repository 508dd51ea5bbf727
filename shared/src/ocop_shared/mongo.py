"""MongoDB helpers: one client per event loop, transactions with retry, a health probe."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from typing import Any, TypeVar

import pymongo
from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import (
    CollectionInvalid,
    ConnectionFailure,
    OperationFailure,
    ServerSelectionTimeoutError,
)
from pymongo.read_concern import ReadConcern
from pymongo.write_concern import WriteConcern

Document = dict[str, Any]
Client = AsyncMongoClient[Document]
Database = AsyncDatabase[Document]
Session = AsyncClientSession

T = TypeVar("T")


SERVER_SELECTION_TIMEOUT_MS = 1000
"""How long an operation waits for a usable server before it fails: a request made while the
database is away answers 503 within about a second instead of hanging (the problem handlers
map the error). A replica set election takes longer; its requests are refused, to be retried."""
CONNECT_TIMEOUT_MS = 1000
SOCKET_TIMEOUT_MS = 30_000
"""A server that accepted the connection and then hangs cannot hold a request forever."""


def create_client(uri: str, *, app_name: str) -> Client:
    """A client that never connects until first used (nothing connects at import time)."""
    return AsyncMongoClient(
        uri,
        appname=app_name,
        tz_aware=True,
        uuidRepresentation="standard",
        serverSelectionTimeoutMS=SERVER_SELECTION_TIMEOUT_MS,
        connectTimeoutMS=CONNECT_TIMEOUT_MS,
        socketTimeoutMS=SOCKET_TIMEOUT_MS,
    )


class DatabaseUnavailableError(ConnectionFailure):
    """No server could be selected: the database is down or unreachable (not a blip)."""


HEALTH_COLLECTION = "_health"
PROBE_TIMEOUT_S = 1.5


async def round_trip(db: Database, probe_id: str, *, timeout_s: float = PROBE_TIMEOUT_S) -> None:
    """Write a small document and read it back, or raise, within ``timeout_s``.

    A ping is not enough: SecantusDB on a full disk keeps answering ping and hello as a
    writable primary while reads fail (docs/upstream/secantusdb-disk-full.md). ``probe_id``
    names the caller's own document (one per process); a concurrent probe of the same process
    may have stamped it again in between, which still proves the read.
    """
    stamp = uuid.uuid4().hex
    with pymongo.timeout(timeout_s):
        await db[HEALTH_COLLECTION].update_one(
            {"_id": probe_id},
            {"$set": {"stamp": stamp, "at": datetime.now(UTC)}},
            upsert=True,
        )
        found = await db[HEALTH_COLLECTION].find_one({"_id": probe_id})
    if found is None or "stamp" not in found:
        raise OperationFailure(f"the health document {probe_id!r} did not read back")


async def ping(client: Client) -> None:
    await client.admin.command("ping")


async def in_transaction(client: Client, work: Callable[[Session], Awaitable[T]]) -> T:
    """Run `work` in a majority-committed transaction, retrying transient errors.

    A database that cannot be reached at all is not retried here: PyMongo labels the server
    selection timeout as transient and would retry the transaction for two minutes, holding
    the request (or the consumer) that long. It is raised as `DatabaseUnavailableError` at
    once; the web layer answers 503 with Retry-After, workers wait and try again.
    """

    async def guarded(session: Session) -> T:
        try:
            return await work(session)
        except ServerSelectionTimeoutError as exc:
            raise DatabaseUnavailableError(str(exc)) from exc

    async with client.start_session() as session:
        return await session.with_transaction(
            guarded,
            read_concern=ReadConcern("snapshot"),
            write_concern=WriteConcern("majority"),
        )


_NAMESPACE_EXISTS = 48


async def ensure_collections(db: Database, names: Iterable[str]) -> None:
    """Create the missing collections, before any transaction touches them.

    SecantusDB can lose a transaction's write when the transaction creates a collection
    implicitly (see docs/DEVELOPING.md). Several processes of a service (API replicas,
    consumer, relay, scheduler) start at once, so another one may create a collection
    between our look and our create: that is success, not an error.
    """
    existing = set(await db.list_collection_names())
    for name in names:
        if name in existing:
            continue
        try:
            await db.create_collection(name)
        except CollectionInvalid:
            pass
        except OperationFailure as exc:
            if exc.code != _NAMESPACE_EXISTS:
                raise
