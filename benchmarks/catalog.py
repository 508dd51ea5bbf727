"""5. Catalogue search p50/p99 at 20,000 products and import rows/s.

Runs services/catalog/benchmarks/bench_catalog.py's measurements on this run's servers and
puts its figures next to the baselines it measures in the same run (insert_many of the same
documents, find_one by _id, GET /health/live).
"""

from __future__ import annotations

import argparse
import re

from benchmarks.common import ROOT, Outcome, Row, Servers, load_script, ratio

NAME = "catalog"
SCRIPT = ROOT / "services/catalog/benchmarks/bench_catalog.py"


def number(text: str) -> float:
    match = re.search(r"[\d,]+(\.\d+)?", text)
    return float(match.group(0).replace(",", "")) if match else float("nan")


async def run(servers: Servers, *, quick: bool) -> Outcome:
    bench = load_script(SCRIPT, "catalog_bench")
    products = 2_000 if quick else 20_000
    args = argparse.Namespace(
        products=products,
        concurrency=16,
        requests=300 if quick else 2000,
        events=5 if quick else 20,
        no_kafka=False,
    )
    rows = {row[0]: row for row in await bench.run(args, servers.mongodb, servers.kafka)}

    def pair(label: str, base_label: str, what: str) -> Row:
        row, base = rows[label], rows[base_label]
        return Row(
            NAME,
            what,
            f"{row[1]}, p50 {row[2]}, p99 {row[3]}",
            f"{base_label.removeprefix('baseline: ')}: {base[1]}, p50 {base[2]}",
            ratio(number(row[1]), number(base[1])),
            f"{products:,} products, {row[4]}",
        )

    imported, rerun, insert = (
        rows["import (new rows, validate + upsert)"],
        rows["import re-run (nothing changes)"],
        rows["baseline: insert_many same docs"],
    )
    event = rows.get("certificate issued → product page shows it")
    result = [
        Row(
            NAME,
            "import of new rows (validate + upsert + eligibility)",
            imported[1],
            f"insert_many {insert[1]}",
            ratio(number(imported[1]), number(insert[1])),
            f"{products:,} rows CSV",
        ),
        Row(NAME, "import re-run, nothing changes", rerun[1], note=f"{products:,} rows CSV"),
        pair(
            "search (index + page read, mixed queries)",
            "baseline: find_one by _id",
            "search (service layer), mixed queries",
        ),
        pair(
            "GET /api/v1/products (in-process)",
            "baseline: GET /health/live (in-process)",
            "GET /api/v1/products search over HTTP (in-process ASGI)",
        ),
    ]
    if event is not None:
        result.append(
            Row(
                NAME,
                "certificate issued on Kafka → product page shows it",
                f"p50 {event[2]}, p99 {event[3]}",
                note=f"{event[1]}, idle, sequential",
            )
        )
    return Outcome(NAME, "python3 -m uv run python -m benchmarks.run --only catalog", result)
