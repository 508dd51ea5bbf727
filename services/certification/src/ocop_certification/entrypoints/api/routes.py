"""REST routes under /api/v1 for producers, products and certificates."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from ocop_certification.adapters.repository import CertificationRepository
from ocop_certification.domain.commands import (
    IssueCertificate,
    RegisterProducer,
    RegisterProduct,
    RevokeCertificate,
)
from ocop_certification.domain.model import Certificate, Producer, Product
from ocop_certification.entrypoints.api.deps import Ctx, DossierUser, Officer, Runtime, Staff
from ocop_certification.service_layer import handlers

router = APIRouter(prefix="/api/v1")

Id = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Skip = Annotated[int, Query(ge=0, le=100_000)]
Limit = Annotated[int, Query(ge=1, le=200)]


@router.post("/producers", status_code=status.HTTP_201_CREATED, tags=["producers"])
async def register_producer(body: RegisterProducer, runtime: Runtime, _: Officer) -> Producer:
    """Đăng ký chủ thể OCOP."""
    return await handlers.register_producer(runtime, body)


@router.get("/producers", tags=["producers"])
async def list_producers(
    runtime: Runtime, _: Staff, skip: Skip = 0, limit: Limit = 50
) -> list[Producer]:
    return await CertificationRepository(runtime.db).list_producers(skip=skip, limit=limit)


@router.get("/producers/{producer_id}", tags=["producers"])
async def get_producer(producer_id: Id, runtime: Runtime, _: Staff) -> Producer:
    return await CertificationRepository(runtime.db).get_producer(producer_id)


@router.post("/products", status_code=status.HTTP_201_CREATED, tags=["products"])
async def register_product(body: RegisterProduct, runtime: Runtime, who: DossierUser) -> Product:
    """Đăng ký sản phẩm của một chủ thể (cán bộ, hoặc chính chủ thể đó)."""
    return await handlers.register_product(runtime, body, who)


@router.get("/products", tags=["products"])
async def list_products(
    runtime: Runtime,
    _: Staff,
    producer_id: Annotated[str | None, Query(max_length=64)] = None,
    skip: Skip = 0,
    limit: Limit = 50,
) -> list[Product]:
    return await CertificationRepository(runtime.db).list_products(
        producer_id=producer_id, skip=skip, limit=limit
    )


@router.get("/products/{product_id}", tags=["products"])
async def get_product(product_id: Id, runtime: Runtime, _: Staff) -> Product:
    return await CertificationRepository(runtime.db).get_product(product_id)


@router.get("/products/{product_id}/certificates", tags=["certificates"])
async def product_certificates(product_id: Id, ctx: Ctx, _: Staff) -> list[Certificate]:
    repository = CertificationRepository(ctx.runtime.db)
    await repository.get_product(product_id)
    today = ctx.clock.today()
    return [c.as_of(today) for c in await repository.certificates_of_product(product_id)]


@router.post("/certificates", status_code=status.HTTP_201_CREATED, tags=["certificates"])
async def issue_certificate(body: IssueCertificate, ctx: Ctx, who: Officer) -> Certificate:
    """Cấp giấy chứng nhận theo quyết định công nhận (thay thế giấy đang hiệu lực nếu có).

    Dành cho quyết định đã có trên giấy (dữ liệu cũ); giấy chứng nhận từ một đợt đánh giá
    được cấp ở bước kết luận hồ sơ (``/dossiers/{id}/finalise``).
    """
    return await handlers.issue_certificate(ctx.runtime, body, who, today=ctx.clock.today())


@router.get("/certificates/{certificate_id}", tags=["certificates"])
async def get_certificate(certificate_id: Id, ctx: Ctx, _: Staff) -> Certificate:
    certificate = await CertificationRepository(ctx.runtime.db).get_certificate(certificate_id)
    return certificate.as_of(ctx.clock.today())


@router.post("/certificates/{certificate_id}/revoke", tags=["certificates"])
async def revoke_certificate(
    certificate_id: Id, body: RevokeCertificate, ctx: Ctx, who: Officer
) -> Certificate:
    """Thu hồi giấy chứng nhận theo quyết định."""
    return await handlers.revoke_certificate(
        ctx.runtime, certificate_id, body, who, today=ctx.clock.today()
    )
