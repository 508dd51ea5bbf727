"""The shape of orders' source stays readable: no module over 400 lines, no function over 80,
no raw MongoDB collection access outside `adapters/`, no adapter importing a service layer,
nothing but `adapters/contract_mapping.py` building a published contract."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import ocop_orders

ROOT = Path(ocop_orders.__file__).parent
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 80
# The partner stand-ins are test tooling about to move to their own package.
SKIPPED = ("fakes",)


def sources() -> list[Path]:
    return [
        path
        for path in sorted(ROOT.rglob("*.py"))
        if path.relative_to(ROOT).parts[0] not in SKIPPED
    ]


def layer(path: Path) -> str | None:
    parts = path.relative_to(ROOT).parts
    return next(
        (p for p in parts if p in ("domain", "service_layer", "adapters", "entrypoints")), None
    )


def test_no_module_is_longer_than_400_lines() -> None:
    long = {
        str(path.relative_to(ROOT)): n
        for path in sources()
        if (n := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_no_function_is_longer_than_80_lines() -> None:
    long: dict[str, int] = {}
    for path in sources():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                length = (node.end_lineno or node.lineno) - start + 1
                if length > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(ROOT)}:{node.name}"] = length
    assert long == {}


def test_collections_are_reached_only_through_adapters() -> None:
    raw = re.compile(r"\bdb\[|\.db\.[a-z_]+\.")
    offenders = [
        str(path.relative_to(ROOT))
        for path in sources()
        if layer(path) != "adapters" and raw.search(path.read_text())
    ]
    assert offenders == []


def test_no_adapter_imports_a_service_layer() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in sources()
        if layer(path) == "adapters" and ".service_layer" in path.read_text()
    ]
    assert offenders == []


def test_the_domain_imports_no_io_library() -> None:
    io = re.compile(r"^\s*(from|import) (pymongo|motor|bson|httpx|aiokafka|fastapi)\b", re.M)
    offenders = [
        str(path.relative_to(ROOT))
        for path in sources()
        if layer(path) == "domain" and io.search(path.read_text())
    ]
    assert offenders == []


def test_only_the_contract_mapping_builds_published_contracts() -> None:
    built = re.compile(r"\b[A-Z]\w*V1(\(|\.model_validate\()")
    offenders = [
        str(path.relative_to(ROOT))
        for path in sources()
        if layer(path) in ("domain", "service_layer", "adapters")
        and path.name != "contract_mapping.py"
        and built.search(path.read_text())
    ]
    assert offenders == []
