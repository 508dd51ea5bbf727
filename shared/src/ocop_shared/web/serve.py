"""How every API is served by uvicorn: the command-line options that bound what a client can
make the server hold.

`ocop run`, the test platform (`ocop_platform.testing.live`) and the image's entrypoint
(`deploy/Dockerfile`, checked by `tests/deploy`) all start APIs with `UVICORN_LIMITS`.
"""

from __future__ import annotations

H11_MAX_INCOMPLETE_EVENT_SIZE = 128 * 1024
"""Bytes of an unfinished request head the parser buffers before refusing the request.

httptools (uvicorn's default parser when installed) buffers headers of any size; h11 stops at
this bound. Headers over `ocop_shared.web.header_limit.MAX_HEADER_BYTES` but under this bound
reach the app and get a 431 problem; over it, uvicorn answers 400 and closes."""

UVICORN_LIMITS: tuple[str, ...] = (
    "--http",
    "h11",
    "--h11-max-incomplete-event-size",
    str(H11_MAX_INCOMPLETE_EVENT_SIZE),
)
