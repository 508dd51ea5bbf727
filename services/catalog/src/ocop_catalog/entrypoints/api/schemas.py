"""Response shapes of the catalogue API."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from ocop_catalog.domain.model import CatalogProduct
from ocop_catalog.domain.where_to_buy import where_to_buy
from ocop_shared.contracts.catalog import CertificateStatus


class SalesPointView(BaseModel):
    kind: str
    name: str
    address: str | None = None


class ProductView(BaseModel):
    """A product as the public sees it: the certificate status is computed for today."""

    product: CatalogProduct
    certificate_status: CertificateStatus
    expiring_soon: bool = False
    where_to_buy: list[SalesPointView] = []

    @classmethod
    def of(cls, product: CatalogProduct, today: date, expiring_days: int = 90) -> ProductView:
        cert = product.certificate
        return cls(
            product=product,
            certificate_status=product.certificate_status(today),
            expiring_soon=bool(cert and cert.expiring_soon(today, expiring_days)),
            where_to_buy=[
                SalesPointView(kind=p.kind, name=p.name, address=p.address)
                for p in where_to_buy(product)
            ],
        )


class ProductPage(BaseModel):
    total: int
    skip: int
    limit: int
    items: list[ProductView]


class RejectedRowView(BaseModel):
    line: int
    product_id: str | None
    name: str | None
    reasons: list[str]


class ImportReportView(BaseModel):
    file_name: str
    rows: int
    created: int
    updated: int
    unchanged: int
    rejected: list[RejectedRowView]
    dry_run: bool
