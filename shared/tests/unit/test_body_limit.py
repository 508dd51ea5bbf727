from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI, File, Request, UploadFile

from ocop_shared.web.body_limit import BodyLimitMiddleware
from ocop_shared.web.problems import install_problem_handlers


def _app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=1024)

    @app.post("/raw")
    async def raw(request: Request) -> dict[str, int]:
        return {"size": len(await request.body())}

    @app.post("/upload")
    async def upload(file: UploadFile = File()) -> dict[str, int]:
        return {"size": len(await file.read())}

    return app


async def _post(**kw: object) -> httpx.Response:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.post(**kw)  # type: ignore[arg-type]


async def test_a_body_under_the_limit_reaches_the_endpoint() -> None:
    response = await _post(url="/raw", content=b"x" * 1000)
    assert response.json() == {"size": 1000}


async def test_a_declared_oversized_body_is_refused_before_it_is_read() -> None:
    response = await _post(url="/upload", files={"file": ("a.pdf", b"x" * 5000)})
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "MB" in response.json()["detail"]


async def test_a_streamed_body_without_length_is_counted_and_refused() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b"x" * 500

    response = await _post(url="/raw", content=chunks())
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_streamed_json_body_to_a_service_app_is_refused_with_413_not_400() -> None:
    from fastapi import APIRouter
    from pydantic import BaseModel

    from ocop_shared.settings import ServiceSettings
    from ocop_shared.web.app import build_service_app

    class Body(BaseModel):
        a: int

    router = APIRouter()

    @router.post("/json")
    async def json_endpoint(body: Body) -> dict[str, int]:
        return {"a": body.a}

    app = build_service_app(
        ServiceSettings(), title="t", description="d", routers=[router], max_body_bytes=1024
    )

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b" " * 500

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.post(
            "/json", content=chunks(), headers={"content-type": "application/json"}
        )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")
