"""Every mutating API route of every service has a row in that service's authorisation matrix
(services/<name>/tests/integration/test_role_matrix.py), so a new endpoint without a matrix
entry fails CI. Static: the matrix tables are read from the tests' source, the routes from
each app's OpenAPI document; no servers needed.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

from ocop_platform.testing.live import SERVICES

ROOT = Path(__file__).resolve().parents[2]
MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
WILDCARD = "\x00"

# Routes left out of a matrix on purpose, each with the reason (keep this list short).
EXEMPT: dict[str, dict[tuple[str, str], str]] = {s: {} for s in SERVICES}


def _render(node: ast.expr | None, names: dict[str, str]) -> str:
    """The string an expression builds, with WILDCARD where a value is only known at run time."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(_render(part, names) for part in node.values)
    if isinstance(node, ast.FormattedValue):
        return _render(node.value, names)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _render(node.left, names) + _render(node.right, names)
    if isinstance(node, ast.Name):
        return names.get(node.id, WILDCARD)
    return WILDCARD


def matrix_calls(source: str) -> set[tuple[str, str]]:
    """(method, path) of every row of the matrix tables in a test module."""
    tree = ast.parse(source)
    names: dict[str, str] = {}
    for node in ast.walk(tree):  # simple `s = f"/api/v1/showrooms/{id}"` aliases
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                rendered = _render(node.value, names)
                if rendered.startswith("/"):
                    names[target.id] = rendered
    calls = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple) and len(node.elts) >= 4:
            method = node.elts[0]
            if isinstance(method, ast.Constant) and method.value in MUTATING:
                path = _render(node.elts[1], names).split("?")[0]
                if path.startswith("/"):
                    calls.add((str(method.value), path))
    return calls


def mutating_routes(service: str) -> set[tuple[str, str]]:
    api = importlib.import_module(f"ocop_{service}.entrypoints.api")
    config = importlib.import_module(f"ocop_{service}.config")
    settings_class = next(
        v for k, v in vars(config).items() if k.endswith("Settings") and k != "ServiceSettings"
    )
    spec = api.create_app(settings_class()).openapi()
    return {
        (method.upper(), path)
        for path, operations in spec["paths"].items()
        for method in operations
        if method.upper() in MUTATING
    }


def covers(template: str, path: str) -> bool:
    pattern = "".join(
        "[^/]+" if re.fullmatch(r"\{\w+\}", part) else re.escape(part)
        for part in re.split(r"(\{\w+\})", template)
    )
    return re.fullmatch(pattern, path.replace(WILDCARD, "x")) is not None


@pytest.mark.parametrize("service", SERVICES)
def test_every_mutating_route_has_a_row_in_the_authorisation_matrix(service: str) -> None:
    matrix = ROOT / "services" / service / "tests/integration/test_role_matrix.py"
    assert matrix.exists(), f"{service} has no authorisation matrix test"
    calls = matrix_calls(matrix.read_text())
    assert calls, f"no matrix rows found in {matrix}"
    missing = sorted(
        f"{method} {template}"
        for method, template in mutating_routes(service)
        if (method, template) not in EXEMPT[service]
        and not any(m == method and covers(template, path) for m, path in calls)
    )
    assert not missing, (
        f"mutating routes of {service} without a row in {matrix.relative_to(ROOT)}: {missing}"
    )


def test_the_matrix_reader_resolves_path_aliases() -> None:
    source = (
        's = f"/api/v1/showrooms/{sid}"\n'
        'p = "/api/v1/participations/" + await created()\n'
        'table = [("POST", f"{s}/sales", {}, X), ("PUT", f"{p}/report", None, Y),'
        ' ("GET", "/x", None, Z)]\n'
    )
    calls = matrix_calls(source)
    assert calls == {
        ("POST", f"/api/v1/showrooms/{WILDCARD}/sales"),
        ("PUT", f"/api/v1/participations/{WILDCARD}/report"),
    }
    assert covers("/api/v1/showrooms/{showroom_id}/sales", f"/api/v1/showrooms/{WILDCARD}/sales")
    assert not covers("/api/v1/showrooms/{showroom_id}/sales", "/api/v1/showrooms")
