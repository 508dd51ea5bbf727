"""MongoDB helpers: one client per event loop, transactions with retry."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import CollectionInvalid, OperationFailure
from pymongo.read_concern import ReadConcern
from pymongo.write_concern import WriteConcern

Document = dict[str, Any]
Client = AsyncMongoClient[Document]
Database = AsyncDatabase[Document]
Session = AsyncClientSession

T = TypeVar("T")


def create_client(uri: str, *, app_name: str) -> Client:
    """A client that never connects until first used (nothing connects at import time)."""
    return AsyncMongoClient(
        uri,
        appname=app_name,
        tz_aware=True,
        uuidRepresentation="standard",
        serverSelectionTimeoutMS=5000,
        connectTimeoutMS=3000,
    )


async def ping(client: Client) -> None:
    await client.admin.command("ping")


async def in_transaction(client: Client, work: Callable[[Session], Awaitable[T]]) -> T:
    """Run `work` in a majority-committed transaction, retrying transient errors."""
    async with client.start_session() as session:
        return await session.with_transaction(
            work,
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
