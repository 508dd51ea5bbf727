"""The floor for the sale benchmark: a bare FastAPI endpoint doing one guarded
find_one_and_update on the same database server (no auth, no transaction, no outbox)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException
from pymongo import ReturnDocument

from ocop_shared.mongo import create_client


def create_app() -> FastAPI:
    client = create_client(os.environ["MONGODB_URI"], app_name="bench-floor")
    collection = client[os.environ["FLOOR_DATABASE"]]["stock"]

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await client.close()

    app = FastAPI(lifespan=lifespan)

    @app.post("/sell/{product_id}", status_code=201)
    async def sell(product_id: str) -> dict[str, int]:
        doc = await collection.find_one_and_update(
            {"_id": product_id, "on_hand": {"$gte": 1}},
            {"$inc": {"on_hand": -1}},
            return_document=ReturnDocument.AFTER,
        )
        if doc is None:
            raise HTTPException(409, "out of stock")
        return {"on_hand": int(doc["on_hand"])}

    return app
