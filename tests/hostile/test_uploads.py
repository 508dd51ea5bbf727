"""Hostile uploads over real HTTP: bodies over the 32 MB cap, files over the per-file limits,
malformed CSV/XLSX (garbage bytes, truncated archives, zip bombs, wrong encodings) to the
catalogue import and the certification evidence upload: a clear 4xx problem+json naming the
field, and nothing written.

The per-service suites (services/*/tests/integration/test_hostile_input.py) already send
operator injection, regex bombs, huge pages and malformed JSON to every operation through
``ocop_platform.testing.hostile``; this suite adds what only files and sockets can carry.
"""

from __future__ import annotations

import importlib.util
import io
import os
import zipfile
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from pymongo import MongoClient

from ocop_certification.config import CertificationSettings
from ocop_certification.entrypoints.api import create_app as create_certification_app
from ocop_platform.infra import Endpoints
from ocop_platform.testing.hostile import zip_bomb_xlsx
from ocop_platform.testing.support import bearer, isolated_settings, new_run_id, service_api
from ocop_shared.auth import Role
from ocop_shared.timeutil import FixedClock
from ocop_shared.web.body_limit import DEFAULT_MAX_BODY_BYTES

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
MIB = 1024 * 1024
HEADER = "ten_san_pham,ma_san_pham,ma_chu_the,nhom,tinh\n"


def is_problem(response: httpx.Response, *, status: int | None = None) -> bool:
    return (
        400 <= response.status_code < 500
        and (status is None or response.status_code == status)
        and response.headers.get("content-type", "").startswith("application/problem+json")
    )


def truncated_xlsx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", "<worksheet>" + "x" * 5000)
    return buffer.getvalue()[: len(buffer.getvalue()) // 2]


def hostile_spreadsheets() -> Iterator[tuple[str, str, bytes, int | None]]:
    """(label, file name, content, expected status or None for any 4xx problem)."""
    yield "garbage bytes named .xlsx", "ds.xlsx", os.urandom(64 * 1024), 422
    yield "truncated .xlsx", "ds.xlsx", truncated_xlsx(), 422
    yield (
        "zip bomb .xlsx (300 MiB inflated)",
        "bom.xlsx",
        zip_bomb_xlsx(300, ("ten_san_pham", "ma_san_pham")),
        422,
    )
    yield "empty file", "ds.csv", b"", None
    yield "UTF-16 CSV", "ds.csv", (HEADER + "Chè Thôm Loà,sp-1,ct-1,1,x\n").encode("utf-16"), 422
    yield "binary garbage named .csv", "ds.csv", os.urandom(64 * 1024), 422
    yield "one 200 KB cell", "ds.csv", (HEADER + "x" * 200_000 + ",sp-1\n").encode(), 422
    yield "a PDF as import", "ds.pdf", b"%PDF-1.4 nothing", 422
    yield (
        "over the 20 MB import limit",
        "big.csv",
        HEADER.encode() + b"x,y\n" * (21 * MIB // 4),
        413,
    )


def counts(uri: str, database: str, collections: tuple[str, ...]) -> dict[str, int]:
    mongo: MongoClient[dict[str, Any]] = MongoClient(uri)
    try:
        db = mongo[database]
        return {name: db[name].count_documents({}) for name in collections}
    finally:
        mongo.close()


def mutating_operations(url: str) -> list[tuple[str, str]]:
    """(path, media type of its body) of every POST without path parameters."""
    spec = httpx.get(f"{url}/openapi.json", timeout=30).json()
    found = []
    for path, operations in spec["paths"].items():
        body = operations.get("post", {}).get("requestBody", {}).get("content", {})
        if body and "{" not in path:
            found.append((path, next(iter(body))))
    return found


def oversized(media: str) -> tuple[bytes, str]:
    """A body just over the cap, well-formed up to where it is cut, for the media type."""
    size = DEFAULT_MAX_BODY_BYTES + MIB
    if media.startswith("multipart/"):
        head = (
            b'--b0undary\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n'
            b"Content-Type: text/csv\r\n\r\n"
        )
        return head + b"x" * size, "multipart/form-data; boundary=b0undary"
    return b"{" + b" " * size, "application/json"


@pytest.mark.parametrize("streamed", [False, True], ids=["content-length", "chunked"])
def test_a_body_over_the_32_mb_cap_is_refused_by_every_service(
    live_services: Any, streamed: bool
) -> None:
    wrong = []
    for name, live in live_services.items():
        seen_media: set[str] = set()
        for path, media in mutating_operations(live.url):
            if media in seen_media:  # one operation per kind of body is enough
                continue
            seen_media.add(media)
            body, content_type = oversized(media)
            headers = {**bearer(live.settings, Role.ADMIN), "content-type": content_type}
            content: Any = body
            if streamed:  # no Content-Length: the cap must count what actually arrives

                def chunks(body: bytes = body) -> Iterator[bytes]:
                    for start in range(0, len(body), MIB):
                        yield body[start : start + MIB]

                content = chunks()
            try:
                response = httpx.post(
                    f"{live.url}{path}", content=content, headers=headers, timeout=60
                )
            except httpx.TransportError:
                continue  # answered 413 and closed before the client finished: refused
            if not is_problem(response, status=413):
                wrong.append(
                    f"{name} POST {path} ({media}): {response.status_code} {response.text[:120]}"
                )
    assert not wrong, "\n".join(wrong)


def test_hostile_spreadsheets_to_the_catalogue_import_get_a_problem_and_write_nothing(
    live_services: Any, infra: Endpoints
) -> None:
    live = live_services["catalog"]
    officer = bearer(live.settings, Role.PROVINCE_OFFICER)
    wrong = []
    for label, name, content, expected in hostile_spreadsheets():
        for dry_run in ("true", "false"):
            response = httpx.post(
                f"{live.url}/api/v1/imports",
                params={"dry_run": dry_run},
                files={"file": (name, content)},
                headers=officer,
                timeout=120,
            )
            if not is_problem(response, status=expected):
                wrong.append(f"{label}: {response.status_code} {response.text[:160]}")
            elif response.status_code == 422 and not any(
                e.get("field") for e in response.json().get("errors", [])
            ):
                wrong.append(f"{label}: 422 naming no field")
    # Well-formed files whose rows are all unusable get a report with every row rejected.
    for label, content in (("NUL bytes", HEADER.encode() + b"\x00" * 4096 + b"\n"),):
        response = httpx.post(
            f"{live.url}/api/v1/imports",
            files={"file": ("ds.csv", content)},
            headers=officer,
            timeout=60,
        )
        report = response.json()
        if response.status_code != 200 or report["created"] or not report["rejected"]:
            wrong.append(f"{label}: {response.status_code} {response.text[:160]}")
    assert not wrong, "\n".join(wrong)
    written = counts(infra.mongodb_uri, live.settings.mongodb_database, ("products", "outbox"))
    assert written == {"products": 0, "outbox": 0}


# -- certification evidence (needs a draft dossier: built in-process on a fixed date) --------


def _matrix_world() -> Any:
    """The certification role-matrix test's fixture builder, reused rather than copied."""
    path = ROOT / "services/certification/tests/integration/test_role_matrix.py"
    spec = importlib.util.spec_from_file_location("certification_role_matrix", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module._world


@pytest_asyncio.fixture
async def certification(
    infra: Endpoints,
) -> AsyncIterator[tuple[httpx.AsyncClient, CertificationSettings]]:
    settings = isolated_settings(
        CertificationSettings,
        kafka=infra.kafka_bootstrap_servers,
        mongodb=infra.mongodb_uri,
        run_id=new_run_id(),
    )
    clock = FixedClock(datetime(2025, 10, 1, 3, tzinfo=UTC))
    app = lambda s: create_certification_app(s, clock=clock)  # noqa: E731
    async with service_api(settings, app) as (client, _):
        yield client, settings


async def test_hostile_evidence_uploads_get_a_problem_and_store_nothing(
    certification: tuple[httpx.AsyncClient, CertificationSettings],
) -> None:
    client, settings = certification
    world = await _matrix_world()(client, settings)
    url = f"/api/v1/dossiers/{world['dossier_id']}/evidence"
    owner = bearer(settings, Role.PRODUCER, producer_id=world["pid"])
    over = settings.evidence_max_bytes + 1
    uploads: list[tuple[str, tuple[str, bytes, str], int]] = [
        ("over the per-file limit", ("a.pdf", b"%PDF-" + b"0" * over, "application/pdf"), 422),
        ("garbage declared as PDF", ("a.pdf", os.urandom(4096), "application/pdf"), 422),
        ("HTML declared as PNG", ("a.png", b"<script>alert(1)</script>", "image/png"), 422),
        (
            "an executable",
            ("a.exe", b"MZ\x90\x00" + os.urandom(512), "application/x-msdownload"),
            422,
        ),
        ("SVG (scriptable)", ("a.svg", b"<svg onload=alert(1)/>", "image/svg+xml"), 422),
        ("empty file", ("a.pdf", b"", "application/pdf"), 422),
        ("zip bomb declared as XLSX", ("b.xlsx", zip_bomb_xlsx(64), "application/pdf"), 422),
    ]
    wrong = []
    for label, file, expected in uploads:
        response = await client.post(
            url, files={"file": file}, data={"kind": "quality_test"}, headers=owner
        )
        if not is_problem(response, status=expected):
            wrong.append(f"{label}: {response.status_code} {response.text[:160]}")
    for kind in ({"$gt": ""}, "không-có", ""):
        response = await client.post(
            url,
            files={"file": ("a.pdf", b"%PDF-1.4 ok", "application/pdf")},
            data={"kind": str(kind)},
            headers=owner,
        )
        if not is_problem(response, status=422):
            wrong.append(f"kind={kind!r}: {response.status_code} {response.text[:160]}")
    assert not wrong, "\n".join(wrong)
    dossier = (await client.get(f"/api/v1/dossiers/{world['dossier_id']}", headers=owner)).json()
    assert dossier["evidence"] == []
    mongo: MongoClient[dict[str, Any]] = MongoClient(settings.mongodb_uri)
    try:
        assert mongo[settings.mongodb_database]["evidence.files"].count_documents({}) == 0
    finally:
        mongo.close()
