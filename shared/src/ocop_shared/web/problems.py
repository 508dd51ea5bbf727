"""RFC 9457 problem+json responses for every error, naming the offending fields."""

from __future__ import annotations

import html
import json
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pymongo.errors import ConnectionFailure
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


_ERROR_PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title></head>
<body style="font-family:system-ui,sans-serif;max-width:640px;margin:48px auto;padding:0 16px">
<h1>{title}</h1><p>{detail}</p><p><a href="/">Về trang chủ</a></p></body></html>"""


def _wants_html(request: Request) -> bool:
    """Browsers on pages get a readable page; API clients always get problem+json."""
    accept = request.headers.get("accept", "")
    return "text/html" in accept and not request.url.path.startswith("/api/")


def negotiated(request: Request, response: JSONResponse) -> Response:
    if not _wants_html(request):
        return response
    body = json.loads(bytes(response.body))
    page = _ERROR_PAGE.format(
        title=html.escape(str(body.get("title", ""))),
        detail=html.escape(str(body.get("detail", ""))),
    )
    return HTMLResponse(page, status_code=response.status_code)


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in loc)


async def _validation(request: Request, exc: Exception) -> Response:
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
    return negotiated(
        request,
        problem(
            422,
            "Dữ liệu không hợp lệ",
            f"Kiểm tra lại: {fields}",
            code="validation-failed",
            errors=errors,
        ),
    )


async def _domain(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    errors = [{"field": exc.field, "message": exc.detail}] if exc.field else None
    return negotiated(
        request,
        problem(exc.status, exc.title, exc.detail, code=exc.code, errors=errors),
    )


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    titles = {
        401: "Chưa xác thực",
        403: "Không có quyền",
        404: "Không tìm thấy",
        405: "Phương thức không được hỗ trợ",
        413: "Dữ liệu quá lớn",
    }
    return negotiated(
        request,
        problem(
            exc.status_code,
            titles.get(exc.status_code, "Lỗi yêu cầu"),
            str(exc.detail) if exc.detail else None,
            headers=dict(exc.headers) if exc.headers else None,
        ),
    )


async def _database_unavailable(request: Request, exc: Exception) -> Response:
    log.warning("request.database_unavailable", error=repr(exc))
    return negotiated(
        request,
        problem(
            503,
            "Tạm thời không phục vụ được",
            "Cơ sở dữ liệu đang không phản hồi; vui lòng thử lại sau ít phút.",
            code="database-unavailable",
            headers={"Retry-After": "5"},
        ),
    )


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("request.unexpected_error", error=repr(exc))
    return negotiated(
        request,
        problem(500, "Lỗi hệ thống", "Đã có lỗi không mong muốn; vui lòng thử lại."),
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(ConnectionFailure, _database_unavailable)
    app.add_exception_handler(Exception, _unexpected)


PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; `errors` names each invalid field.",
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": ["string", "null"]},
                    "message": {"type": "string"},
                    "type": {"type": ["string", "null"]},
                },
            },
        },
    },
}


def document_problems(app: FastAPI) -> None:
    """Make the OpenAPI document say what the handlers above really send: every error is
    ``application/problem+json`` (FastAPI documents 422 as ``application/json`` with its own
    shape, and no 4xx/5xx otherwise), so clients and schema-based fuzzers see the truth.
    ``*.xlsx`` routes answer with the XLSX media type, not JSON."""
    from ocop_shared.web.exports import XLSX_MEDIA_TYPE

    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        spec = original()
        problem_ref = {"$ref": "#/components/schemas/Problem"}
        content = {PROBLEM_JSON: {"schema": problem_ref}}
        spec.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        for path, operations in spec.get("paths", {}).items():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                if path.endswith(".xlsx") and "200" in responses:
                    responses["200"]["content"] = {XLSX_MEDIA_TYPE: {}}
                if "422" in responses:
                    responses["422"] = {"description": "Validation failed", "content": content}
                responses.setdefault("4XX", {"description": "Problem", "content": content})
                responses.setdefault(
                    "503", {"description": "Database unavailable", "content": content}
                )
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]
