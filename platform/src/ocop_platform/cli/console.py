"""Helpers shared by the `ocop` commands: the rich consoles, failing with a message, the
repository root."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

out = Console()
err = Console(stderr=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``message`` as an error and return the exit to raise (``raise fail(...)``)."""
    err.print(f"[bold red]Lỗi:[/] {message}")
    return typer.Exit(code)


def repo_root() -> Path:
    """The repository root, or the working directory outside a checkout."""
    from ocop_platform.infra import find_repo_root

    return find_repo_root() or Path.cwd()
