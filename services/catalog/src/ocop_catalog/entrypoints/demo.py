"""Demo content (DOMAIN.md §11): descriptions, units, prices for the certification demo.

Rows carry no product id: they are matched by name to the products the certification demo
registers (so run that first and let the consumer catch up). Prices, pack sizes and the
traceability links are illustrative (dữ liệu minh hoạ). One key farm product without an
OCOP certificate shows the Việt Trì showroom rule. Re-running changes nothing.

`python -m ocop_catalog.entrypoints.demo` (or `ocop-catalog demo-content`).
"""

from __future__ import annotations

import asyncio
from importlib.resources import files
from pathlib import Path

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


def main() -> None:
    from ocop_catalog.entrypoints.cli import print_report

    print_report(asyncio.run(seed_demo_content(CatalogSettings())))


if __name__ == "__main__":
    main()
