"""Viettel Post partner API (https://partner.viettelpost.vn), JSON over HTTPS, header `Token`.

- Sign-in is two calls: `POST /v2/user/Login` (USERNAME, PASSWORD) gives a short token,
  `POST /v2/user/ownerconnect` with it gives the long-lived partner token. The token is kept
  in MongoDB so every process (API replicas, workers) shares one and signs in once.
- Every answer is an envelope `{status, error, message, data}`. Token errors come back as
  HTTP 200 with `status` 201 or 202: we sign in again and retry the call once.
- `createOrder` carries our order number as ORDER_NUMBER with CHECK_UNIQUE, so a retried
  call cannot create a second waybill: the "already exists" answer counts as success.
- Text fields are limited to 150 bytes of UTF-8 (not characters).

Assumption (not published): the duplicate answer is an error envelope whose message says the
order number already exists; its `data` may carry the existing waybill.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import structlog
from pydantic import BaseModel, ConfigDict, ValidationError

from ocop_orders.config import OrdersSettings
from ocop_orders.ecommerce.adapters.repository import CARRIER_TOKENS
from ocop_orders.ecommerce.domain.model import EcomOrder
from ocop_orders.ecommerce.domain.shipping import order_payment, truncate_bytes
from ocop_shared.errors import DomainError
from ocop_shared.mongo import Database

log = structlog.get_logger(__name__)

CARRIER = "viettelpost"
TOKEN_ERRORS = frozenset({201, 202})
TEXT_LIMIT = 150


class CarrierUnavailableError(DomainError):
    """Viettel Post did not answer usefully (down, 5xx, timeout, not JSON): worth retrying."""

    status = 503
    code = "carrier-unavailable"
    title = "Hãng vận chuyển tạm thời không phản hồi"
    retryable = True


class CarrierRejectedError(DomainError):
    """Viettel Post answered with an error envelope: the request must change, not be retried."""

    status = 422
    code = "carrier-rejected"
    title = "Viettel Post từ chối yêu cầu"
    retryable = False

    def __init__(self, detail: str, *, carrier_status: int | None = None, field: str | None = None):
        super().__init__(detail, field=field)
        self.carrier_status = carrier_status


class CarrierAuthError(CarrierRejectedError):
    code = "carrier-auth-failed"
    title = "Không đăng nhập được Viettel Post"
    status = 502


class Envelope(BaseModel):
    """The partner API's answer, parsed strictly (a missing field is a broken answer)."""

    model_config = ConfigDict(extra="ignore", strict=False)

    status: int
    error: bool
    message: str | None
    data: Any = None


@dataclass(frozen=True)
class CreatedWaybill:
    waybill: str | None
    fee_vnd: int | None
    money_collection_vnd: int | None
    duplicate: bool


@dataclass(frozen=True)
class ServiceQuote:
    service: str
    name: str
    price_vnd: int
    delivery_time: str | None


def _is_duplicate(message: str | None) -> bool:
    text = (message or "").lower()
    return any(word in text for word in ("tồn tại", "trùng", "exist", "duplicate"))


class ViettelPost:
    def __init__(
        self, settings: OrdersSettings, db: Database, http: httpx.AsyncClient | None = None
    ) -> None:
        self.settings = settings
        self.db = db
        self._http = http
        self._base = settings.viettelpost_base_url.rstrip("/")

    # -- transport ---------------------------------------------------------------------------
    async def _post(self, path: str, body: dict[str, Any], token: str | None) -> Envelope:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Token"] = token
        try:
            if self._http is not None:
                response = await self._http.post(self._base + path, json=body, headers=headers)
            else:
                async with httpx.AsyncClient(timeout=self.settings.viettelpost_timeout_s) as http:
                    response = await http.post(self._base + path, json=body, headers=headers)
        except (TimeoutError, httpx.TransportError) as exc:
            raise CarrierUnavailableError(f"Không kết nối được Viettel Post: {exc!r}") from exc
        if response.status_code >= 500 or response.status_code in (408, 429):
            raise CarrierUnavailableError(f"Viettel Post trả lỗi HTTP {response.status_code}")
        try:
            payload = response.json()
        except ValueError as exc:
            raise CarrierUnavailableError("Viettel Post trả về nội dung không phải JSON") from exc
        if isinstance(payload, list):  # getPriceAll answers with a bare list
            return Envelope(status=200, error=False, message="OK", data=payload)
        try:
            return Envelope.model_validate(payload)
        except ValidationError as exc:
            raise CarrierUnavailableError("Viettel Post trả về phong bì không hợp lệ") from exc

    # -- token -------------------------------------------------------------------------------
    async def _stored_token(self) -> str | None:
        doc = await self.db[CARRIER_TOKENS].find_one({"_id": CARRIER})
        return str(doc["token"]) if doc and doc.get("token") else None

    async def sign_in(self) -> str:
        """Login, then ownerconnect for the long-lived token; stored for every process."""
        credentials = {
            "USERNAME": self.settings.viettelpost_username,
            "PASSWORD": self.settings.viettelpost_password.get_secret_value(),
        }
        login = await self._post("/v2/user/Login", credentials, None)
        short = self._token_of(login)
        owner = await self._post("/v2/user/ownerconnect", credentials, short)
        token = self._token_of(owner)
        await self.db[CARRIER_TOKENS].update_one(
            {"_id": CARRIER},
            {"$set": {"token": token, "obtained_at": datetime.now(UTC)}},
            upsert=True,
        )
        log.info("viettelpost.signed_in")
        return token

    @staticmethod
    def _token_of(envelope: Envelope) -> str:
        data = envelope.data if isinstance(envelope.data, dict) else {}
        token = data.get("token")
        if envelope.error or envelope.status != 200 or not isinstance(token, str) or not token:
            raise CarrierAuthError(
                f"Đăng nhập Viettel Post thất bại: {envelope.message or envelope.status}",
                carrier_status=envelope.status,
            )
        return token

    async def call(self, path: str, body: dict[str, Any]) -> Envelope:
        """One API call with the shared token; a token error signs in again and retries once."""
        token = await self._stored_token() or await self.sign_in()
        envelope = await self._post(path, body, token)
        if envelope.status in TOKEN_ERRORS:
            log.info("viettelpost.token_rejected", status=envelope.status)
            envelope = await self._post(path, body, await self.sign_in())
            if envelope.status in TOKEN_ERRORS:
                raise CarrierAuthError(
                    f"Viettel Post từ chối token mới: {envelope.message}",
                    carrier_status=envelope.status,
                )
        return envelope

    # -- operations --------------------------------------------------------------------------
    async def price_all(self, request: dict[str, Any]) -> list[ServiceQuote]:
        envelope = await self.call("/v2/order/getPriceAll", request)
        self._raise_for(envelope)
        items = envelope.data if isinstance(envelope.data, list) else []
        quotes = []
        for item in items:
            if not isinstance(item, dict) or "MA_DV_CHINH" not in item:
                continue
            quotes.append(
                ServiceQuote(
                    service=str(item["MA_DV_CHINH"]),
                    name=str(item.get("TEN_DICHVU") or item["MA_DV_CHINH"]),
                    price_vnd=int(item.get("GIA_CUOC") or 0),
                    delivery_time=str(item["THOI_GIAN"]) if item.get("THOI_GIAN") else None,
                )
            )
        return quotes

    async def price(self, request: dict[str, Any]) -> int:
        envelope = await self.call("/v2/order/getPrice", request)
        self._raise_for(envelope)
        data = envelope.data if isinstance(envelope.data, dict) else {}
        return int(data.get("MONEY_TOTAL") or 0)

    async def create_order(self, payload: dict[str, Any]) -> CreatedWaybill:
        envelope = await self.call("/v2/order/createOrder", payload)
        data = envelope.data if isinstance(envelope.data, dict) else {}
        if envelope.error and _is_duplicate(envelope.message):
            # Our ORDER_NUMBER is already there: an earlier attempt succeeded.
            waybill = data.get("ORDER_NUMBER")
            return CreatedWaybill(str(waybill) if waybill else None, None, None, True)
        self._raise_for(envelope)
        waybill = data.get("ORDER_NUMBER")
        if not waybill:
            raise CarrierUnavailableError("Viettel Post không trả về mã vận đơn")
        return CreatedWaybill(
            waybill=str(waybill),
            fee_vnd=int(data["MONEY_TOTAL"]) if data.get("MONEY_TOTAL") is not None else None,
            money_collection_vnd=int(data.get("MONEY_COLLECTION") or 0),
            duplicate=False,
        )

    async def cancel_order(self, waybill: str, note: str) -> None:
        envelope = await self.call(
            "/v2/order/UpdateOrder",
            {"TYPE": 4, "ORDER_NUMBER": waybill, "NOTE": truncate_bytes(note, TEXT_LIMIT)},
        )
        self._raise_for(envelope)

    @staticmethod
    def _raise_for(envelope: Envelope) -> None:
        if envelope.error or envelope.status != 200:
            raise CarrierRejectedError(
                f"Viettel Post: {envelope.message or 'lỗi không rõ'} (mã {envelope.status})",
                carrier_status=envelope.status,
            )


# -- request building ------------------------------------------------------------------------
def _text(value: str | None) -> str:
    return truncate_bytes(value, TEXT_LIMIT)


def price_request(
    settings: OrdersSettings, order: EcomOrder, weight_g: int, service: str | None = None
) -> dict[str, Any]:
    collection = money_collection(order)
    request: dict[str, Any] = {
        "SENDER_PROVINCE": settings.shipper_province_code,
        "SENDER_DISTRICT": None,
        "SENDER_WARD": settings.shipper_commune_code or None,
        "RECEIVER_PROVINCE": order.buyer.address.province_code,
        "RECEIVER_DISTRICT": None,
        "RECEIVER_WARD": order.buyer.address.commune_code,
        "PRODUCT_TYPE": "HH",
        "PRODUCT_WEIGHT": weight_g,
        "PRODUCT_PRICE": order.subtotal_vnd,
        "MONEY_COLLECTION": collection,
        "TYPE": 1,
        "NATIONAL_TYPE": 1,
    }
    if service:
        request["ORDER_SERVICE"] = service
        request["ORDER_SERVICE_ADD"] = ""
    return request


def money_collection(order: EcomOrder) -> int:
    """What the carrier collects from the buyer, matching ORDER_PAYMENT."""
    kind = order_payment(order.payment, order.buyer_pays_shipping)
    if kind == 1:
        return 0
    if kind == 2:
        return order.total_vnd
    return order.subtotal_vnd


def create_order_payload(
    settings: OrdersSettings, order: EcomOrder, service: str, weight_g: int
) -> dict[str, Any]:
    address = order.buyer.address
    names = ", ".join(f"{line.product_name} x{line.quantity}" for line in order.lines)
    per_unit = max(1, weight_g // max(1, sum(line.quantity for line in order.lines)))
    return {
        "ORDER_NUMBER": order.number,
        "GROUPADDRESS_ID": 0,
        "CUS_ID": 0,
        "SENDER_FULLNAME": _text(settings.shipper_name),
        "SENDER_ADDRESS": _text(settings.shipper_address),
        "SENDER_PHONE": _text(settings.shipper_phone),
        "SENDER_PROVINCE": settings.shipper_province_code,
        "SENDER_DISTRICT": None,
        "SENDER_WARD": settings.shipper_commune_code or None,
        "RECEIVER_FULLNAME": _text(order.buyer.name),
        "RECEIVER_ADDRESS": _text(address.one_line()),
        "RECEIVER_PHONE": _text(order.buyer.phone),
        "RECEIVER_EMAIL": _text(order.buyer.email),
        "RECEIVER_PROVINCE": address.province_code,
        "RECEIVER_DISTRICT": None,
        "RECEIVER_WARD": address.commune_code,
        "PRODUCT_NAME": _text(names),
        "PRODUCT_DESCRIPTION": _text(f"Đơn {order.number} ({order.channel.value})"),
        "PRODUCT_QUANTITY": sum(line.quantity for line in order.lines),
        "PRODUCT_PRICE": order.subtotal_vnd,
        "PRODUCT_WEIGHT": weight_g,
        "PRODUCT_TYPE": "HH",
        "ORDER_PAYMENT": order_payment(order.payment, order.buyer_pays_shipping),
        "ORDER_SERVICE": service,
        "ORDER_SERVICE_ADD": "",
        "ORDER_NOTE": _text(order.note or "Cho xem hàng, không cho thử"),
        "MONEY_COLLECTION": money_collection(order),
        "LIST_ITEM": [
            {
                "PRODUCT_NAME": _text(line.product_name),
                "PRODUCT_PRICE": line.unit_price_vnd,
                "PRODUCT_WEIGHT": per_unit * line.quantity,
                "PRODUCT_QUANTITY": line.quantity,
            }
            for line in order.lines
        ],
        "CHECK_UNIQUE": True,
    }
