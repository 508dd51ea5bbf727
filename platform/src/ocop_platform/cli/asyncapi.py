"""`ocop asyncapi export|check|html`: the AsyncAPI 3.0 document of the Kafka topics."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from ocop_platform.cli.console import err, fail, out, repo_root

asyncapi_app = typer.Typer(
    help="Tài liệu AsyncAPI của các chủ đề Kafka (AsyncAPI document of the Kafka topics).",
    no_args_is_help=True,
)

YamlOption = typer.Option(None, "--yaml", help="Tệp YAML (default: docs/asyncapi.yaml).")
HtmlOption = typer.Option(None, "--html", help="Trang HTML (default: docs/asyncapi.html).")


def _docs() -> Path:
    return repo_root() / "docs"


def current_document() -> dict[str, Any]:
    """The document of this build: the contract registry and the workers of `ocop run`."""
    from ocop_platform.asyncapi import Worker, build_document
    from ocop_platform.cli.system import SYSTEM, WorkerProcess

    workers = [Worker(c.name, c.module) for c in SYSTEM if isinstance(c, WorkerProcess)]
    return build_document(workers)


def rendered_files(yaml_path: Path, html_path: Path) -> dict[Path, str]:
    from ocop_platform.asyncapi import to_html, to_yaml

    document = current_document()
    return {yaml_path: to_yaml(document), html_path: to_html(document)}


def _write(path: Path, text: str) -> bool:
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


@asyncapi_app.command("export")
def asyncapi_export(yaml: Path | None = YamlOption, html: Path | None = HtmlOption) -> None:
    """Ghi tài liệu AsyncAPI (write docs/asyncapi.yaml and docs/asyncapi.html)."""
    files = rendered_files(yaml or _docs() / "asyncapi.yaml", html or _docs() / "asyncapi.html")
    for path, text in files.items():
        state = "ghi mới (written)" if _write(path, text) else "không đổi (unchanged)"
        out.print(f"{path}: {state}")


@asyncapi_app.command("html")
def asyncapi_html(output: Path | None = HtmlOption) -> None:
    """Xuất trang HTML dễ đọc (render the readable static page only)."""
    from ocop_platform.asyncapi import to_html

    path = output or _docs() / "asyncapi.html"
    _write(path, to_html(current_document()))
    out.print(f"{path}: trang tài liệu sự kiện (event documentation page)")


@asyncapi_app.command("check")
def asyncapi_check(yaml: Path | None = YamlOption, html: Path | None = HtmlOption) -> None:
    """Kiểm tra tài liệu đã lưu khớp mã nguồn và đúng đặc tả AsyncAPI 3.0 (exit 1 if not)."""
    from ocop_platform.asyncapi import spec_errors
    from ocop_platform.asyncapi.spec import SpecValidationUnavailableError

    problems: list[str] = []
    files = rendered_files(yaml or _docs() / "asyncapi.yaml", html or _docs() / "asyncapi.html")
    for path, text in files.items():
        if not path.is_file():
            problems.append(f"thiếu (missing): {path}")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"cũ (stale): {path}")
    try:
        problems.extend(f"sai đặc tả (spec): {e}" for e in spec_errors(current_document()))
    except SpecValidationUnavailableError:
        err.print("[yellow]jsonschema không có: bỏ qua kiểm tra đặc tả (spec check skipped).[/]")
    if problems:
        for problem in problems:
            err.print(f"  {problem}")
        raise fail(
            f"{len(problems)} vấn đề với tài liệu AsyncAPI (document differs); "
            "chạy `ocop asyncapi export`"
        )
    out.print("Tài liệu AsyncAPI khớp mã nguồn và đặc tả 3.0 (document matches the code and spec)")
