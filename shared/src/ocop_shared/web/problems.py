"""RFC 9457 problem+json responses for every error, naming the offending fields."""

from __future__ import annotations

import html
import json
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel
from pymongo.errors import ConnectionFailure, PyMongoError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ocop_shared.errors import DomainError
from ocop_shared.validation_vi import MALFORMED_JSON, field_name, label_in, message_vi

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
    kept = {k: v for k, v in response.headers.items() if k in ("retry-after", "www-authenticate")}
    return HTMLResponse(page, status_code=response.status_code, headers=kept)


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in loc)


_SOURCES = {"query": "query_params", "path": "path_params", "header": "header_params"}


def _param_title(dependant: Any, source: str, name: str) -> str | None:
    """The ``title`` of a query/path/header parameter, searched through sub-dependencies."""
    for param in getattr(dependant, _SOURCES[source], ()):
        if name in (param.name, getattr(param, "alias", None)):
            title = getattr(param.field_info, "title", None)
            return str(title) if title else None
    for sub in getattr(dependant, "dependencies", ()):
        found = _param_title(sub, source, name)
        if found:
            return found
    return None


def _label(request: Request, loc: tuple[Any, ...] | list[Any]) -> str | None:
    """The Vietnamese label the route's schema gives the field at ``loc``, else its name."""
    route = request.scope.get("route")
    label: str | None = None
    if loc and loc[0] == "body":
        body_field = getattr(route, "body_field", None)
        model = getattr(getattr(body_field, "field_info", None), "annotation", None)
        if isinstance(model, type) and issubclass(model, BaseModel):
            label = label_in(model, list(loc[1:]))
    elif len(loc) >= 2 and loc[0] in _SOURCES:
        label = _param_title(getattr(route, "dependant", None), str(loc[0]), str(loc[1]))
    return label or field_name(loc)


async def _validation(request: Request, exc: Exception) -> Response:
    """422 in Vietnamese: each error names its field by its label (``«Tên sản phẩm» là bắt
    buộc``); a body that is not JSON at all is named as such, not as ``body.15``."""
    assert isinstance(exc, RequestValidationError)
    errors: list[dict[str, Any]] = []
    labels: list[str] = []
    malformed = False
    for err in exc.errors():
        loc = tuple(err.get("loc", ()))
        if err.get("type") == "json_invalid":
            malformed = True
            errors.append(
                {"field": "body", "message": message_vi(err, None), "type": "json_invalid"}
            )
            continue
        label = _label(request, loc)
        if label and label not in labels:
            labels.append(label)
        errors.append(
            {"field": _field_path(loc), "message": message_vi(err, label), "type": err.get("type")}
        )
    if malformed:
        detail = f"{MALFORMED_JSON}: nội dung gửi lên không đọc được như JSON"
    else:
        detail = f"Kiểm tra lại: {', '.join(labels)}" if labels else "Kiểm tra lại dữ liệu gửi lên"
    return negotiated(
        request,
        problem(
            422,
            "Dữ liệu không hợp lệ",
            detail,
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


def database_unavailable(exc: BaseException) -> bool:
    """The database could not be reached or did not answer in time (not a bad request)."""
    return isinstance(exc, ConnectionFailure) or (isinstance(exc, PyMongoError) and exc.timeout)


async def _database_error(request: Request, exc: Exception) -> Response:
    if not database_unavailable(exc):
        return await _unexpected(request, exc)
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
    # Connection failures, server selection and operation timeouts: 503 with Retry-After.
    app.add_exception_handler(PyMongoError, _database_error)
    app.add_exception_handler(Exception, _unexpected)


class UnexpectedErrorMiddleware:
    """Answers an unexpected error with the 500 problem and does not re-raise it.

    Starlette's outermost error middleware sends the 500 and then re-raises, and uvicorn
    answers a re-raised error by closing the connection: a client's next request on the same
    keep-alive connection then fails. Here the error is logged and answered, and the
    connection stays usable. An error after the response has started is re-raised (nothing
    else can be done with that connection).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as exc:
            if started:
                raise
            response = await _unexpected(Request(scope, receive), exc)
            await response(scope, receive, send)


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
