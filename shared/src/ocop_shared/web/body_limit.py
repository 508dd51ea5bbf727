"""A cap on the size of every request body, before anything is parsed or spooled to disk.

Starlette reads a whole multipart upload into temporary files before the endpoint runs, so
the per-endpoint limits (evidence files, catalogue imports) are checked only after the bytes
have arrived. This middleware refuses an oversized body at the door: by its Content-Length
at once, and by counting when the body is streamed without one.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ocop_shared.web.problems import problem

DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024


def _too_large_detail(max_bytes: int) -> str:
    return f"Dữ liệu gửi lên vượt quá {max_bytes / (1024 * 1024):g} MB mỗi yêu cầu"


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            response = problem(
                413,
                "Dữ liệu quá lớn",
                _too_large_detail(self.max_bytes),
                code="payload-too-large",
            )
            await response(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # Raised inside the endpoint's body read: the problem handlers answer 413.
                    raise HTTPException(413, _too_large_detail(self.max_bytes))
            return message

        await self.app(scope, counted, send)
