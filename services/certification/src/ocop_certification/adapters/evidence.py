"""Evidence documents in MongoDB GridFS, with size and type limits checked before storing."""

from __future__ import annotations

from bson import ObjectId
from bson.errors import InvalidId
from gridfs import AsyncGridFSBucket
from gridfs.errors import NoFile

from ocop_certification.adapters.repository import EVIDENCE_BUCKET
from ocop_shared.errors import NotFoundError, ValidationFailedError
from ocop_shared.mongo import Database

# The declared type must match the first bytes: a renamed executable is not a PDF.
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (b"PK\x03\x04",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (b"PK\x03\x04",),
}


def check_upload(
    content: bytes, content_type: str, *, max_bytes: int, allowed: tuple[str, ...]
) -> None:
    if content_type not in allowed:
        raise ValidationFailedError(
            f"Loại tệp '{content_type}' không được nhận (PDF, JPEG, PNG, DOCX, XLSX)",
            field="body.file",
        )
    if not content:
        raise ValidationFailedError("Tệp rỗng", field="body.file")
    if len(content) > max_bytes:
        raise ValidationFailedError(
            f"Tệp vượt quá {max_bytes // (1024 * 1024)} MB", field="body.file"
        )
    if not content.startswith(_SIGNATURES.get(content_type, (b"",))):
        raise ValidationFailedError(
            "Nội dung tệp không khớp với loại tệp khai báo", field="body.file"
        )


class EvidenceStore:
    def __init__(self, db: Database) -> None:
        self._bucket = AsyncGridFSBucket(db, bucket_name=EVIDENCE_BUCKET)

    async def put(self, filename: str, content: bytes, content_type: str, dossier_id: str) -> str:
        file_id = await self._bucket.upload_from_stream(
            filename,
            content,
            metadata={"content_type": content_type, "dossier_id": dossier_id},
        )
        return str(file_id)

    async def get(self, file_id: str) -> bytes:
        try:
            stream = await self._bucket.open_download_stream(ObjectId(file_id))
        except (InvalidId, NoFile) as exc:
            raise NotFoundError("Không có tệp minh chứng này", field="file_id") from exc
        return await stream.read()

    async def delete(self, file_id: str) -> None:
        try:
            await self._bucket.delete(ObjectId(file_id))
        except (InvalidId, NoFile):
            return
