"""RFC 9457 problem+json responses for every error, naming the offending fields."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ocop_shared.errors import DomainError

log = structlog.get_logger(__name__)

PROBLEM_JSON = "application/problem+json"


def problem(
    status: int,
    title: str,
    detail: str | None = None,
    *,
    code: str = "about:blank",
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"type": code, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in loc)


async def _validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "field": _field_path(err.get("loc", ())),
            "message": err.get("msg", ""),
            "type": err.get("type"),
        }
        for err in exc.errors()
    ]
    fields = ", ".join(e["field"] for e in errors)
    return problem(
        422,
        "Dữ liệu không hợp lệ",
        f"Kiểm tra lại: {fields}",
        code="validation-failed",
        errors=errors,
    )


async def _domain(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    errors = [{"field": exc.field, "message": exc.detail}] if exc.field else None
    return problem(exc.status, exc.title, exc.detail, code=exc.code, errors=errors)


async def _http(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    titles = {
        401: "Chưa xác thực",
        403: "Không có quyền",
        404: "Không tìm thấy",
        405: "Phương thức không được hỗ trợ",
    }
    return problem(
        exc.status_code,
        titles.get(exc.status_code, "Lỗi yêu cầu"),
        str(exc.detail) if exc.detail else None,
        headers=dict(exc.headers) if exc.headers else None,
    )


async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    log.exception("request.unexpected_error", error=repr(exc))
    return problem(500, "Lỗi hệ thống", "Đã có lỗi không mong muốn; vui lòng thử lại.")


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
