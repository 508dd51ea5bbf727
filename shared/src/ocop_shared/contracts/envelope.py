"""CloudEvents 1.0 envelope carried on every Kafka message (JSON, structured mode)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar, Literal
from uuid import UUID, uuid4

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class EventData(BaseModel):
    """Base of every published contract: frozen, strict on the producing side."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]
    topic: ClassVar[str]


class Envelope(BaseModel):
    """The CloudEvents attributes plus correlation, causation and aggregate sequence.

    `sequence` is the aggregate's version after the change: consumers ignore an event whose
    sequence is not newer than what they have applied for that subject.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    specversion: Literal["1.0"] = "1.0"
    id: UUID = Field(default_factory=uuid4)
    source: str
    type: str
    subject: str
    time: AwareDatetime = Field(default_factory=lambda: datetime.now(UTC))
    datacontenttype: Literal["application/json"] = "application/json"
    correlationid: str | None = None
    causationid: str | None = None
    sequence: int | None = Field(default=None, ge=0)
    data: dict[str, Any]

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> Envelope:
        return cls.model_validate_json(raw)


def make_envelope(
    data: EventData,
    *,
    source: str,
    subject: str,
    sequence: int | None = None,
    correlation_id: str | None = None,
    causation_id: str | None = None,
) -> Envelope:
    """Wrap a contract in an envelope, validating it strictly first."""
    payload = type(data).model_validate(data.model_dump())
    return Envelope(
        source=source,
        type=type(data).event_type,
        subject=subject,
        sequence=sequence,
        correlationid=correlation_id,
        causationid=causation_id,
        data=payload.model_dump(mode="json"),
    )
