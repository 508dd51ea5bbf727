"""`ocop seed`: load the demo data (Phú Thọ, Chiêm Hóa) into services that are already running.

The same seeding client `ocop run` uses (`ocop_platform.seeding`), through each service's own
API, section by section (later ones need the earlier data). It is idempotent: a second run
creates nothing (its report says 0 created) and it touches only the demo's own records.
"""

from __future__ import annotations

import typer

from ocop_platform.cli.console import out
from ocop_platform.cli.services import api_token, service_url
from ocop_platform.cli.system import _Signals, seed_demo


def seed(
    token: str | None = typer.Option(
        None, envvar="OCOP_TOKEN", help="Token quản trị (admin bearer token; dev: tự tạo)."
    ),
) -> None:
    """Nạp dữ liệu mẫu vào các dịch vụ đang chạy (load the demo data into running services).

    Addresses: PORTAL_<SERVICE>_URL, else http://127.0.0.1:<OCOP_<SERVICE>_PORT>.
    """
    from ocop_platform.seeding import SECTIONS  # when the command runs: `ocop --help` stays fast

    bearer = api_token(token, subject="demo-seed")
    signals = _Signals()  # not installed: Ctrl-C stops as usual, between or within seeders
    seed_demo({s.service: service_url(s.service) for s in SECTIONS}, bearer, signals)
    out.print("[green]Đã nạp dữ liệu mẫu (demo data loaded).[/]")
