"""Benchmark: the rule engine, and council score sheets on a real SecantusDB.

    python3 -m uv run python services/certification/benchmarks/bench_scoring.py [--dossiers 20]

Prints one table. Baselines are measured in the same run: a bare average of the same sheets
for the engine, sequential submissions for the concurrent council. A local SecantusDB is
started in a temporary directory (or ``MONGODB_URI`` is used); Kafka is not needed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from ocop_certification.config import CertificationSettings
from ocop_certification.domain.rules import default_rule_book, score
from ocop_certification.entrypoints.api import create_app
from ocop_platform.infra import MongoServer, free_port, tool_cache_dir
from ocop_platform.testing.support import app_client, isolated_settings, new_run_id
from ocop_shared.auth import Role, mint_token
from ocop_shared.timeutil import FixedClock

RULES = default_rule_book().get("1489")
CRITERIA = RULES.criteria("product")
MEMBERS = [f"hd-{i}" for i in range(5)]


def sheet(total: float) -> dict[str, float]:
    scores = {c.code: float(c.min_points or 0) for c in CRITERIA}
    left = total - sum(scores.values())
    for c in CRITERIA:
        add = min(c.max_points - scores[c.code], left)
        scores[c.code] += add
        left -= add
    return scores


def engine_rows(repeat: int) -> list[tuple[str, str, str, str]]:
    sheets = [sheet(60 + i) for i in range(len(MEMBERS))]

    def bare() -> float:
        return sum(sum(s.values()) for s in sheets) / len(sheets)

    def engine() -> float:
        return score(RULES, "product", sheets, {"local_raw_materials": True}).result_points

    rows = []
    for name, fn in (("baseline: bare average of 5 sheets", bare), ("rule engine score()", engine)):
        start = time.perf_counter()
        for _ in range(repeat):
            fn()
        elapsed = time.perf_counter() - start
        rows.append(
            (name, f"{repeat:,}", f"{repeat / elapsed:,.0f}/s", f"{elapsed / repeat * 1e6:.1f} µs")
        )
    return rows


async def timed(
    calls: list[Callable[[], Awaitable[Any]]], concurrent: bool
) -> tuple[float, list[float]]:
    latencies: list[float] = []

    async def one(call: Callable[[], Awaitable[Any]]) -> None:
        t = time.perf_counter()
        await call()
        latencies.append(time.perf_counter() - t)

    start = time.perf_counter()
    if concurrent:
        await asyncio.gather(*(one(c) for c in calls))
    else:
        for c in calls:
            await one(c)
    return time.perf_counter() - start, latencies


async def council_rows(mongodb_uri: str, dossiers: int) -> list[tuple[str, str, str, str]]:
    settings = isolated_settings(
        CertificationSettings,
        kafka="127.0.0.1:1",
        mongodb=mongodb_uri,
        run_id=new_run_id(),
        log_level="WARNING",
    )
    clock = FixedClock(datetime(2025, 10, 1, 3, tzinfo=UTC))
    officer = {"Authorization": "Bearer " + mint_token(settings, subject="o", roles=[Role.ADMIN])}
    members = {
        m: {
            "Authorization": "Bearer "
            + mint_token(settings, subject=m, roles=[Role.COUNCIL_MEMBER])
        }
        for m in MEMBERS
    }
    rows = []
    async with app_client(create_app(settings, clock=clock)) as client:

        async def ok(method: str, url: str, headers: dict[str, str], **kw: Any) -> Any:
            r = await client.request(method, url, headers=headers, **kw)
            assert r.status_code < 300, r.text
            return r.json()

        council = [{"subject": m, "full_name": f"Thành viên {m}"} for m in MEMBERS]
        rounds = {}
        for level, number in (("commune", 1), ("province", 2)):
            rounds[level] = await ok(
                "POST",
                "/api/v1/rounds",
                officer,
                json={
                    "level": level,
                    "province": "Tuyên Quang",
                    "commune": "Nhân Lý" if level == "commune" else None,
                    "year": 2025,
                    "number": number,
                    "opens_on": "2025-09-01",
                    "submission_deadline": "2025-10-15",
                    "scoring_deadline": "2025-11-15",
                    "council": council,
                },
            )

        async def prepare(n: int, tag: str) -> list[str]:
            ids = []
            for i in range(n):
                producer = await ok(
                    "POST",
                    "/api/v1/producers",
                    officer,
                    json={
                        "name": f"HTX {tag} {i}",
                        "legal_form": "cooperative",
                        "tax_code": f"{51 if tag == 'seq' else 52}{i:08d}",
                        "province": "Tuyên Quang",
                        "commune": "Nhân Lý",
                    },
                )
                product = await ok(
                    "POST",
                    "/api/v1/products",
                    officer,
                    json={
                        "producer_id": producer["id"],
                        "name": f"Chè {tag} {i}",
                        "subgroup_code": "2.1",
                        "province": "Tuyên Quang",
                        "commune": "Nhân Lý",
                    },
                )
                d = await ok(
                    "POST",
                    "/api/v1/dossiers",
                    officer,
                    json={
                        "product_id": product["id"],
                        "round_id": rounds["commune"]["id"],
                        "registration": {"description": "Chè xanh sao tay", "target_stars": 4},
                        "self_assessment": sheet(70),
                    },
                )
                url = f"/api/v1/dossiers/{d['id']}"
                await ok("POST", f"{url}/submit", officer)
                await ok("POST", f"{url}/check", officer, json={"commune_inputs": {}})
                await ok("POST", f"{url}/forward", officer, json={"reason": "đủ hồ sơ"})
                await ok(
                    "POST", f"{url}/transfer", officer, json={"round_id": rounds["province"]["id"]}
                )
                await ok("POST", f"{url}/start-evaluation", officer)
                ids.append(d["id"])
            return ids

        for label, concurrent in (
            ("baseline: sheets one after another", False),
            ("all council sheets at once", True),
        ):
            ids = await prepare(dossiers, "seq" if not concurrent else "par")
            calls = [
                (
                    lambda d=d, m=m, t=60 + j: ok(
                        "PUT",
                        f"/api/v1/dossiers/{d}/score-sheets/me",
                        members[m],
                        json={"scores": sheet(t)},
                    )
                )
                for d in ids
                for j, m in enumerate(MEMBERS)
            ]
            elapsed, lat = await timed(calls, concurrent)
            stored = 0
            for d in ids:
                stored += len(await ok("GET", f"/api/v1/dossiers/{d}/score-sheets", officer))
            lat.sort()
            rows.append(
                (
                    f"{label} ({dossiers}×{len(MEMBERS)}, stored {stored}/{len(calls)})",
                    f"{len(calls):,}",
                    f"{len(calls) / elapsed:,.1f}/s",
                    f"p50 {statistics.median(lat) * 1000:.0f} ms · "
                    f"p95 {lat[int(len(lat) * 0.95) - 1] * 1000:.0f} ms",
                )
            )
            closes = [
                (lambda d=d: ok("POST", f"/api/v1/dossiers/{d}/close-scoring", officer))
                for d in ids
            ]
            elapsed, lat = await timed(closes, concurrent)
            rows.append(
                (
                    f"  close scoring ({'concurrent' if concurrent else 'sequential'})",
                    f"{len(closes):,}",
                    f"{len(closes) / elapsed:,.1f}/s",
                    f"p50 {statistics.median(lat) * 1000:.0f} ms",
                )
            )
    return rows


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=20_000)
    args = parser.parse_args()
    rows = engine_rows(args.repeat)
    uri = os.environ.get("MONGODB_URI")
    server = None
    with tempfile.TemporaryDirectory() as tmp:
        if uri is None:
            server = MongoServer(Path(tmp) / "mongodb", free_port(), cache_dir=tool_cache_dir())
            await asyncio.to_thread(server.start)
            uri = server.uri
        try:
            rows += await council_rows(uri, args.dossiers)
        finally:
            if server is not None:
                await asyncio.to_thread(server.stop)
    table = Table(title="Certification: rule engine and council scoring")
    for column in ("case", "operations", "throughput", "time per operation"):
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    Console(width=140).print(table)


if __name__ == "__main__":
    asyncio.run(main())
