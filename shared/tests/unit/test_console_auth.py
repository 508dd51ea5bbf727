from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse

from ocop_shared.auth import Role, mint_token
from ocop_shared.settings import ServiceSettings
from ocop_shared.web.console_auth import COOKIE, page_principal, sign_in_router
from ocop_shared.web.pages import service_templates


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    (tmp_path / "base.html").write_text('{% extends "layout.html" %}', encoding="utf-8")
    app = FastAPI()
    app.state.settings = ServiceSettings()
    app.include_router(
        sign_in_router(service_templates(tmp_path), default_next="/console", hint="x")
    )

    @app.get("/whoami")
    async def whoami(request: Request) -> PlainTextResponse:
        who = page_principal(request)
        return PlainTextResponse(who.subject if who else "-")

    return app


def client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_a_valid_token_sets_an_http_only_cookie_and_goes_back(app: FastAPI) -> None:
    token = mint_token(app.state.settings, subject="officer-1", roles=[Role.PROVINCE_OFFICER])
    async with client(app) as http:
        page = await http.get("/dang-nhap")
        assert page.status_code == 200
        assert "Đăng nhập" in page.text
        response = await http.post("/dang-nhap", data={"token": token, "next": "/whoami"})
        assert response.status_code == 303
        assert response.headers["location"] == "/whoami"
        cookie = response.headers["set-cookie"]
        assert "HttpOnly" in cookie
        assert "SameSite=strict" in cookie
        assert (await http.get("/whoami")).text == "officer-1"
        assert (await http.get("/dang-xuat")).status_code == 405
        assert (await http.get("/whoami")).text == "officer-1"
        await http.post("/dang-xuat")
        assert (await http.get("/whoami")).text == "-"


async def test_a_bad_token_is_refused_without_a_cookie(app: FastAPI) -> None:
    async with client(app) as http:
        response = await http.post("/dang-nhap", data={"token": "not-a-jwt"})
        assert response.status_code == 401
        assert "không hợp lệ" in response.text
        assert COOKIE not in response.headers.get("set-cookie", "")


@pytest.mark.parametrize("target", ["https://evil.example", "//evil.example", "/\\evil.example"])
async def test_sign_in_never_redirects_off_site(app: FastAPI, target: str) -> None:
    token = mint_token(app.state.settings, subject="officer-1", roles=[Role.PROVINCE_OFFICER])
    async with client(app) as http:
        response = await http.post("/dang-nhap", data={"token": token, "next": target})
        assert response.headers["location"] == "/console"
