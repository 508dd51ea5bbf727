"""Partner-API adapter for Postmart and Voso (contract: docs/MARKETPLACE_PARTNER_API.md).

Every failure becomes ``CallFailedError`` with ``retryable`` set the way the outbound journal
needs it: timeouts, connection errors, 408/425/429/5xx and unreadable bodies may pass;
other 4xx (validation, auth) will not change by trying again and are parked at once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import ValidationError

from ocop_orders.config import OrdersSettings
from ocop_orders.domain.outbound import CallFailedError, excerpt
from ocop_orders.marketplace.domain.channel import ListingPage, ListingReceipt, OrderPage
from ocop_orders.marketplace.domain.listings import Marketplace

RETRYABLE_STATUS = frozenset({408, 425, 429})


@dataclass(frozen=True)
class ChannelConfig:
    channel: str
    base_url: str
    api_key: str
    webhook_secret: str
    timeout_s: float = 10.0


def channel_config(settings: OrdersSettings, channel: Marketplace) -> ChannelConfig:
    """Base URL and credentials of one marketplace, from settings (secrets from env)."""
    if channel is Marketplace.POSTMART:
        return ChannelConfig(
            channel.value,
            settings.postmart_base_url,
            settings.postmart_api_key.get_secret_value(),
            settings.postmart_webhook_secret.get_secret_value(),
            settings.outbound_timeout_s,
        )
    return ChannelConfig(
        channel.value,
        settings.voso_base_url,
        settings.voso_api_key.get_secret_value(),
        settings.voso_webhook_secret.get_secret_value(),
        settings.outbound_timeout_s,
    )


def marketplace_clients(settings: OrdersSettings) -> dict[Marketplace, PartnerApiClient]:
    """A partner-API client per marketplace, configured from the settings."""
    return {m: PartnerApiClient(channel_config(settings, m)) for m in Marketplace}


def sign(secret: str, body: bytes) -> str:
    """The ``X-Signature`` header value of a webhook: ``sha256=<hex HMAC-SHA256(body)>``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(secret: str, body: bytes, header: str | None) -> bool:
    """True when ``header`` is the HMAC-SHA256 of the raw ``body`` (constant-time compare)."""
    if not header:
        return False
    return hmac.compare_digest(sign(secret, body), header.strip())


class PartnerApiClient:
    """One marketplace's partner API over HTTP (implements ``MarketplacePort``)."""

    def __init__(self, config: ChannelConfig, http: httpx.AsyncClient | None = None) -> None:
        self.channel = config.channel
        self._config = config
        self._http = http or httpx.AsyncClient(timeout=config.timeout_s)
        self._owns_http = http is None

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def _request(
        self,
        method: str,
        path: str,
        *,
        seller_id: str,
        body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
        idempotency_key: str | None = None,
        missing_ok: bool = False,
    ) -> tuple[int, dict[str, Any] | None, str]:
        url = self._config.base_url.rstrip("/") + path
        headers = {"X-Api-Key": self._config.api_key, "X-Seller-Id": seller_id}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        sent = f"{method} {path}" + (f" {json.dumps(body, ensure_ascii=False)}" if body else "")
        try:
            response = await self._http.request(
                method, url, json=body, params=params, headers=headers
            )
        except httpx.TimeoutException as exc:
            raise CallFailedError(f"timeout: {exc!r}", retryable=True, request=sent) from exc
        except httpx.HTTPError as exc:
            raise CallFailedError(f"unreachable: {exc!r}", retryable=True, request=sent) from exc
        text = excerpt(response.text)
        if missing_ok and response.status_code == 404:
            return 404, None, sent
        if response.status_code >= 400:
            retryable = response.status_code >= 500 or response.status_code in RETRYABLE_STATUS
            raise CallFailedError(
                f"HTTP {response.status_code}: {_error_message(response)}",
                retryable=retryable,
                status_code=response.status_code,
                body=text,
                request=sent,
            )
        try:
            data = response.json()
        except ValueError as exc:
            raise CallFailedError(
                "unreadable response (not JSON)",
                retryable=True,
                status_code=response.status_code,
                body=text,
                request=sent,
            ) from exc
        if not isinstance(data, dict):
            raise CallFailedError(
                "unexpected response shape",
                retryable=True,
                status_code=response.status_code,
                body=text,
                request=sent,
            )
        return response.status_code, data, sent

    async def upsert_listing(
        self, seller_id: str, sku: str, content: dict[str, Any], *, idempotency_key: str
    ) -> ListingReceipt:
        _, data, sent = await self._request(
            "PUT",
            f"/api/v1/listings/{_path(sku)}",
            seller_id=seller_id,
            body=content,
            idempotency_key=idempotency_key,
        )
        return _receipt(data, sent)

    async def delist(
        self, seller_id: str, sku: str, reason: str, *, idempotency_key: str
    ) -> ListingReceipt | None:
        """None when the marketplace never had it (nothing to take down)."""
        status, data, sent = await self._request(
            "POST",
            f"/api/v1/listings/{_path(sku)}/delist",
            seller_id=seller_id,
            body={"reason": reason},
            idempotency_key=idempotency_key,
            missing_ok=True,
        )
        return None if status == 404 else _receipt(data, sent)

    async def update_price(
        self, seller_id: str, sku: str, price_vnd: int, *, idempotency_key: str
    ) -> ListingReceipt:
        _, data, sent = await self._request(
            "PATCH",
            f"/api/v1/listings/{_path(sku)}/price",
            seller_id=seller_id,
            body={"price_vnd": price_vnd},
            idempotency_key=idempotency_key,
        )
        return _receipt(data, sent)

    async def update_stock(
        self, seller_id: str, sku: str, stock: int, *, idempotency_key: str
    ) -> ListingReceipt:
        _, data, sent = await self._request(
            "PATCH",
            f"/api/v1/listings/{_path(sku)}/stock",
            seller_id=seller_id,
            body={"stock": stock},
            idempotency_key=idempotency_key,
        )
        return _receipt(data, sent)

    async def list_listings(self, seller_id: str, cursor: str | None = None) -> ListingPage:
        params = {"cursor": cursor} if cursor else None
        _, data, sent = await self._request(
            "GET", "/api/v1/listings", seller_id=seller_id, params=params
        )
        return _parse(ListingPage, data, sent)

    async def fetch_orders(
        self, updated_since: datetime | None, cursor: str | None = None, *, seller_id: str
    ) -> OrderPage:
        """One page of the orders feed (orders changed since ``updated_since``)."""
        params: dict[str, str] = {}
        if updated_since is not None:
            params["updated_since"] = updated_since.isoformat()
        if cursor:
            params["cursor"] = cursor
        _, data, sent = await self._request(
            "GET", "/api/v1/orders", seller_id=seller_id, params=params
        )
        return _parse(OrderPage, data, sent)


def _path(sku: str) -> str:
    return quote(sku, safe="")


def _error_message(response: httpx.Response) -> str:
    try:
        error = response.json().get("error") or {}
        return str(error.get("message") or error.get("code") or response.reason_phrase)
    except (ValueError, AttributeError):
        return response.reason_phrase


def _receipt(data: dict[str, Any] | None, sent: str) -> ListingReceipt:
    return _parse(ListingReceipt, data, sent)


M = TypeVar("M", ListingReceipt, ListingPage, OrderPage)


def _parse(model: type[M], data: dict[str, Any] | None, sent: str) -> M:
    try:
        return model.model_validate(data or {})
    except ValidationError as exc:
        raise CallFailedError(
            f"unexpected response: {exc.error_count()} field(s) wrong",
            retryable=True,
            body=excerpt(json.dumps(data, ensure_ascii=False, default=str)),
            request=sent,
        ) from exc
