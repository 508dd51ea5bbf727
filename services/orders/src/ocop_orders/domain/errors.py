"""Errors of the orders domain, each a problem+json response naming the offending input."""

from __future__ import annotations

from ocop_shared.errors import ConflictError, InvalidStateError, ValidationFailedError


class OutOfStockError(ConflictError):
    """Not enough sellable units of a product at a showroom (409)."""

    code = "out-of-stock"
    title = "Hết hàng"

    def __init__(self, detail: str, *, product_id: str, field: str | None = None) -> None:
        super().__init__(detail, field=field)
        self.product_id = product_id


class NotSellableError(InvalidStateError):
    """The product may not be sold at this showroom now (certificate ended, not listed...)."""

    code = "not-sellable"
    title = "Sản phẩm không được phép bán"

    def __init__(
        self,
        detail: str,
        *,
        product_id: str,
        field: str | None = None,
        product_name: str | None = None,
        reason: str | None = None,
    ) -> None:
        super().__init__(detail, field=field)
        self.product_id = product_id
        self.product_name = product_name
        self.reason = reason


class IdempotencyKeyReusedError(ValidationFailedError):
    """The same key came with a different request body (422, as the IETF draft says)."""

    code = "idempotency-key-reused"
    title = "Idempotency-Key đã dùng cho yêu cầu khác"
