"""Response shapes of the catalogue API."""

from __future__ import annotations

from pydantic import BaseModel

from ocop_catalog.domain.model import CatalogProduct
from ocop_shared.contracts.catalog import CertificateStatus
from ocop_shared.timeutil import today_in_vietnam


class ProductView(BaseModel):
    """A product as the public sees it: the certificate status is computed for today."""

    product: CatalogProduct
    certificate_status: CertificateStatus

    @classmethod
    def of(cls, product: CatalogProduct) -> ProductView:
        cert = product.certificate
        status = cert.status_on(today_in_vietnam()) if cert else CertificateStatus.NONE
        return cls(product=product, certificate_status=status)


class ProductPage(BaseModel):
    total: int
    skip: int
    limit: int
    items: list[ProductView]
