"""Domain errors every service raises; the web layer maps them to problem+json once."""

from __future__ import annotations


class DomainError(Exception):
    """Base of expected, user-facing failures. `field` names the offending input."""

    status: int = 400
    code: str = "domain-error"
    title: str = "Yêu cầu không hợp lệ"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class NotFoundError(DomainError):
    status = 404
    code = "not-found"
    title = "Không tìm thấy"


class ConflictError(DomainError):
    status = 409
    code = "conflict"
    title = "Xung đột dữ liệu"


class InvalidStateError(DomainError):
    status = 409
    code = "invalid-state"
    title = "Trạng thái không cho phép thao tác này"


class ValidationFailedError(DomainError):
    status = 422
    code = "validation-failed"
    title = "Dữ liệu không hợp lệ"


class ForbiddenError(DomainError):
    status = 403
    code = "forbidden"
    title = "Không có quyền"
