"""`ocop`: the developer's command line for the whole platform.

* ``ocop run`` starts Kafka and MongoDB (unless ``KAFKA_BOOTSTRAP_SERVERS`` / ``MONGODB_URI``
  name external ones), every service's API and workers as child processes, loads the demo
  data and waits; Ctrl-C stops the services (``ocop infra down`` stops Kafka and MongoDB).
* ``ocop infra up|down|status`` manages the local Kafka broker and MongoDB-wire server.
* ``ocop token`` mints a development JWT; ``ocop schemas export|check`` keeps the JSON Schema
  snapshots of the event contracts; ``ocop asyncapi export|check|html`` the AsyncAPI document
  of the topics (docs/asyncapi.yaml, docs/asyncapi.html); ``ocop dlq replay`` replays dead
  letters.
* Operations against running services: ``ocop seed`` (demo data), ``ocop import FILE``
  (catalogue spreadsheet), ``ocop lag`` (consumer lag per group and topic), ``ocop calls
  redrive`` (parked marketplace / carrier calls).

This module builds the Typer ``app`` (the ``ocop`` console script); each command lives in its
own module: `system` (``run``), `infra`, `tokens`, `schemas`, `asyncapi`, `dlq`; `console`
holds the helpers they share.
"""

from __future__ import annotations

import typer

from ocop_platform.cli.asyncapi import asyncapi_app
from ocop_platform.cli.calls import calls_app
from ocop_platform.cli.dlq import dlq_app
from ocop_platform.cli.imports import import_file
from ocop_platform.cli.infra import infra_app
from ocop_platform.cli.lag import lag
from ocop_platform.cli.schemas import schemas_app
from ocop_platform.cli.seed import seed
from ocop_platform.cli.system import run
from ocop_platform.cli.tokens import token

app = typer.Typer(
    help="Nền tảng xúc tiến thương mại OCOP (OCOP trade platform): chạy hệ thống, hạ tầng, "
    "token, lược đồ sự kiện.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(infra_app, name="infra")
app.add_typer(schemas_app, name="schemas")
app.add_typer(dlq_app, name="dlq")
app.add_typer(asyncapi_app, name="asyncapi")
app.add_typer(calls_app, name="calls")


@app.callback()
def main(
    verbose: bool = typer.Option(
        False, "--verbose", "-v", help="Ghi nhật ký chi tiết (log at INFO instead of WARNING)."
    ),
) -> None:
    """Nền tảng OCOP (OCOP trade platform)."""
    from ocop_shared.logging import configure_logging

    configure_logging("ocop-cli", "INFO" if verbose else "WARNING")


app.command()(token)
app.command()(run)
app.command()(seed)
app.command("import")(import_file)
app.command()(lag)
