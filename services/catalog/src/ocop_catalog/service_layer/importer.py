"""Bulk import of product content: idempotent, in batches, each batch one transaction.

Content (names, description, price, images, traceability link, key farm flag…) is upserted;
certificate state is never touched (it comes only from certification events). A row that
changes nothing writes nothing, so re-running a file changes nothing and publishes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog

from ocop_catalog.adapters.repository import CatalogRepository
from ocop_catalog.adapters.spreadsheets import read_table
from ocop_catalog.domain.eligibility import DEFAULT_POLICIES, ChannelPolicy
from ocop_catalog.domain.importing import ProductRow, RejectedRow, parse_rows
from ocop_catalog.domain.model import CatalogProduct, ProducerProfile, ProductContent
from ocop_catalog.domain.search import name_key
from ocop_catalog.service_layer.catalogue import Settled, settle
from ocop_shared.messaging.outbox import Outbox
from ocop_shared.mongo import Client, Database, Session, in_transaction
from ocop_shared.timeutil import Clock

log = structlog.get_logger(__name__)

_IDENTITY = ("name", "group_code", "province", "commune", "district", "gtin")
_CONTENT = tuple(ProductContent.model_fields)


@dataclass
class ImportReport:
    file_name: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    dry_run: bool = False


REJECTED_HEADERS = ("Dòng", "Mã sản phẩm", "Tên sản phẩm", "Lý do")


def rejected_rows(report: ImportReport) -> list[tuple[int, str, str, str]]:
    """The rejected rows as the officers' report shows them (CLI file, API download)."""
    return [
        (r.line, r.product_id or "", r.name or "", "; ".join(r.reasons)) for r in report.rejected
    ]


@dataclass
class _BatchOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)


Progress = Callable[[int], None]


class ProductImporter:
    """Applies validated rows to the read model through `settle` (version + product event)."""

    def __init__(
        self,
        client: Client,
        db: Database,
        outbox: Outbox,
        *,
        policies: tuple[ChannelPolicy, ...] = DEFAULT_POLICIES,
        clock: Clock | None = None,
        batch_size: int = 500,
    ) -> None:
        self._client = client
        self._db = db
        self._outbox = outbox
        self._policies = policies
        self._clock = clock or Clock()
        self._batch_size = batch_size

    async def import_file(
        self,
        file_name: str,
        data: bytes,
        *,
        dry_run: bool = False,
        on_total: Callable[[int], None] | None = None,
        progress: Progress | None = None,
    ) -> ImportReport:
        table = read_table(file_name, data)  # a wrong header raises here, before any write
        valid, rejected = parse_rows(table.rows, table.mapping)
        report = ImportReport(file_name, rows=len(valid) + len(rejected), dry_run=dry_run)
        report.rejected.extend(rejected)
        if on_total:
            on_total(report.rows)
        if progress and rejected:
            progress(len(rejected))
        for start in range(0, len(valid), self._batch_size):
            batch = valid[start : start + self._batch_size]
            outcome = await self._apply_batch(batch, dry_run)
            report.created += outcome.created
            report.updated += outcome.updated
            report.unchanged += outcome.unchanged
            report.rejected.extend(outcome.rejected)
            if progress:
                progress(len(batch))
        report.rejected.sort(key=lambda r: r.line)
        log.info(
            "catalog.import_finished",
            file=file_name,
            rows=report.rows,
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
            rejected=len(report.rejected),
            dry_run=dry_run,
        )
        return report

    async def _apply_batch(self, rows: Sequence[ProductRow], dry_run: bool) -> _BatchOutcome:
        if dry_run:
            return await self._plan(CatalogRepository(self._db), rows, write=None)

        async def work(session: Session) -> _BatchOutcome:
            return await self._plan(CatalogRepository(self._db, session), rows, write=session)

        return await in_transaction(self._client, work)

    async def _plan(
        self, repository: CatalogRepository, rows: Sequence[ProductRow], write: Session | None
    ) -> _BatchOutcome:
        outcome = _BatchOutcome()
        today = self._clock.today()
        existing = await repository.find_many([r.product_id for r in rows if r.product_id])
        by_name = await repository.ids_by_name([r.name for r in rows if not r.product_id])
        # Products matched by name alone: read in the same single query, not one per row.
        named = {ids[0] for ids in by_name.values() if len(ids) == 1} - existing.keys()
        if named:
            existing.update(await repository.find_many(list(named)))
        producer_ids = list({r.values["producer_id"] for r in rows if "producer_id" in r.values})
        producers = await repository.find_producers(producer_ids)
        new_producers: dict[str, ProducerProfile] = {}
        changes: list[Settled] = []
        for row in rows:
            product_id = row.product_id
            if product_id is None:
                matches = by_name.get(name_key(row.name), [])
                if len(matches) != 1:
                    why = "không có" if not matches else f"có {len(matches)} sản phẩm"
                    outcome.rejected.append(
                        RejectedRow(
                            row.line,
                            None,
                            row.name,
                            [f"ma_san_pham: trống và {why} sản phẩm cùng tên trong danh mục"],
                        )
                    )
                    continue
                product_id = matches[0]
            before = existing.get(product_id)
            producer_id = row.values.get("producer_id") or (before.producer_id if before else None)
            if producer_id is None:
                outcome.rejected.append(
                    RejectedRow(
                        row.line,
                        product_id,
                        row.name,
                        ["ma_chu_the: bắt buộc với sản phẩm chưa có trong danh mục"],
                    )
                )
                continue
            producer = producers.get(producer_id) or new_producers.get(producer_id)
            if producer is None and "producer_name" in row.values:
                producer = ProducerProfile(
                    id=producer_id,
                    name=row.values["producer_name"],
                    province=row.values.get("province"),
                    commune=row.values.get("commune"),
                    district=row.values.get("district"),
                    gln=row.values.get("gln"),
                )
                new_producers[producer_id] = producer
            after = _with_row(before, product_id, producer_id, producer, row)
            settled = settle(before, after, today, self._policies)
            if settled is None:
                outcome.unchanged += 1
                continue
            changes.append(settled)
            existing[product_id] = settled.product
            if before is None:
                outcome.created += 1
            else:
                outcome.updated += 1
        if write is not None:
            await repository.save_producers(list(new_producers.values()))
            # Two rows may reach one product (by id and by name): store its last state.
            latest = {c.product.id: c.product for c in changes}
            await repository.save_many(list(latest.values()))
            for change in changes:
                if change.event is not None:
                    await self._outbox.add(
                        write,
                        change.event,
                        subject=change.product.id,
                        sequence=change.product.version,
                    )
        return outcome


def _with_row(
    before: CatalogProduct | None,
    product_id: str,
    producer_id: str,
    producer: ProducerProfile | None,
    row: ProductRow,
) -> CatalogProduct:
    """The product with the row's filled-in cells applied; the certificate is left alone."""
    values = row.values
    identity: dict[str, Any] = {k: values[k] for k in _IDENTITY if k in values}
    content: dict[str, Any] = {k: values[k] for k in _CONTENT if k in values}
    if before is None:
        return CatalogProduct.model_validate(
            {
                "id": product_id,
                "producer_id": producer_id,
                "producer": producer,
                **identity,
                "content": content,
            }
        )
    update: dict[str, Any] = {
        **identity,
        "producer_id": producer_id,
        "content": before.content.model_copy(update=content),
    }
    if before.producer is None or before.producer.id != producer_id:
        update["producer"] = producer  # the profile follows the producer id
    return before.model_copy(update=update)
