"""Command handlers: load, decide with the domain, save and raise events in one unit of work."""

from __future__ import annotations

import uuid
from datetime import date

from ocop_certification.domain import certificates
from ocop_certification.domain.commands import (
    IssueCertificate,
    RegisterProducer,
    RegisterProduct,
    RevokeCertificate,
)
from ocop_certification.domain.events import ProducerRegistered, ProductRegistered
from ocop_certification.domain.model import Certificate, Producer, Product
from ocop_certification.service_layer.unit_of_work import UnitOfWork, run_in_unit_of_work
from ocop_shared.auth import Principal
from ocop_shared.runtime import ServiceRuntime
from ocop_shared.timeutil import today_in_vietnam


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


async def register_producer(runtime: ServiceRuntime, command: RegisterProducer) -> Producer:
    producer = Producer(id=new_id("prd"), **command.model_dump())

    async def work(uow: UnitOfWork) -> Producer:
        await uow.repository.add_producer(producer)
        uow.raise_event(ProducerRegistered(producer))
        return producer

    return await run_in_unit_of_work(runtime, work)


async def register_product(runtime: ServiceRuntime, command: RegisterProduct) -> Product:
    async def work(uow: UnitOfWork) -> Product:
        await uow.repository.get_producer(command.producer_id)
        product = Product(id=new_id("sp"), **command.model_dump())
        await uow.repository.add_product(product)
        uow.raise_event(ProductRegistered(product))
        return product

    return await run_in_unit_of_work(runtime, work)


async def issue_certificate(
    runtime: ServiceRuntime, command: IssueCertificate, by: Principal, today: date | None = None
) -> Certificate:
    async def work(uow: UnitOfWork) -> Certificate:
        product = await uow.repository.get_product(command.product_id)
        current = await uow.repository.find_certificate(product.current_certificate_id)
        updated, certificate, superseded, event = certificates.issue(
            product,
            current,
            command,
            certificate_id=new_id("gcn"),
            issued_by=by.subject,
            today=today or today_in_vietnam(),
        )
        if superseded is not None:
            await uow.repository.save_certificate(superseded)
        await uow.repository.save_certificate(certificate)
        await uow.repository.save_product(updated, expected_version=product.certification_version)
        uow.raise_event(event)
        return certificate

    return await run_in_unit_of_work(runtime, work)


async def revoke_certificate(
    runtime: ServiceRuntime, certificate_id: str, command: RevokeCertificate, by: Principal
) -> Certificate:
    async def work(uow: UnitOfWork) -> Certificate:
        certificate = await uow.repository.get_certificate(certificate_id)
        product = await uow.repository.get_product(certificate.product_id)
        updated, revoked, event = certificates.revoke(
            product, certificate, command, revoked_by=by.subject
        )
        await uow.repository.save_certificate(revoked)
        await uow.repository.save_product(updated, expected_version=product.certification_version)
        uow.raise_event(event)
        return revoked

    return await run_in_unit_of_work(runtime, work)
