"""A fake marketplace (Postmart or Voso) implementing docs/MARKETPLACE_PARTNER_API.md.

In memory. Records every request it receives (``GET /_fake/requests``), can be switched
down / slow / 500 / garbage (``POST /_fake/mode``), and serves orders injected with
``POST /_fake/orders`` (optionally pushing them to a webhook, signed).

Run: ``python -m ocop_platform.stand_ins.marketplace --channel postmart --port 8301``.
In tests: ``async with running_marketplace("postmart") as fake: fake.base_url``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from ocop_orders.marketplace.adapters.partner_api import sign

PAGE_SIZE = 50
MODES = ("up", "down", "slow", "500", "garbage")


@dataclass
class FakeState:
    channel: str
    api_keys: set[str]
    webhook_url: str | None = None
    webhook_secret: str = ""
    mode: str = "up"
    delay_s: float = 2.0
    listings: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    orders: list[dict[str, Any]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    replies: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)


def _error(status: int, code: str, message: str, field_: str | None = None) -> JSONResponse:
    error = {"code": code, "message": message}
    if field_:
        error["field"] = field_
    return JSONResponse({"error": error}, status_code=status)


def create_fake_marketplace(
    channel: str,
    *,
    api_keys: set[str] | None = None,
    webhook_url: str | None = None,
    webhook_secret: str = "",
) -> FastAPI:
    state = FakeState(
        channel,
        api_keys or {f"dev-{channel}-key"},
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
    )
    app = FastAPI(title=f"Fake {channel} partner API")
    app.state.fake = state

    @app.middleware("http")
    async def record_and_misbehave(request: Request, call_next: Any) -> Response:
        if request.url.path.startswith(("/_fake", "/health")):  # controls, probes
            response: Response = await call_next(request)
            return response
        raw = await request.body()
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", errors="replace")
        entry: dict[str, Any] = {
            "at": datetime.now(UTC).isoformat(),
            "method": request.method,
            "path": request.url.path,
            "query": str(request.url.query),
            "seller_id": request.headers.get("x-seller-id"),
            "idempotency_key": request.headers.get("idempotency-key"),
            "body": body,
            "mode": state.mode,
        }
        state.requests.append(entry)
        if state.mode == "down":
            entry["status"] = 503
            return _error(503, "unavailable", "Hệ thống đang bảo trì")
        if state.mode == "500":
            entry["status"] = 500
            return _error(500, "internal", "Internal error")
        if state.mode == "garbage":
            entry["status"] = 200
            return PlainTextResponse("<html>502 Bad Gateway</html>", status_code=200)
        if state.mode == "slow":
            await asyncio.sleep(state.delay_s)
        if request.headers.get("x-api-key") not in state.api_keys:
            entry["status"] = 401
            return _error(401, "unauthorized", "API key không hợp lệ")
        if not request.headers.get("x-seller-id"):
            entry["status"] = 400
            return _error(400, "missing_seller", "Thiếu X-Seller-Id", "X-Seller-Id")
        key = request.headers.get("idempotency-key")
        if key and request.method != "GET" and key in state.replies:
            status, reply = state.replies[key]
            entry["status"] = status
            entry["replayed"] = True
            return JSONResponse(reply, status_code=status)
        response = await call_next(request)
        entry["status"] = response.status_code
        return response

    def remember(request: Request, status: int, reply: dict[str, Any]) -> JSONResponse:
        key = request.headers.get("idempotency-key")
        if key:
            state.replies[key] = (status, reply)
        return JSONResponse(reply, status_code=status)

    def public(listing: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in listing.items() if not k.startswith("_")}

    @app.put("/api/v1/listings/{sku}")
    async def upsert(sku: str, request: Request) -> Response:
        seller = request.headers["x-seller-id"]
        try:
            content = await request.json()
        except ValueError:
            return _error(400, "invalid_json", "Body is not JSON")
        if not isinstance(content, dict) or not content.get("name"):
            return _error(422, "invalid", "name is required", "name")
        price = content.get("price_vnd")
        if not isinstance(price, int) or price <= 0:
            return _error(422, "invalid", "price_vnd must be a positive integer", "price_vnd")
        current = state.listings.get((seller, sku))
        listing = {
            **content,
            "listing_id": current["listing_id"]
            if current
            else f"{state.channel[:2]}-{uuid.uuid4().hex[:10]}",
            "sku": sku,
            "seller_id": seller,
            "status": "active",
            "updated_at": datetime.now(UTC).isoformat(),
        }
        state.listings[(seller, sku)] = listing
        return remember(request, 200 if current else 201, public(listing))

    @app.post("/api/v1/listings/{sku}/delist")
    async def delist(sku: str, request: Request) -> Response:
        listing = state.listings.get((request.headers["x-seller-id"], sku))
        if listing is None:
            return _error(404, "not_found", "Listing not found", "sku")
        listing["status"] = "inactive"
        listing["updated_at"] = datetime.now(UTC).isoformat()
        return remember(request, 200, public(listing))

    async def patch(sku: str, request: Request, name: str) -> Response:
        listing = state.listings.get((request.headers["x-seller-id"], sku))
        if listing is None:
            return _error(404, "not_found", "Listing not found", "sku")
        body = await request.json()
        value = body.get(name) if isinstance(body, dict) else None
        if not isinstance(value, int) or value < 0:
            return _error(422, "invalid", f"{name} must be a non-negative integer", name)
        listing[name] = value
        return remember(request, 200, public(listing))

    @app.patch("/api/v1/listings/{sku}/price")
    async def price(sku: str, request: Request) -> Response:
        return await patch(sku, request, "price_vnd")

    @app.patch("/api/v1/listings/{sku}/stock")
    async def stock(sku: str, request: Request) -> Response:
        return await patch(sku, request, "stock")

    def page(items: list[dict[str, Any]], cursor: str | None) -> dict[str, Any]:
        start = int(cursor) if cursor and cursor.isdigit() else 0
        chunk = items[start : start + PAGE_SIZE]
        more = start + PAGE_SIZE < len(items)
        return {"items": chunk, "next_cursor": str(start + PAGE_SIZE) if more else None}

    @app.get("/api/v1/listings")
    async def listings(request: Request, cursor: str | None = None) -> Response:
        seller = request.headers["x-seller-id"]
        mine = [public(v) for (s, _), v in sorted(state.listings.items()) if s == seller]
        return JSONResponse(page(mine, cursor))

    @app.get("/api/v1/orders")
    async def orders(
        request: Request, updated_since: str | None = None, cursor: str | None = None
    ) -> Response:
        seller = request.headers["x-seller-id"]
        since = datetime.fromisoformat(updated_since) if updated_since else None
        mine = [
            o
            for o in sorted(state.orders, key=lambda o: (o["updated_at"], o["remote_order_id"]))
            if o.get("seller_id") == seller
            and (since is None or datetime.fromisoformat(o["updated_at"]) > since)
        ]
        return JSONResponse(page(mine, cursor))

    # --- Test controls ----------------------------------------------------------------------

    @app.get("/_fake/requests")
    async def recorded() -> Response:
        return JSONResponse(state.requests)

    @app.delete("/_fake/requests")
    async def forget() -> Response:
        state.requests.clear()
        return Response(status_code=204)

    @app.get("/_fake/listings")
    async def all_listings() -> Response:
        return JSONResponse([public(v) for v in state.listings.values()])

    @app.post("/_fake/mode")
    async def set_mode(request: Request) -> Response:
        body = await request.json()
        mode = body.get("mode") if isinstance(body, dict) else None
        if mode not in MODES:
            return _error(422, "invalid", f"mode must be one of {MODES}", "mode")
        state.mode = mode
        if isinstance(body.get("delay_s"), int | float):
            state.delay_s = float(body["delay_s"])
        return JSONResponse({"mode": state.mode, "delay_s": state.delay_s})

    @app.post("/_fake/orders")
    async def inject(request: Request) -> Response:
        """Add or replace a test order (the marketplace's shape); pushes the webhook if set."""
        order = await request.json()
        now = datetime.now(UTC).isoformat()
        order.setdefault("remote_order_id", f"{state.channel[:2].upper()}{uuid.uuid4().hex[:8]}")
        order.setdefault("created_at", now)
        order["updated_at"] = order.get("updated_at") or now
        state.orders = [o for o in state.orders if o["remote_order_id"] != order["remote_order_id"]]
        state.orders.append(order)
        if state.webhook_url:
            raw = json.dumps({"event": "order.updated", "order": order}).encode()
            headers = {
                "Content-Type": "application/json",
                "X-Signature": sign(state.webhook_secret, raw),
                "X-Event-Id": uuid.uuid4().hex,
            }
            try:
                async with httpx.AsyncClient(timeout=5) as http:
                    await http.post(state.webhook_url, content=raw, headers=headers)
            except httpx.HTTPError as exc:
                order["_webhook_error"] = repr(exc)
        return JSONResponse(order, status_code=201)

    return app


def sample_order_push(sku: str, remote_order_id: str) -> dict[str, Any]:
    """An ``order.created`` push as a marketplace sends it (docs/MARKETPLACE_PARTNER_API.md):
    one unit of ``sku`` for a buyer in Phú Thọ, cash on delivery. Test data for the webhook."""
    return {
        "event": "order.created",
        "order": {
            "remote_order_id": remote_order_id,
            "status": "pending",
            "seller_id": "prd-chi-dam",
            "buyer": {
                "name": "Lê Thị Mai",
                "phone": "0912000111",
                "address": {"province": "Phú Thọ", "commune": "Phường Vân Phú", "street": "Số 5"},
            },
            "lines": [{"sku": sku, "quantity": 1, "unit_price_vnd": 45_000}],
            "payment_method": "cod",
            "subtotal_vnd": 45_000,
            "shipping_fee_vnd": 25_000,
            "total_vnd": 70_000,
            "created_at": "2026-11-24T02:10:00+00:00",
            "updated_at": "2026-11-24T02:10:00+00:00",
        },
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningFake:
    channel: str
    base_url: str
    app: FastAPI

    @property
    def state(self) -> FakeState:
        state: FakeState = self.app.state.fake
        return state

    def received(self, method: str | None = None, path_part: str = "") -> list[dict[str, Any]]:
        """Requests received so far, optionally filtered."""
        return [
            r
            for r in self.state.requests
            if (method is None or r["method"] == method) and path_part in r["path"]
        ]


@contextlib.asynccontextmanager
async def running_marketplace(
    channel: str, *, port: int | None = None, **options: Any
) -> AsyncIterator[RunningFake]:
    """The fake as a real HTTP server on a free port, in this event loop."""
    app = create_fake_marketplace(channel, **options)
    port = port or free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield RunningFake(channel, f"http://127.0.0.1:{port}", app)
    finally:
        server.should_exit = True
        await task


DEFAULT_PORTS = {"postmart": 8301, "voso": 8302}
"""Where ``ocop run`` serves the fakes; matches the default ORDERS_*_BASE_URL settings."""


def main(channel: str | None = None) -> None:
    """``--channel`` is needed unless a channel module (stand_ins.postmart, .voso) gives it."""
    parser = argparse.ArgumentParser(description="Fake Postmart / Voso partner API")
    parser.add_argument(
        "--channel", choices=("postmart", "voso"), required=channel is None, default=channel
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--port",
        type=int,
        default=None,
        help="default: ORDERS_FAKE_<CHANNEL>_PORT or 8301 (postmart) / 8302 (voso)",
    )
    parser.add_argument("--api-key", action="append", default=None)
    parser.add_argument("--webhook-url", default=None)
    parser.add_argument("--webhook-secret", default="")
    args = parser.parse_args()
    if args.port is None:
        env = os.environ.get(f"ORDERS_FAKE_{args.channel.upper()}_PORT", "").strip()
        args.port = int(env) if env.isdigit() else DEFAULT_PORTS[args.channel]
    app = create_fake_marketplace(
        args.channel,
        api_keys=set(args.api_key) if args.api_key else None,
        webhook_url=args.webhook_url,
        webhook_secret=args.webhook_secret or f"dev-{args.channel}-webhook-secret",
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
