"""Evidence documents attached to a dossier (GridFS file + reference in one consistent step)."""

from __future__ import annotations

from ocop_certification.adapters.evidence import EvidenceStore, check_upload
from ocop_certification.adapters.repository import CertificationRepository
from ocop_certification.domain.dossiers import Dossier, DossierStatus, EvidenceKind, EvidenceRef
from ocop_certification.service_layer.context import Context, ensure_may_edit, step
from ocop_certification.service_layer.unit_of_work import UnitOfWork
from ocop_shared.auth import Principal
from ocop_shared.errors import InvalidStateError, ValidationFailedError
from ocop_shared.text import TextRefusedError, clean_text

# ---------------------------------------------------------------- evidence

EVIDENCE_STATUSES = frozenset({DossierStatus.DRAFT, DossierStatus.SUBMITTED})


async def attach_evidence(
    ctx: Context,
    dossier_id: str,
    *,
    store: EvidenceStore,
    filename: str,
    content: bytes,
    content_type: str,
    kind: EvidenceKind,
    part: str | None,
    limits: tuple[int, tuple[str, ...]],
    by: Principal,
) -> EvidenceRef:
    """Store the file, then reference it from the dossier; a refused reference removes it."""
    repository = CertificationRepository(ctx.runtime.db)
    dossier = await repository.get_dossier(dossier_id)
    ensure_may_edit(by, dossier)
    if dossier.status not in EVIDENCE_STATUSES:
        raise InvalidStateError(
            "Chỉ bổ sung minh chứng trước khi hồ sơ được kiểm tra", field="status"
        )
    check_upload(content, content_type, max_bytes=limits[0], allowed=limits[1])
    try:  # the kernel's text rule: a file name is shown and sent back in headers
        filename = clean_text(filename, field="Tên tệp") or "minh-chung"
    except TextRefusedError as refused:
        raise ValidationFailedError(str(refused), field="body.file") from refused
    file_id = await store.put(filename, content, content_type, dossier_id)
    ref = EvidenceRef(
        file_id=file_id,
        filename=filename,
        content_type=content_type,
        size=len(content),
        part=part,
        kind=kind,
        uploaded_by=by.subject,
        uploaded_at=ctx.clock.now(),
    )

    async def decide(uow: UnitOfWork, current: Dossier) -> Dossier:
        if current.status not in EVIDENCE_STATUSES:
            raise InvalidStateError("Hồ sơ vừa chuyển trạng thái", field="status")
        if len(current.evidence) >= 50:
            raise ValidationFailedError("Tối đa 50 tệp minh chứng", field="body.file")
        return current.model_copy(
            update={"evidence": (*current.evidence, ref), "version": current.version + 1}
        )

    try:
        await step(ctx, dossier_id, decide)
    except BaseException:
        await store.delete(file_id)
        raise
    return ref
