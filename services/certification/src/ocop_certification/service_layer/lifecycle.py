"""Time-driven certificate changes (expiry, reminders), inspections and plan progress.

The scheduler's work is idempotent: each certificate changes in its own transaction, and
only if it is still in the state it was read in, so two runs (or two schedulers) never
expire a certificate twice or send a reminder twice.
"""

from __future__ import annotations

from dataclasses import dataclass

import structlog

from ocop_certification.adapters.repository import CertificationRepository
from ocop_certification.domain import certificates
from ocop_certification.domain.inspections import Inspection, InspectionOutcome, RecordInspection
from ocop_certification.domain.model import CERTIFICATE_STATUS_VI, CertificateStatus, add_months
from ocop_certification.domain.targets import PlanTarget, Progress, SetPlanTarget, progress
from ocop_certification.service_layer.handlers import new_id
from ocop_certification.service_layer.unit_of_work import UnitOfWork, run_in_unit_of_work
from ocop_shared.auth import Principal
from ocop_shared.errors import DomainError, InvalidStateError, ValidationFailedError
from ocop_shared.runtime import ServiceRuntime
from ocop_shared.timeutil import Clock

log = structlog.get_logger(__name__)


@dataclass
class SweepReport:
    expired: int = 0
    reminded: int = 0

    def summary(self) -> str:
        return f"Hết hiệu lực: {self.expired} · nhắc hạn: {self.reminded}"


async def _expire_one(runtime: ServiceRuntime, certificate_id: str, clock: Clock) -> bool:
    async def work(uow: UnitOfWork) -> bool:
        certificate = await uow.repository.get_certificate(certificate_id)
        product = await uow.repository.get_product(certificate.product_id)
        change = certificates.expire(product, certificate, today=clock.today())
        if change is None:
            return False
        updated, expired, event = change
        if not await uow.repository.replace_certificate_if(
            expired, expected_status=CertificateStatus.ACTIVE
        ):
            return False
        await uow.repository.save_product(updated, expected_version=product.certification_version)
        uow.raise_event(event)
        return True

    return await run_in_unit_of_work(runtime, work)


async def _remind_one(
    runtime: ServiceRuntime, certificate_id: str, clock: Clock, lead_months: tuple[int, ...]
) -> bool:
    async def work(uow: UnitOfWork) -> bool:
        certificate = await uow.repository.get_certificate(certificate_id)
        product = await uow.repository.get_product(certificate.product_id)
        due = certificates.due_reminder(
            product, certificate, today=clock.today(), lead_months=lead_months
        )
        if due is None:
            return False
        reminded, event = due
        if not await uow.repository.replace_certificate_if(
            reminded,
            expected_status=CertificateStatus.ACTIVE,
            expected_reminders=certificate.reminders_sent,
        ):
            return False
        uow.raise_event(event)
        return True

    return await run_in_unit_of_work(runtime, work)


async def sweep(runtime: ServiceRuntime, clock: Clock, lead_months: tuple[int, ...]) -> SweepReport:
    """Expire certificates past their end date, then send the reminders that are due."""
    report = SweepReport()
    repository = CertificationRepository(runtime.db)
    today = clock.today()
    for certificate in await repository.certificates(
        status=CertificateStatus.ACTIVE, valid_until_before=today
    ):
        try:
            if await _expire_one(runtime, certificate.id, clock):
                report.expired += 1
                log.info("certificate.expired", certificate_id=certificate.id)
        except DomainError as exc:  # pragma: no cover - a concurrent change; the next run retries
            log.warning("certificate.expire_skipped", certificate_id=certificate.id, error=str(exc))
    if lead_months:
        horizon = add_months(today, max(lead_months))
        for certificate in await repository.certificates(
            status=CertificateStatus.ACTIVE, valid_until_before=horizon
        ):
            if await _remind_one(runtime, certificate.id, clock, lead_months):
                report.reminded += 1
                log.info("certificate.expiring_reminder", certificate_id=certificate.id)
    return report


# ---------------------------------------------------------------- inspections


async def record_inspection(
    runtime: ServiceRuntime, command: RecordInspection, by: Principal, clock: Clock
) -> Inspection:
    """Record a hậu kiểm; a violation revokes the active certificate in the same transaction."""
    if command.inspected_on > clock.today():
        raise ValidationFailedError(
            "Ngày hậu kiểm không được ở tương lai", field="body.inspected_on"
        )

    async def work(uow: UnitOfWork) -> Inspection:
        product = await uow.repository.get_product(command.product_id)
        current = await uow.repository.find_certificate(product.current_certificate_id)
        current = current.as_of(clock.today()) if current is not None else None
        revoked_id = None
        if command.certificate_id is not None and (
            current is None or current.id != command.certificate_id
        ):
            # The console names the certificate it shows: never revoke a newer one by surprise.
            shown = (await uow.repository.get_certificate(command.certificate_id)).as_of(
                clock.today()
            )
            if shown.product_id != product.id:
                raise ValidationFailedError(
                    "Giấy chứng nhận không thuộc sản phẩm này", field="body.certificate_id"
                )
            if command.outcome is InspectionOutcome.VIOLATION:
                raise InvalidStateError(
                    "Giấy chứng nhận này không còn là giấy hiện hành của sản phẩm "
                    f"(trạng thái: {CERTIFICATE_STATUS_VI[shown.status]}); không thể thu hồi",
                    field="body.certificate_id",
                )
        if command.outcome is InspectionOutcome.VIOLATION:
            assert command.revocation is not None
            if current is None or current.status is not CertificateStatus.ACTIVE:
                raise InvalidStateError(
                    "Sản phẩm không có giấy chứng nhận còn hiệu lực để thu hồi",
                    field="body.revocation",
                )
            updated, revoked, event = certificates.revoke(
                product, current, command.revocation, revoked_by=by.subject
            )
            await uow.repository.save_certificate(revoked)
            await uow.repository.save_product(
                updated, expected_version=product.certification_version
            )
            uow.raise_event(event)
            revoked_id = revoked.id
        inspection = Inspection(
            id=new_id("hk"),
            product_id=product.id,
            producer_id=product.producer_id,
            certificate_id=command.certificate_id or (current.id if current else None),
            inspected_on=command.inspected_on,
            authority=command.authority,
            inspectors=command.inspectors,
            outcome=command.outcome,
            findings=command.findings,
            revoked_certificate_id=revoked_id,
            recorded_by=by.subject,
            recorded_at=clock.now(),
        )
        await uow.repository.add_inspection(inspection)
        return inspection

    return await run_in_unit_of_work(runtime, work)


# ---------------------------------------------------------------- plan targets


async def set_plan_target(
    runtime: ServiceRuntime, command: SetPlanTarget, by: Principal
) -> PlanTarget:
    if command.communes_target > command.communes_total > 0:
        raise ValidationFailedError("Số xã mục tiêu vượt tổng số xã", field="body.communes_target")
    target = PlanTarget(id=new_id("kh"), set_by=by.subject, **command.model_dump())

    async def work(uow: UnitOfWork) -> PlanTarget:
        return await uow.repository.put_plan_target(target)

    return await run_in_unit_of_work(runtime, work)


async def plan_progress(runtime: ServiceRuntime, target_id: str, clock: Clock) -> Progress:
    repository = CertificationRepository(runtime.db)
    target = await repository.get_plan_target(target_id)
    products = await repository.products_in(target.province, target.district)
    certs = await repository.certificates_of_products([p.id for p in products])
    return progress(target, products, certs, clock.today())
