"""`python -m ocop_shared.cli`: the same as the `ocop` command."""

from ocop_shared.cli import app

app()
