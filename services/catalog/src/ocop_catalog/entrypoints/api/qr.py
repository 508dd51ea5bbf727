"""QR codes for product pages (segno: pure Python, standards-conformant)."""

from __future__ import annotations

import io

import segno


def product_qr_svg(url: str) -> bytes:
    """An SVG QR code for `url`, error correction M, with a quiet zone for printing."""
    qr = segno.make(url, error="m", micro=False)
    buffer = io.BytesIO()
    qr.save(buffer, kind="svg", scale=6, border=4, xmldecl=False, title="Mã QR sản phẩm OCOP")
    return buffer.getvalue()
