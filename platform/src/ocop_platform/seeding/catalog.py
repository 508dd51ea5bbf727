"""Catalogue section: descriptions, units, prices and traceability links (`catalog_content.csv`).

The file goes to the catalogue's import API as it is. Its rows carry no product id: they are
matched by name to the products the certification section registered, so the import is
repeated while some have not reached the catalogue yet. One key farm product without an OCOP
certificate (its own id in the file) shows the Việt Trì showroom rule. Re-importing the same
file changes nothing (the rows come back as unchanged).
"""

from __future__ import annotations

import asyncio

import structlog

from ocop_platform.seeding.client import SeedClient, SeedRun, checked
from ocop_platform.seeding.data import CATALOG_CONTENT, DemoData, data_file

log = structlog.get_logger(__name__)

WAIT_ATTEMPTS = 30
"""Import attempts while the certification section's products reach the catalogue."""


def step_count(data: DemoData) -> int:
    return 1


async def seed(api: SeedClient, data: DemoData, run: SeedRun, *, interval_s: float = 2.0) -> None:
    content = data_file(CATALOG_CONTENT)
    for attempt in range(1, WAIT_ATTEMPTS + 1):
        response = await api.http.post(
            "/api/v1/imports", files={"file": (CATALOG_CONTENT, content, "text/csv")}
        )
        body = checked(response)
        if not body["rejected"] or attempt == WAIT_ATTEMPTS:
            break
        await asyncio.sleep(interval_s)
    if body["rejected"]:
        log.warning("demo_content_rejected", rows=body["rejected"])
    run.report.add("content", created=True, count=body["created"] + body["updated"])
    run.report.add("content", created=False, count=body["unchanged"])
    run.step("nội dung sản phẩm (product content)")
