"""Every collection of the orders database and its indexes, created before the first
transaction (SecantusDB rule: a transaction must not create a collection implicitly)."""

from __future__ import annotations

from pymongo import ASCENDING, DESCENDING, IndexModel

from ocop_shared.mongo import Database, ensure_collections

SHOWROOMS = "showrooms"
PRODUCTS = "products"
PRODUCERS = "producers"
BALANCES = "balances"
LOTS = "lots"
LEDGER = "ledger"
SALES = "sales"
COUNTERS = "counters"
WITHDRAWALS = "withdrawals"
TRANSFERS = "transfers"

COLLECTIONS = (
    SHOWROOMS,
    PRODUCTS,
    PRODUCERS,
    BALANCES,
    LOTS,
    LEDGER,
    SALES,
    COUNTERS,
    WITHDRAWALS,
    TRANSFERS,
)


async def ensure_indexes(db: Database) -> None:
    """Create every collection and index before the first transaction (SecantusDB rule)."""
    await ensure_collections(db, COLLECTIONS)
    # E-commerce orders, producer stock, shipments and tracking (issue 6, part B).
    from ocop_orders.ecommerce.adapters.repository import ensure_ecommerce_indexes

    await ensure_ecommerce_indexes(db)
    await db[SHOWROOMS].create_indexes([IndexModel([("code", ASCENDING)], unique=True)])
    await db[PRODUCTS].create_indexes(
        [
            IndexModel([("search_tokens", ASCENDING)]),
            IndexModel([("gtin", ASCENDING)]),
            IndexModel([("producer_id", ASCENDING)]),
        ]
    )
    await db[BALANCES].create_indexes(
        [
            IndexModel([("showroom_id", ASCENDING), ("product_id", ASCENDING)]),
            IndexModel([("product_id", ASCENDING)]),
            IndexModel([("producer_id", ASCENDING)]),
        ]
    )
    await db[LOTS].create_indexes(
        [
            IndexModel(
                [("showroom_id", ASCENDING), ("product_id", ASCENDING), ("lot_code", ASCENDING)],
                unique=True,
            ),
            IndexModel([("showroom_id", ASCENDING), ("expires_on", ASCENDING)]),
        ]
    )
    await db[LEDGER].create_indexes(
        [
            IndexModel([("showroom_id", ASCENDING), ("product_id", ASCENDING), ("at", ASCENDING)]),
            IndexModel([("reference", ASCENDING)]),
        ]
    )
    await db[SALES].create_indexes(
        [
            IndexModel([("showroom_id", ASCENDING), ("idempotency_key", ASCENDING)], unique=True),
            IndexModel([("showroom_id", ASCENDING), ("business_day", ASCENDING)]),
            IndexModel([("receipt_number", ASCENDING)]),
            # The producer's statement: sales holding one of its lines, by day.
            IndexModel([("lines.producer_id", ASCENDING), ("business_day", ASCENDING)]),
        ]
    )
    await db[WITHDRAWALS].create_indexes(
        [
            IndexModel([("showroom_id", ASCENDING), ("status", ASCENDING)]),
            IndexModel([("product_id", ASCENDING), ("status", ASCENDING)]),
        ]
    )
    await db[TRANSFERS].create_indexes(
        [
            IndexModel([("to_showroom_id", ASCENDING), ("status", ASCENDING)]),
            IndexModel([("from_showroom_id", ASCENDING), ("created_at", DESCENDING)]),
        ]
    )
    # Journal of outbound partner calls (marketplaces, carriers).
    from ocop_orders.adapters.outbound_journal import ensure_outbound_indexes
    from ocop_orders.marketplace.adapters.listings_store import ensure_listing_indexes

    await ensure_outbound_indexes(db)
    await ensure_listing_indexes(db)
