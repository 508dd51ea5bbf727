"""QR codes as inline SVG (segno), small enough to travel inside the page."""

from __future__ import annotations

import io

import segno


def svg(data: str, *, scale: int = 4, title: str | None = None) -> str:
    """An <svg> element (no XML declaration) to place straight into the HTML."""
    code = segno.make(data, error="m", micro=False)
    out = io.BytesIO()
    code.save(out, kind="svg", xmldecl=False, svgns=True, scale=scale, title=title, nl=False)
    return out.getvalue().decode("utf-8")
