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
from ocop_certification.domain.errors import DuplicateTaxCodeError
from ocop_certification.domain.events import ProducerRegistered, ProductRegistered
from ocop_certification.domain.model import Certificate, Producer, Product
from ocop_certification.domain.rules import default_rule_book
from ocop_certification.service_layer.unit_of_work import UnitOfWork, run_in_unit_of_work
from ocop_shared.auth import Principal, ensure_producer_scope
from ocop_shared.errors import ValidationFailedError
from ocop_shared.runtime import ServiceRuntime
from ocop_shared.timeutil import today_in_vietnam


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


async def register_producer(runtime: ServiceRuntime, command: RegisterProducer) -> Producer:
    producer = Producer(id=new_id("prd"), **command.model_dump())

    async def work(uow: UnitOfWork) -> Producer:
        # the unique index is the guarantee; this read gives the clear error without a write
        if await uow.repository.producer_by_tax_code(command.tax_code) is not None:
            raise DuplicateTaxCodeError(
                f"Mã số thuế {command.tax_code} đã được đăng ký", field="body.tax_code"
            )
        await uow.repository.add_producer(producer)
        uow.raise_event(ProducerRegistered(producer))
        return producer

    return await run_in_unit_of_work(runtime, work)


def _classify(command: RegisterProduct) -> dict[str, str | None]:
    """1048 sector and 148 sub-group: the sub-group decides the sector when both are given."""
    if command.subgroup_code is None:
        if command.group_code is None:
            raise ValidationFailedError(
                "Cần phân nhóm sản phẩm (subgroup_code) hoặc mã ngành 1048 (group_code)",
                field="body.subgroup_code",
            )
        taxonomy = default_rule_book().latest_taxonomy()
        if command.group_code not in taxonomy.sectors_1048:
            raise ValidationFailedError(
                f"Mã ngành '{command.group_code}' không có trong 1048", field="body.group_code"
            )
        return {"group_code": command.group_code}
    taxonomy = default_rule_book().latest_taxonomy()
    sector = taxonomy.sector_of(command.subgroup_code)
    if command.group_code is not None and command.group_code != sector:
        raise ValidationFailedError(
            f"Phân nhóm {command.subgroup_code} thuộc ngành '{sector}', không phải "
            f"'{command.group_code}'",
            field="body.group_code",
        )
    return {
        "group_code": sector,
        "subgroup_code": command.subgroup_code,
        "taxonomy_version": taxonomy.version,
    }


async def register_product(
    runtime: ServiceRuntime, command: RegisterProduct, by: Principal | None = None
) -> Product:
    classification = _classify(command)
    if by is not None:
        ensure_producer_scope(by, command.producer_id)

    async def work(uow: UnitOfWork) -> Product:
        producer = await uow.repository.get_producer(command.producer_id)
        fields = command.model_dump(exclude={"group_code", "subgroup_code", "district"})
        product = Product(
            id=new_id("sp"),
            **fields,
            **classification,
            district=command.district or producer.district,
        )
        await uow.repository.add_product(product)
        uow.raise_event(ProductRegistered(product))
        return product

    return await run_in_unit_of_work(runtime, work)


async def issue_certificate(
    runtime: ServiceRuntime, command: IssueCertificate, by: Principal, today: date | None = None
) -> Certificate:
    async def work(uow: UnitOfWork) -> Certificate:
        return await issue_within(uow, command, by, today or today_in_vietnam())

    return await run_in_unit_of_work(runtime, work)


async def issue_within(
    uow: UnitOfWork,
    command: IssueCertificate,
    by: Principal,
    today: date,
    dossier_id: str | None = None,
) -> Certificate:
    """Issue inside `uow`: the replaced certificate, the new one and the product are saved."""
    product = await uow.repository.get_product(command.product_id)
    current = await uow.repository.find_certificate(product.current_certificate_id)
    updated, certificate, superseded, event, superseded_event = certificates.issue(
        product,
        current,
        command,
        certificate_id=new_id("gcn"),
        issued_by=by.subject,
        today=today,
        dossier_id=dossier_id,
    )
    if superseded is not None and superseded_event is not None:
        await uow.repository.save_certificate(superseded)
        uow.raise_event(superseded_event)
    await uow.repository.save_certificate(certificate)
    await uow.repository.save_product(updated, expected_version=product.certification_version)
    uow.raise_event(event)
    return certificate


async def revoke_certificate(
    runtime: ServiceRuntime,
    certificate_id: str,
    command: RevokeCertificate,
    by: Principal,
    *,
    today: date,
) -> Certificate:
    async def work(uow: UnitOfWork) -> Certificate:
        # read as of today: one past its last valid day is expired, swept or not
        certificate = (await uow.repository.get_certificate(certificate_id)).as_of(today)
        product = await uow.repository.get_product(certificate.product_id)
        updated, revoked, event = certificates.revoke(
            product, certificate, command, revoked_by=by.subject
        )
        await uow.repository.save_certificate(revoked)
        await uow.repository.save_product(updated, expected_version=product.certification_version)
        uow.raise_event(event)
        return revoked

    return await run_in_unit_of_work(runtime, work)
