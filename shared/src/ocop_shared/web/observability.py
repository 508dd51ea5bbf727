"""Correlation ids per request, Prometheus metrics, and the health endpoints."""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable, Mapping

import structlog
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

from ocop_shared.logging import correlation_id_var

CORRELATION_HEADER = "X-Correlation-ID"

REQUESTS = Counter(
    "ocop_http_requests_total", "HTTP requests", ["service", "method", "route", "status"]
)
LATENCY = Histogram(
    "ocop_http_request_seconds", "HTTP request latency", ["service", "method", "route"]
)

ReadinessCheck = Callable[[], Awaitable[bool]]


def install_correlation_and_metrics(app: FastAPI, service: str) -> None:
    @app.middleware("http")
    async def correlate(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        incoming = request.headers.get(CORRELATION_HEADER, "")
        correlation_id = incoming if 0 < len(incoming) <= 128 else str(uuid.uuid4())
        token = correlation_id_var.set(correlation_id)
        structlog.contextvars.bind_contextvars(correlation_id=correlation_id)
        started = time.perf_counter()
        try:
            response = await call_next(request)
        finally:
            structlog.contextvars.unbind_contextvars("correlation_id")
            correlation_id_var.reset(token)
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        REQUESTS.labels(service, request.method, path, str(response.status_code)).inc()
        LATENCY.labels(service, request.method, path).observe(time.perf_counter() - started)
        response.headers[CORRELATION_HEADER] = correlation_id
        return response


def health_router(checks: Mapping[str, ReadinessCheck]) -> APIRouter:
    """`/health/live` (process up), `/health/ready` (every dependency answers), `/metrics`."""
    router = APIRouter(tags=["health"])

    @router.get("/health/live")
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/health/ready")
    async def ready() -> JSONResponse:
        results = {name: await check() for name, check in checks.items()}
        ok = all(results.values())
        body = {
            "status": "ok" if ok else "unavailable",
            "checks": {name: "ok" if up else "down" for name, up in results.items()},
        }
        return JSONResponse(body, status_code=200 if ok else 503)

    @router.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
