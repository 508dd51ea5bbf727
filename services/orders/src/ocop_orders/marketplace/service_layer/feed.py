"""Feed export: a producer's products in a marketplace bulk-upload sheet (CSV and XLSX).

One row per product that may be sold online today (active OCOP certificate and the
catalogue's marketplace policy), with the producer's price and stock on that marketplace
when it has a listing there. CSV starts with a UTF-8 BOM so Excel shows Vietnamese right.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date

from ocop_orders.adapters.repository import OrdersRepository
from ocop_orders.domain.model import Product
from ocop_orders.marketplace.adapters.listings_store import ListingStore
from ocop_orders.marketplace.domain.listings import (
    Listing,
    Marketplace,
    listing_price,
    marketplace_block_reason,
)
from ocop_orders.service_layer.unit_of_work import Orders
from ocop_shared.web.exports import csv_row, xlsx_text

FEED_HEADERS = (
    "Mã SKU",
    "Tên sản phẩm",
    "Ngành hàng",
    "Giá bán (VNĐ)",
    "Tồn kho",
    "Mô tả",
    "Hình ảnh",
    "Hạng sao OCOP",
    "Số giấy chứng nhận",
    "Hiệu lực từ",
    "Hiệu lực đến",
    "Link truy xuất nguồn gốc",
)

Cell = str | int | None


def _vn(day: date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


def feed_row(product: Product, listing: Listing | None) -> list[Cell]:
    cert = product.certificate
    price = listing_price(listing, product) if listing is not None else product.suggested_price_vnd
    return [
        product.id,
        product.name,
        product.group_code or "",
        price,
        listing.stock if listing is not None else 0,
        product.description or "",
        product.image_url or "",
        cert.stars if cert else None,
        cert.number if cert else "",
        _vn(cert.valid_from if cert else None),
        _vn(cert.valid_until if cert else None),
        product.traceability_url or "",
    ]


def feed_rows(
    products: Iterable[Product], listings: dict[str, Listing], today: date
) -> list[list[Cell]]:
    """Rows for the products that may be listed today, sorted by name."""
    rows = []
    for product in sorted(products, key=lambda p: (p.name, p.id)):
        if marketplace_block_reason(product, today) is not None:
            continue
        listing = listings.get(product.id)
        if listing is not None and not listing.wanted:
            continue
        rows.append(feed_row(product, listing))
    return rows


async def producer_feed(orders: Orders, producer_id: str, channel: Marketplace) -> list[list[Cell]]:
    products = await OrdersRepository(orders.db).products_of_producer(producer_id)
    listings = {
        one.product_id: one
        for one in await ListingStore(orders.db).search(producer_id=producer_id, channel=channel)
    }
    return feed_rows(products, listings, orders.clock.today())


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """CSV with a UTF-8 BOM and CRLF line ends (what Excel and upload forms expect); every
    cell through the kernel's ``csv_cell`` (a name beginning with ``=`` stays text) and
    characters no spreadsheet cell holds shown as U+FFFD, as in the XLSX file."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(csv_row(headers))
    for row in rows:
        writer.writerow(csv_row(xlsx_text(c) if isinstance(c, str) else c for c in row))
    return "\ufeff".encode() + out.getvalue().encode("utf-8")
