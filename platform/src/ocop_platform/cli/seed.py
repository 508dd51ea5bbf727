"""`ocop seed`: load the demo data (Phú Thọ, Chiêm Hóa) into services that are already running.

The same seeders `ocop run` uses, through each service's own API, in order (later ones need
the earlier data); each is idempotent, so running it twice changes nothing.
"""

from __future__ import annotations

import typer

from ocop_platform.cli.console import out
from ocop_platform.cli.services import api_token, service_url
from ocop_platform.cli.system import DEMO, _seed, _Signals


def seed(
    token: str | None = typer.Option(
        None, envvar="OCOP_TOKEN", help="Token quản trị (admin bearer token; dev: tự tạo)."
    ),
) -> None:
    """Nạp dữ liệu mẫu vào các dịch vụ đang chạy (load the demo data into running services).

    Addresses: PORTAL_<SERVICE>_URL, else http://127.0.0.1:<OCOP_<SERVICE>_PORT>.
    """
    bearer = api_token(token, subject="demo-seed")
    signals = _Signals()  # not installed: Ctrl-C stops as usual, between or within seeders
    for seeder in DEMO:
        _seed(seeder, service_url(seeder.api.removesuffix("-api")), bearer, signals)
    out.print("[green]Đã nạp dữ liệu mẫu (demo data loaded).[/]")
