"""A cap on the number and size of request headers: 431 at once, before anything reads them.

uvicorn's default HTTP parser (httptools) accepts headers of any count and size, and every
layer above it (Starlette's `Headers`, each middleware, FastAPI's dependencies) walks them
again. The servers are also started with a bounded parser buffer (`ocop_shared.web.serve`,
`--h11-max-incomplete-event-size`), which bounds what is held in memory; this middleware
gives the client a clear answer for what got through.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from ocop_shared.web.problems import problem

MAX_HEADERS = 100
MAX_HEADER_BYTES = 16 * 1024
"""Names and values together, as nginx's default `large_client_header_buffers` (4 × 8 KB)
roughly allows; a browser with a full set of cookies sends a few KB."""


class HeaderLimitMiddleware:
    def __init__(
        self, app: ASGIApp, max_headers: int = MAX_HEADERS, max_bytes: int = MAX_HEADER_BYTES
    ) -> None:
        self.app = app
        self.max_headers = max_headers
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = scope["headers"]
            too_many = len(headers) > self.max_headers
            if too_many or sum(len(k) + len(v) for k, v in headers) > self.max_bytes:
                detail = (
                    f"Yêu cầu có quá {self.max_headers} tiêu đề (header)"
                    if too_many
                    else f"Các tiêu đề (header) của yêu cầu vượt quá {self.max_bytes // 1024} KB"
                )
                response = problem(
                    431,
                    "Tiêu đề yêu cầu quá lớn",
                    detail,
                    code="request-header-fields-too-large",
                    headers={"Connection": "close"},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
