"""The seeding client's HTTP helper and its one report (created / already there, per kind)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

Progress = Callable[[str], None]

PAGE = 200


class SeedError(RuntimeError):
    """A service refused a demo request in a way seeding cannot work around."""


def checked(response: httpx.Response) -> Any:
    """The response's JSON, or a `SeedError` naming the request, status and problem."""
    if response.is_error:
        raise SeedError(
            f"{response.request.method} {response.request.url.path} → "
            f"{response.status_code}: {response.text[:500]}"
        )
    return response.json()


class SeedClient:
    """One service's API, as the demo's client: JSON in and out, errors raised."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return checked(await self.http.get(path, params=params))

    async def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return checked(await self.http.post(path, json=body, **kwargs))

    async def put(self, path: str, body: Any) -> Any:
        return checked(await self.http.put(path, json=body))

    async def patch(self, path: str, body: Any) -> Any:
        return checked(await self.http.patch(path, json=body))

    async def list_all(self, path: str, params: dict[str, Any] | None = None) -> list[Any]:
        """Every page of a ``skip``/``limit`` listing."""
        items: list[Any] = []
        skip = 0
        while True:
            page = await self.get(path, {**(params or {}), "skip": skip, "limit": PAGE})
            items.extend(page)
            if len(page) < PAGE:
                return items
            skip += PAGE


KINDS = {
    "producer": "chủ thể",
    "product": "sản phẩm",
    "certificate": "giấy chứng nhận",
    "revocation": "thu hồi",
    "expiry": "hết hạn",
    "round": "đợt đánh giá",
    "dossier": "hồ sơ",
    "sheet": "phiếu chấm",
    "dossier_step": "bước xử lý hồ sơ",
    "plan_target": "chỉ tiêu kế hoạch",
    "content": "nội dung sản phẩm",
    "showroom": "điểm bán",
    "stock_line": "dòng nhập kho",
    "sale": "hoá đơn mẫu",
    "listing": "tin đăng sàn TMĐT",
    "online_order": "đơn trực tuyến",
    "order_step": "bước xử lý đơn",
    "trade_event": "sự kiện",
    "booth": "gian hàng",
    "registration": "đăng ký hội chợ",
    "booth_allocation": "xếp gian",
    "fair_report": "báo cáo hội chợ",
    "demand": "nhu cầu",
    "offer": "chào bán",
    "match": "đề xuất kết nối",
    "pipeline_move": "bước kết nối",
}
"""Every kind of record the demo makes, with its Vietnamese name for the report."""


@dataclass
class SeedReport:
    """What a seeding run did, per kind: records created, and those already there."""

    created: Counter[str] = field(default_factory=Counter)
    existing: Counter[str] = field(default_factory=Counter)

    def add(self, kind: str, *, created: bool, count: int = 1) -> None:
        assert kind in KINDS, kind
        (self.created if created else self.existing)[kind] += count

    def merge(self, other: SeedReport) -> None:
        self.created.update(other.created)
        self.existing.update(other.existing)

    @property
    def total_created(self) -> int:
        return sum(self.created.values())

    def rows(self) -> list[tuple[str, int, int]]:
        """(kind's name, created, already there) for every kind seen, in `KINDS` order."""
        return [
            (label, self.created[kind], self.existing[kind])
            for kind, label in KINDS.items()
            if self.created[kind] or self.existing[kind]
        ]

    def summary(self) -> str:
        """One line: ``+3 chủ thể (đã có 5), …``."""
        parts = [
            f"+{created} {label}" + (f" (đã có {existing})" if existing else "")
            for label, created, existing in self.rows()
        ]
        return ", ".join(parts) + "." if parts else "không có gì (nothing)."


@dataclass
class SeedRun:
    """One seeding run across the sections: the data, the report, the progress callback, and
    what a section learns that later ones need."""

    report: SeedReport = field(default_factory=SeedReport)
    step: Progress = field(default=lambda _: None)
    product_ids: dict[str, str] = field(default_factory=dict)
    """Demo product name → product id (from the certification section): later sections touch
    only these products (and the catalogue's own demo products)."""
