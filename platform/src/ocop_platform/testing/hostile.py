"""Hostile input against every API operation of a service, from its own OpenAPI document.

Each operation gets MongoDB operators, regular-expression bombs, huge and negative numbers in
every query parameter (one at a time), and operator dicts, wrong JSON shapes, malformed JSON
and wrong content types as its body. The service must answer with a 4xx problem+json (a 422
naming a field) or a harmless success for reads; never a 5xx, never a success for a write
with a hostile body. ``hostile_requests`` returns what went wrong, one line per request.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

HOSTILE_QUERY = (
    '{"$gt": ""}',
    '{"$where": "sleep(100) || true"}',
    '{"$regex": ".*", "$options": "s"}',
    ".*",
    "(a+)+$",
    "[",
    "\\",
    "-1",
    "1000000",
    "99999999999999999999",
    "x" * 2000,
)
HOSTILE_JSON: tuple[Any, ...] = ({"$gt": ""}, {"$where": "sleep(1000)"}, [], "x", 1, None)
WRITES = {"post", "put", "patch", "delete"}


def _problem_issue(response: httpx.Response) -> str | None:
    """Why a 4xx is not a proper problem (None when it is one)."""
    if not response.headers.get("content-type", "").startswith("application/problem+json"):
        return "4xx without problem+json"
    if response.status_code == 422:
        fields = [e.get("field") for e in response.json().get("errors", [])]
        if not any(fields):
            return "422 naming no field"
    return None


def _judge(response: httpx.Response, *, write_with_bad_body: bool) -> str | None:
    status = response.status_code
    if status >= 500:
        return f"{status} {response.text[:160]}"
    if 400 <= status < 500:
        return _problem_issue(response)
    if write_with_bad_body and status < 300:
        return f"{status}: a hostile body was accepted"
    return None


async def hostile_requests(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    *,
    ids: dict[str, str] | None = None,
) -> list[str]:
    """Send hostile input to every operation in ``/openapi.json``; return the failures.

    ``ids`` gives real values for path parameters (by name) so that requests get past the
    lookups; unknown names get an id that exists nowhere.
    """
    spec = (await client.get("/openapi.json")).json()
    known = ids or {}
    failures: list[str] = []

    async def send(method: str, url: str, label: str, *, bad_body: bool, **kw: Any) -> None:
        extra = kw.pop("extra_headers", {})
        response = await client.request(method, url, headers={**headers, **extra}, **kw)
        issue = _judge(response, write_with_bad_body=bad_body)
        if issue:
            failures.append(f"{method.upper()} {url} {label}: {issue}")

    for template, operations in spec.get("paths", {}).items():
        url = re.sub(r"{(\w+)}", lambda m: known.get(m.group(1), "khong-co-1"), template)
        for method, operation in operations.items():
            if method not in WRITES | {"get"}:
                continue
            params = operation.get("parameters", [])
            for name in [p["name"] for p in params if p.get("in") == "query"]:
                for value in HOSTILE_QUERY:
                    label = f"?{name}={value[:20]}"
                    await send(method, url, label, bad_body=False, params={name: value})
            body = operation.get("requestBody", {}).get("content", {})
            if method not in WRITES or not body:
                continue
            for value in HOSTILE_JSON:
                await send(method, url, f"json={value!r}", bad_body=True, json=value)
            for content, media in ((b'{"a": ', "application/json"), (b"a=1", "text/plain")):
                await send(
                    method,
                    url,
                    f"{media} {content!r}",
                    bad_body=True,
                    content=content,
                    extra_headers={"content-type": media},
                )
    return failures


def zip_bomb_xlsx(inflated_mib: int, header: tuple[str, ...] = ("ten_san_pham",)) -> bytes:
    """A genuine .xlsx (written by openpyxl) whose first sheet is replaced by one that
    inflates to about ``inflated_mib`` MiB of rows while the file stays tiny (about 1/300)."""
    import io
    import zipfile

    from openpyxl import Workbook

    book = Workbook()
    book.active.append(list(header))
    plain = io.BytesIO()
    book.save(plain)
    source = zipfile.ZipFile(io.BytesIO(plain.getvalue()))
    row = b'<row><c t="inlineStr"><is><t>Ch\xc3\xa8</t></is></c></row>' * 2000
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                archive.writestr(info, source.read(info.filename))
                continue
            with archive.open(info.filename, "w", force_zip64=True) as sheet:
                sheet.write(
                    b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                    b'spreadsheetml/2006/main"><sheetData>'
                )
                written = 0
                while written < inflated_mib * 1024 * 1024:
                    sheet.write(row)
                    written += len(row)
                sheet.write(b"</sheetData></worksheet>")
    return bomb.getvalue()
