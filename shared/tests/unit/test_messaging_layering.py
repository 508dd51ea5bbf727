"""The messaging core depends on nothing above it: `ocop_shared.runtime` is built on it."""

from __future__ import annotations

import ast
from pathlib import Path

import ocop_shared.messaging

MESSAGING = Path(ocop_shared.messaging.__file__).parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_no_messaging_module_imports_the_runtime() -> None:
    offenders = {
        path.name
        for path in MESSAGING.glob("*.py")
        if any(m == "ocop_shared.runtime" for m in imported_modules(path))
    }
    assert offenders == set()


def test_runtime_still_offers_what_services_import_from_it() -> None:
    from ocop_shared import runtime

    assert callable(runtime.open_runtime)
    assert callable(runtime.ensure_messaging_indexes)
