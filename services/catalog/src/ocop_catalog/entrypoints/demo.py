"""Demo content (DOMAIN.md §11): descriptions, units, prices for the certification demo.

Rows carry no product id: they are matched by name to the products the certification demo
registers (so run that first and let the consumer catch up). Prices, pack sizes and the
traceability links are illustrative (dữ liệu minh hoạ). One key farm product without an
OCOP certificate shows the Việt Trì showroom rule. Re-running changes nothing.

`ocop run` loads it through the import API (``seed_demo``); by hand:
`python -m ocop_catalog.entrypoints.demo` (or `ocop-catalog demo-content`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import httpx

from ocop_catalog.config import CatalogSettings
from ocop_catalog.service_layer.importer import ImportReport

DEMO_CONTENT = Path(str(files("ocop_catalog.demo").joinpath("demo_content.csv")))


async def seed_demo_content(
    settings: CatalogSettings, *, wait_s: float = 60.0, interval_s: float = 2.0
) -> ImportReport:
    """Import the demo content, retrying while the demo products have not arrived yet."""
    from ocop_catalog.entrypoints.cli import run_import

    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_s
    while True:
        report = await run_import(settings, DEMO_CONTENT, dry_run=False, show_progress=False)
        if not report.rejected or loop.time() > deadline:
            return report
        await asyncio.sleep(interval_s)


WAIT_ATTEMPTS = 30
"""Import attempts while the certification demo's products reach the catalogue (2 s apart)."""


class SeedError(RuntimeError):
    """The import API refused the demo file."""


@dataclass(frozen=True)
class DemoContentReport:
    rows: int
    created: int
    updated: int
    unchanged: int
    rejected: int

    def summary(self) -> str:
        return (
            f"{self.rows} dòng nội dung: +{self.created} mới, {self.updated} cập nhật, "
            f"{self.unchanged} không đổi, {self.rejected} bị từ chối."
        )


def demo_step_count() -> int:
    return 1


async def seed_demo(
    base_url: str,
    token: str,
    *,
    progress: Callable[[str], None] | None = None,
    interval_s: float = 2.0,
) -> DemoContentReport:
    """Post the demo content to ``/api/v1/imports``, again while products are still missing."""
    body: dict[str, Any] = {}
    content = await asyncio.to_thread(DEMO_CONTENT.read_bytes)
    async with httpx.AsyncClient(
        base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=120
    ) as client:
        for _ in range(WAIT_ATTEMPTS):
            response = await client.post(
                "/api/v1/imports",
                files={"file": (DEMO_CONTENT.name, content, "text/csv")},
            )
            if response.status_code != 200:
                raise SeedError(f"{response.status_code}: {response.text[:300]}")
            body = response.json()
            if not body["rejected"]:
                break
            await asyncio.sleep(interval_s)
    if progress is not None:
        progress("nội dung sản phẩm (product content)")
    return DemoContentReport(
        rows=body["rows"],
        created=body["created"],
        updated=body["updated"],
        unchanged=body["unchanged"],
        rejected=len(body["rejected"]),
    )


def main() -> None:
    from ocop_catalog.entrypoints.cli import print_report

    print_report(asyncio.run(seed_demo_content(CatalogSettings())))


if __name__ == "__main__":
    main()
