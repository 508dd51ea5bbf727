"""Validation problems in Vietnamese, naming each field by its label: one kernel rule."""

from __future__ import annotations

from typing import Annotated, Any

import httpx
import pytest
from fastapi import FastAPI, Query
from pydantic import BaseModel, ConfigDict, Field

from ocop_shared.text import MultilineText, Text
from ocop_shared.web.problems import install_problem_handlers


class Contact(BaseModel):
    phone: Text = Field(title="Số điện thoại", pattern=r"^[0-9]{8,12}$")


class Product(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text = Field(title="Tên sản phẩm", min_length=2)
    stars: int = Field(title="Hạng sao", ge=3, le=5)
    note: MultilineText | None = None
    contacts: list[Contact] = []


def _app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/products")
    async def create(body: Product) -> dict[str, str]:
        return {"name": body.name}

    @app.get("/products")
    async def search(
        limit: Annotated[int, Query(title="Số dòng", ge=1, le=100)] = 20,
    ) -> dict[str, int]:
        return {"limit": limit}

    return app


async def _send(method: str, url: str, **kw: Any) -> httpx.Response:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.request(method, url, **kw)


def _messages(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    return {e["field"]: e["message"] for e in response.json()["errors"]}


async def test_english_pydantic_messages_become_vietnamese_naming_the_label() -> None:
    response = await _send(
        "POST",
        "/products",
        json={"name": 5, "stars": 9, "contacts": [{"phone": "x"}], "colour": "đỏ"},
    )
    assert _messages(response) == {
        "body.name": "«Tên sản phẩm» phải là chuỗi ký tự",
        "body.stars": "«Hạng sao» tối đa là 5",
        "body.contacts.0.phone": "«Số điện thoại» không đúng định dạng",
        "body.colour": "«colour» không phải trường được chấp nhận",
    }
    assert response.json()["detail"] == (
        "Kiểm tra lại: Tên sản phẩm, Hạng sao, Số điện thoại, colour"
    )
    for message in _messages(response).values():
        assert "Input should" not in message and "String should" not in message


async def test_a_missing_field_and_a_field_without_a_label_are_named() -> None:
    response = await _send("POST", "/products", json={"stars": 4, "note": "a\x00"})
    assert _messages(response) == {
        "body.name": "«Tên sản phẩm» là bắt buộc",
        "body.note": "«note» chứa ký tự điều khiển không được phép"
        " (chỉ được xuống dòng và tab): U+0000",
    }


async def test_a_control_character_is_refused_by_the_label_of_the_field() -> None:
    response = await _send("POST", "/products", json={"name": "Bưởi\u0003", "stars": 4})
    assert _messages(response) == {
        "body.name": "«Tên sản phẩm» chứa ký tự điều khiển không được phép: U+0003"
    }


async def test_malformed_json_is_named_as_such_not_as_a_position_in_the_body() -> None:
    response = await _send(
        "POST",
        "/products",
        content=b'{"name": "B\xc6\xb0\xe1\xbb\x9fi", "stars": 4,,}',
        headers={"content-type": "application/json"},
    )
    problem = response.json()
    assert response.status_code == 422
    assert [e["field"] for e in problem["errors"]] == ["body"]
    assert problem["errors"][0]["message"].startswith("JSON không hợp lệ")
    assert problem["detail"].startswith("JSON không hợp lệ")
    assert "body." not in problem["detail"]


async def test_query_parameters_are_named_by_their_title() -> None:
    response = await _send("GET", "/products", params={"limit": "nhiều"})
    assert _messages(response) == {"query.limit": "«Số dòng» phải là số nguyên"}


def test_a_refused_role_is_named_in_vietnamese_not_by_its_enum_value() -> None:
    from fastapi import HTTPException

    from ocop_shared.auth import Principal, Role
    from ocop_shared.web.security import require_roles

    check = require_roles(Role.PROVINCE_OFFICER, Role.TRADE_STAFF)
    with pytest.raises(HTTPException) as refused:
        check(Principal(subject="b", roles=[Role.BUYER]))
    assert refused.value.detail == (
        "Cần một trong các vai trò: cán bộ OCOP tỉnh, cán bộ xúc tiến thương mại"
    )
