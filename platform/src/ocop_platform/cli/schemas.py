"""`ocop schemas export|check`: the JSON Schema snapshots of the event contracts."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import typer

from ocop_platform.cli.console import err, fail, out, repo_root

schemas_app = typer.Typer(
    help="Lược đồ JSON của các sự kiện (JSON Schema snapshots of the event contracts).",
    no_args_is_help=True,
)


def _default_schema_dir() -> Path:
    return repo_root() / "shared" / "schemas"


def _schema_files() -> dict[str, str]:
    from ocop_shared.contracts import json_schemas

    return {
        f"{name}.json": json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        for name, schema in json_schemas().items()
    }


SchemaDir = typer.Option(
    None, "--dir", help="Thư mục lược đồ (schema directory; default: shared/schemas)."
)


@schemas_app.command("export")
def schemas_export(directory: Path | None = SchemaDir) -> None:
    """Ghi lược đồ JSON của mọi sự kiện (write one <name>.json per contract; prune stale ones)."""
    target = directory or _default_schema_dir()
    target.mkdir(parents=True, exist_ok=True)
    files = _schema_files()
    written = 0
    for filename, text in files.items():
        path = target / filename
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written += 1
    stale = [p for p in sorted(target.glob("*.json")) if p.name not in files]
    for path in stale:
        path.unlink()
    out.print(
        f"{len(files)} lược đồ trong {target}: {written} ghi mới (written), "
        f"{len(stale)} xoá (stale removed)."
    )


@schemas_app.command("check")
def schemas_check(directory: Path | None = SchemaDir) -> None:
    """Kiểm tra lược đồ đã lưu khớp mã nguồn (exit 1 when the snapshots differ)."""
    target = directory or _default_schema_dir()
    files = _schema_files()
    problems: list[str] = []
    for filename, text in sorted(files.items()):
        path = target / filename
        if not path.is_file():
            problems.append(f"thiếu (missing): {filename}")
            continue
        committed = path.read_text(encoding="utf-8")
        if committed != text:
            diff = list(
                difflib.unified_diff(committed.splitlines(), text.splitlines(), lineterm="", n=0)
            )
            added = sum(1 for line in diff if line.startswith("+") and not line.startswith("+++"))
            removed = sum(1 for line in diff if line.startswith("-") and not line.startswith("---"))
            problems.append(f"khác (changed): {filename} (+{added} −{removed} dòng/lines)")
    problems.extend(
        f"thừa (stale): {p.name}" for p in sorted(target.glob("*.json")) if p.name not in files
    )
    if problems:
        for problem in problems:
            err.print(f"  {problem}")
        raise fail(
            f"{len(problems)} lược đồ không khớp (schemas differ); sau khi xem lại thay đổi, "
            "chạy `ocop schemas export`"
        )
    out.print(f"{len(files)} lược đồ khớp (schemas match) – {target}")
