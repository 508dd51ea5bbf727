"""Server-rendered pages: one look and one set of Vietnamese formatting filters for every service.

A service builds its templates with ``service_templates(directory)``; its own templates extend
``layout.html`` (shared: header, navigation, styles) and may add blocks ``title``, ``nav``,
``head`` and ``content``.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, FileSystemLoader
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from ocop_shared.numbers import format_number_vn
from ocop_shared.timeutil import VIETNAM, format_date_vn

__all__ = ["format_datetime_vn", "format_number_vn", "format_stars", "format_vnd"]

SHARED_TEMPLATES = Path(__file__).parent / "templates"


def format_vnd(amount: int | None) -> str:
    """Whole VND with dots between thousands, as shown in Vietnam: ``1.250.000 ₫``."""
    if amount is None:
        return ""
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount):,} ₫".replace(",", ".")


def format_datetime_vn(moment: datetime | None) -> str:
    """dd/mm/yyyy HH:MM in Vietnam's time zone (storage is UTC)."""
    if moment is None:
        return ""
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")


def format_stars(stars: int | None) -> str:
    return "★" * stars if stars else ""


def _date_filter(day: date | datetime | None) -> str:
    if isinstance(day, datetime):
        day = day.astimezone(VIETNAM).date()
    return format_date_vn(day)


# Characters HTML does not allow in text (C0/C1 controls but tab, LF, CR; DEL; lone surrogates):
# whatever was stored, a page shows U+FFFD in their place instead of writing them out.
_NOT_IN_HTML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _finalize(value: object) -> object:
    """Every ``{{ … }}`` output passes here before autoescaping."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return _NOT_IN_HTML.sub("\ufffd", value)
    return value


_BLOCK_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")


def json_block(block_id: str, data: object) -> Markup:
    """Data for a page's script, the one way pages hand data to JavaScript:
    ``{{ json_block("cart", cart) }}`` writes ``<script type="application/json" id="cart">``
    with ``<``, ``>``, ``&`` and ``'`` escaped (``</script>`` or ``<!--`` in a name stays
    inert); the script reads ``JSON.parse(document.getElementById("cart").textContent)``.
    Never put data into a script's code, and never ``|safe`` it."""
    if not _BLOCK_ID.match(block_id):
        raise ValueError(f"bad block id {block_id!r}")
    payload = htmlsafe_json_dumps(data)
    return Markup(f'<script type="application/json" id="{block_id}">{payload}</script>')  # noqa: S704 (escaped JSON)


def service_templates(directory: Path) -> Jinja2Templates:
    """Jinja2 templates from ``directory`` with the shared layout and filters available."""
    templates = Jinja2Templates(directory=directory)
    templates.env.autoescape = True  # every template, whatever its file name
    templates.env.finalize = _finalize
    templates.env.loader = ChoiceLoader(
        [FileSystemLoader(directory), FileSystemLoader(SHARED_TEMPLATES)]
    )
    templates.env.filters.update(
        vn_date=_date_filter,
        vn_datetime=format_datetime_vn,
        vnd=format_vnd,
        vn_number=format_number_vn,
        stars=format_stars,
    )
    templates.env.globals["json_block"] = json_block
    return templates
