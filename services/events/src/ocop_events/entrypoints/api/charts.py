"""Charts drawn as inline SVG on the server (no JavaScript, no internet)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from markupsafe import Markup

from ocop_events.domain.model import Booth

_PALETTE = ("#1b6b3a", "#2e8b57", "#d49b00", "#5f6368", "#b3261e", "#3a6ea5")


def bar_chart(
    items: Sequence[tuple[str, int]],
    *,
    title: str,
    formatter: Callable[[int], str] = str,
    width: int = 460,
) -> Markup:
    """Horizontal bars: long Vietnamese labels stay readable on a tablet."""
    if not items:
        return Markup(f'<p class="muted">{escape(title)}: chưa có số liệu.</p>')  # noqa: S704 (escaped)
    row, label_w, value_w = 30, 170, 115
    bar_space = width - label_w - value_w
    top = max((v for _, v in items), default=0) or 1
    height = row * len(items) + 34
    parts = [
        f'<svg role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="100%" style="max-width:{width}px;background:#fff;border-radius:8px">',
        f'<text x="8" y="20" font-size="15" font-weight="600">{escape(title)}</text>',
    ]
    for i, (label, value) in enumerate(items):
        y = 30 + i * row
        w = max(1, round(bar_space * value / top)) if value else 0
        color = _PALETTE[i % len(_PALETTE)]
        short = label if len(label) <= 24 else label[:23] + "…"
        parts.append(
            f'<text x="8" y="{y + 18}" font-size="13"><title>{escape(label)}</title>'
            f"{escape(short)}</text>"
            f'<rect x="{label_w}" y="{y + 5}" width="{w}" height="18" rx="3" fill="{color}"/>'
            f'<text x="{label_w + w + 6}" y="{y + 18}" font-size="13">{escape(formatter(value))}'
            "</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text above is escaped)


def booth_map(booths: Sequence[Booth], names: dict[str, str], per_row: int = 25) -> Markup:
    """Booths by zone as a grid of squares: taken in green with the holder as a tooltip."""
    if not booths:
        return Markup('<p class="muted">Chưa có sơ đồ gian hàng.</p>')
    cell, gap = 38, 4
    zones: dict[str, list[Booth]] = {}
    for booth in booths:
        zones.setdefault(booth.zone, []).append(booth)
    rows = sum(-(-len(z) // per_row) + 1 for z in zones.values())
    width = per_row * (cell + gap) + 8
    height = rows * (cell + gap) + 10
    parts = [
        f'<svg role="img" aria-label="Sơ đồ gian hàng" viewBox="0 0 {width} {height}" '
        f'width="100%" style="background:#fff;border-radius:8px">'
    ]
    y = 4
    for zone, members in zones.items():
        parts.append(
            f'<text x="6" y="{y + 24}" font-size="15" font-weight="600">{escape(zone)}</text>'
        )
        y += cell + gap
        for i, booth in enumerate(members):
            x = 4 + (i % per_row) * (cell + gap)
            if i and i % per_row == 0:
                y += cell + gap
            taken = booth.participation_id is not None
            holder = names.get(booth.participation_id or "", "") if taken else "Còn trống"
            fill, ink = ("#1b6b3a", "#fff") if taken else ("#e3f4e8", "#1b6b3a")
            parts.append(
                f'<g data-booth="{escape(booth.code)}"><title>{escape(booth.code)} · '
                f"{booth.size_m2} m² · {escape(holder)}</title>"
                f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" rx="4" fill="{fill}"/>'
                f'<text x="{x + cell / 2}" y="{y + cell / 2 + 4}" font-size="11" '
                f'text-anchor="middle" fill="{ink}">{escape(booth.code)}</text></g>'
            )
        y += cell + gap
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text above is escaped)
