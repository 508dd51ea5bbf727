"""A local Viettel Post partner API for tests and demos (never for production).

`python -m ocop_platform.stand_ins.viettelpost --port 8090 [--webhook-url URL --webhook-token T]`

It answers with the documented envelopes `{status, error, message, data}`, issues tokens
through Login + ownerconnect, answers HTTP 200 with status 202 to an expired token, enforces
CHECK_UNIQUE on ORDER_NUMBER, refuses text fields over 150 bytes, refuses a cancel after
status 200 and pushes status webhooks the way Viettel Post does. Test controls live under
`/_fake/`: `requests` (what was received), `mode` (normal/down/500/slow/garbage),
`expire-tokens`, `push` (send a status webhook), `reset`.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from ocop_shared.timeutil import VIETNAM

TEXT_FIELDS = (
    "SENDER_FULLNAME",
    "SENDER_ADDRESS",
    "SENDER_PHONE",
    "RECEIVER_FULLNAME",
    "RECEIVER_ADDRESS",
    "RECEIVER_PHONE",
    "RECEIVER_EMAIL",
    "PRODUCT_NAME",
    "PRODUCT_DESCRIPTION",
    "ORDER_NOTE",
)
SERVICES = (("VCN", "Chuyển phát nhanh", 1.0, "24 giờ"), ("VTK", "Tiết kiệm", 0.8, "72 giờ"))


@dataclass
class FakeOrder:
    partner_number: str
    waybill: str
    body: dict[str, Any]
    status: int = -100


@dataclass
class FakeState:
    username: str = "ocop"
    password: str = "secret"  # noqa: S105 (the fake's own test account)
    webhook_url: str | None = None
    webhook_token: str | None = None
    mode: str = "normal"
    slow_s: float = 3.0
    login_tokens: set[str] = field(default_factory=set)
    tokens: set[str] = field(default_factory=set)
    orders: dict[str, FakeOrder] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))


def envelope(data: Any = None, *, status: int = 200, message: str = "OK") -> JSONResponse:
    return JSONResponse(
        {"status": status, "error": status != 200, "message": message, "data": data}
    )


def fee_for(weight_g: int, factor: float) -> int:
    extra = max(0, (weight_g - 500 + 499) // 500)
    return int((22_000 + 5_000 * extra) * factor)


def create_fake(state: FakeState | None = None) -> FastAPI:
    state = state or FakeState()
    app = FastAPI(title="Viettel Post (giả lập)")
    app.state.fake = state

    @app.middleware("http")
    async def record_and_misbehave(request: Request, call_next: Any) -> Response:
        if request.url.path.startswith(("/_fake", "/health")):  # controls, probes
            response: Response = await call_next(request)
            return response
        raw = await request.body()
        try:
            import json

            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode(errors="replace")
        state.requests.append(
            {"path": request.url.path, "token": request.headers.get("Token"), "body": body}
        )
        if state.mode == "down":
            return PlainTextResponse("Service Unavailable", status_code=503)
        if state.mode == "500":
            return PlainTextResponse("Internal Server Error", status_code=500)
        if state.mode == "garbage":
            return PlainTextResponse("<html>gateway</html>", status_code=200)
        if state.mode == "slow":
            await asyncio.sleep(state.slow_s)
        response = await call_next(request)
        return response

    def authorised(request: Request) -> bool:
        return request.headers.get("Token", "") in state.tokens

    def token_error() -> JSONResponse:
        return envelope(status=202, message="Token không hợp lệ hoặc đã hết hạn")

    @app.post("/v2/user/Login")
    async def login(body: dict[str, Any]) -> JSONResponse:
        if body.get("USERNAME") != state.username or body.get("PASSWORD") != state.password:
            return envelope(status=201, message="Sai tên đăng nhập hoặc mật khẩu")
        token = "login-" + secrets.token_hex(8)
        state.login_tokens.add(token)
        return envelope({"userId": 1, "token": token, "partner": 1, "expired": 0})

    @app.post("/v2/user/ownerconnect")
    async def ownerconnect(request: Request, body: dict[str, Any]) -> JSONResponse:
        if request.headers.get("Token", "") not in state.login_tokens:
            return token_error()
        if body.get("USERNAME") != state.username or body.get("PASSWORD") != state.password:
            return envelope(status=201, message="Sai tên đăng nhập hoặc mật khẩu")
        token = "owner-" + secrets.token_hex(16)
        state.tokens.add(token)
        return envelope({"userId": 1, "token": token, "partner": 1})

    @app.post("/v2/order/getPriceAll", response_model=None)
    async def price_all(request: Request, body: dict[str, Any]) -> JSONResponse:
        if not authorised(request):
            return token_error()
        weight = int(body.get("PRODUCT_WEIGHT") or 0)
        return JSONResponse(
            [
                {
                    "MA_DV_CHINH": code,
                    "TEN_DICHVU": name,
                    "GIA_CUOC": fee_for(weight, factor),
                    "THOI_GIAN": time,
                    "EXCHANGE_WEIGHT": weight,
                }
                for code, name, factor, time in SERVICES
            ]
        )

    @app.post("/v2/order/getPrice")
    async def price(request: Request, body: dict[str, Any]) -> JSONResponse:
        if not authorised(request):
            return token_error()
        factor = {code: f for code, _, f, _ in SERVICES}.get(str(body.get("ORDER_SERVICE")))
        if factor is None:
            return envelope(status=204, message="Dịch vụ không hợp lệ")
        fee = fee_for(int(body.get("PRODUCT_WEIGHT") or 0), factor)
        return envelope({"MONEY_TOTAL": fee, "MONEY_TOTAL_FEE": fee, "MONEY_FEE": fee})

    @app.post("/v2/order/createOrder")
    async def create_order(request: Request, body: dict[str, Any]) -> JSONResponse:
        if not authorised(request):
            return token_error()
        number = str(body.get("ORDER_NUMBER") or "")
        if not number:
            return envelope(status=204, message="Thiếu ORDER_NUMBER")
        for name in TEXT_FIELDS:
            value = body.get(name)
            if isinstance(value, str) and len(value.encode("utf-8")) > 150:
                return envelope(status=204, message=f"{name} vượt quá 150 byte")
        items = body.get("LIST_ITEM")
        if not isinstance(items, list) or not items:
            return envelope(status=204, message="LIST_ITEM không hợp lệ")
        if body.get("ORDER_PAYMENT") not in (1, 2, 3, 4):
            return envelope(status=204, message="ORDER_PAYMENT không hợp lệ")
        if not isinstance(body.get("PRODUCT_WEIGHT"), int) or body["PRODUCT_WEIGHT"] <= 0:
            return envelope(status=204, message="PRODUCT_WEIGHT (gram) không hợp lệ")
        existing = state.orders.get(number)
        if existing is not None and body.get("CHECK_UNIQUE"):
            return envelope(
                {"ORDER_NUMBER": existing.waybill},
                status=204,
                message="Mã đơn hàng ORDER_NUMBER đã tồn tại",
            )
        waybill = f"1{next(state.counter):011d}"
        state.orders[number] = FakeOrder(number, waybill, body)
        fee = fee_for(int(body["PRODUCT_WEIGHT"]), 1.0)
        return envelope(
            {
                "ORDER_NUMBER": waybill,
                "MONEY_COLLECTION": body.get("MONEY_COLLECTION", 0),
                "EXCHANGE_WEIGHT": body["PRODUCT_WEIGHT"],
                "MONEY_TOTAL": fee,
                "MONEY_TOTAL_FEE": fee,
                "MONEY_FEE": fee,
                "KPI_HT": 24,
            }
        )

    @app.post("/v2/order/UpdateOrder")
    async def update_order(request: Request, body: dict[str, Any]) -> JSONResponse:
        if not authorised(request):
            return token_error()
        order = find(str(body.get("ORDER_NUMBER") or ""))
        if order is None:
            return envelope(status=204, message="Không tìm thấy vận đơn")
        if body.get("TYPE") != 4:
            return envelope(status=204, message="TYPE không được hỗ trợ")
        if order.status >= 200:
            return envelope(status=204, message="Đơn hàng đã lấy, không thể huỷ")
        order.status = 107
        return envelope({"ORDER_NUMBER": order.waybill})

    def find(number: str) -> FakeOrder | None:
        if number in state.orders:
            return state.orders[number]
        return next((o for o in state.orders.values() if o.waybill == number), None)

    # -- test controls ---------------------------------------------------------------------
    @app.get("/_fake/requests")
    async def requests() -> list[dict[str, Any]]:
        return state.requests

    @app.post("/_fake/mode")
    async def mode(body: dict[str, Any]) -> dict[str, Any]:
        state.mode = str(body.get("mode", "normal"))
        state.slow_s = float(body.get("slow_s", state.slow_s))
        return {"mode": state.mode}

    @app.post("/_fake/expire-tokens")
    async def expire_tokens() -> dict[str, int]:
        count = len(state.tokens)
        state.tokens.clear()
        state.login_tokens.clear()
        return {"expired": count}

    @app.post("/_fake/reset")
    async def reset() -> dict[str, bool]:
        state.requests.clear()
        state.mode = "normal"
        return {"ok": True}

    @app.post("/_fake/config")
    async def config(body: dict[str, Any]) -> dict[str, Any]:
        state.webhook_url = body.get("webhook_url", state.webhook_url)
        state.webhook_token = body.get("webhook_token", state.webhook_token)
        return {"webhook_url": state.webhook_url}

    @app.post("/_fake/push")
    async def push(body: dict[str, Any]) -> JSONResponse:
        """Send a status webhook for an order (by our number or the waybill)."""
        order = find(str(body.get("order_number") or ""))
        if order is None:
            return JSONResponse({"error": "unknown order"}, status_code=404)
        code = int(body["status"])
        at = body.get("status_date") or datetime.now(VIETNAM).strftime("%d/%m/%Y %H:%M:%S")
        if code != 107:
            order.status = code
        payload = {
            "DATA": {
                "ORDER_NUMBER": order.waybill,
                "ORDER_REFERENCE": order.partner_number,
                "ORDER_STATUSDATE": at,
                "ORDER_STATUS": code,
                "STATUS_NAME": body.get("status_name") or f"Trạng thái {code}",
                "LOCALION_CURRENTLY": "Bưu cục Việt Trì",
                "NOTE": body.get("note") or "",
                "MONEY_COLLECTION": order.body.get("MONEY_COLLECTION", 0),
                "MONEY_FEECOD": 0,
                "MONEY_TOTAL": 0,
                "EXPECTED_DELIVERY": "",
                "PRODUCT_WEIGHT": order.body.get("PRODUCT_WEIGHT", 0),
                "ORDER_SERVICE": order.body.get("ORDER_SERVICE", "VCN"),
            },
            "TOKEN": body.get("token", state.webhook_token),
        }
        if body.get("send") is False:  # tests deliver it themselves
            return JSONResponse({"status_code": None, "sent": payload})
        url = body.get("url") or state.webhook_url
        if not url:
            return JSONResponse({"error": "no webhook url"}, status_code=400)
        async with httpx.AsyncClient(timeout=10) as http:
            response = await http.post(url, json=payload)
        return JSONResponse({"status_code": response.status_code, "sent": payload})

    return app


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description="Viettel Post giả lập")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--username", default="ocop")
    parser.add_argument("--password", default="secret")
    parser.add_argument("--webhook-url", default=None)
    parser.add_argument("--webhook-token", default=None)
    args = parser.parse_args()
    state = FakeState(
        username=args.username,
        password=args.password,
        webhook_url=args.webhook_url,
        webhook_token=args.webhook_token,
    )
    uvicorn.run(create_fake(state), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
