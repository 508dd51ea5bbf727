"""`python -m ocop_platform.cli`: the same as the `ocop` command."""

from ocop_platform.cli import app

app()
