"""The handler registry: typed registration per contract class, decoding and dispatch."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path
from typing import Any, cast

import pytest
from mypy import api as mypy_api

from ocop_shared.contracts.certification import (
    CertificateExpiredV1,
    CertificateRevokedV1,
    ProductRegisteredV1,
)
from ocop_shared.contracts.envelope import EventData, make_envelope
from ocop_shared.messaging.handlers import (
    HandlerRegistry,
    MessageContext,
    UnhandledEventError,
)

REPO = Path(__file__).resolve().parents[3]

REVOKED = CertificateRevokedV1(
    certificate_id="gcn-1",
    certificate_number="GCN-1",
    product_id="sp-1",
    producer_id="ct-1",
    decision_number="9/QĐ-UBND",
    decision_date=date(2026, 1, 10),
    reason="Vi phạm",
    issuing_authority="UBND tỉnh Phú Thọ",
)
EXPIRED = CertificateExpiredV1(
    certificate_id="gcn-1",
    certificate_number="GCN-1",
    product_id="sp-1",
    producer_id="ct-1",
    expired_on=date(2026, 1, 1),
)


def context_for(data: EventData) -> MessageContext:
    """Handlers under test only read the envelope; the database parts are never touched."""
    envelope = make_envelope(data, source="test", subject="sp-1", sequence=1)
    return MessageContext(envelope, cast(Any, None), cast(Any, None), cast(Any, None))


async def test_each_event_reaches_the_handler_registered_for_its_class() -> None:
    registry = HandlerRegistry()
    seen: list[tuple[str, str]] = []

    @registry.on(CertificateRevokedV1)
    async def on_revoked(event: CertificateRevokedV1, context: MessageContext) -> None:
        seen.append(("revoked", event.reason))  # typed: no isinstance needed

    @registry.on(CertificateExpiredV1)
    async def on_expired(event: CertificateExpiredV1, context: MessageContext) -> None:
        seen.append(("expired", event.expired_on.isoformat()))

    await registry.dispatch(REVOKED, context_for(REVOKED))
    await registry.dispatch(EXPIRED, context_for(EXPIRED))
    await registry[CertificateRevokedV1.event_type](REVOKED, context_for(REVOKED))

    assert seen == [("revoked", "Vi phạm"), ("expired", "2026-01-01"), ("revoked", "Vi phạm")]
    assert set(registry) == {CertificateRevokedV1.event_type, CertificateExpiredV1.event_type}
    assert registry.contract(CertificateExpiredV1.event_type) is CertificateExpiredV1


async def test_one_handler_of_a_union_takes_several_contracts() -> None:
    registry = HandlerRegistry()
    seen: list[str] = []

    @registry.on(CertificateRevokedV1, CertificateExpiredV1)
    async def on_ended(
        event: CertificateRevokedV1 | CertificateExpiredV1, context: MessageContext
    ) -> None:
        seen.append(type(event).__name__)

    await registry.dispatch(EXPIRED, context_for(EXPIRED))
    await registry.dispatch(REVOKED, context_for(REVOKED))
    assert seen == ["CertificateExpiredV1", "CertificateRevokedV1"]


async def test_an_unknown_type_is_not_handled_and_a_wrong_class_is_refused() -> None:
    registry = HandlerRegistry()

    @registry.on(CertificateRevokedV1)
    async def on_revoked(event: CertificateRevokedV1, context: MessageContext) -> None:
        raise AssertionError("must not be called")

    assert ProductRegisteredV1.event_type not in registry
    product = ProductRegisteredV1(
        product_id="sp-1",
        producer_id="ct-1",
        name="Bưởi",
        group_code="food",
        province="Phú Thọ",
        commune="Chí Đám",
    )
    with pytest.raises(UnhandledEventError):
        await registry.dispatch(product, context_for(product))
    with pytest.raises(UnhandledEventError):
        registry.decode(make_envelope(product, source="t", subject="sp-1"))
    with pytest.raises(TypeError):  # a mapping lookup cannot smuggle another class in
        await registry[CertificateRevokedV1.event_type](EXPIRED, context_for(EXPIRED))


def test_one_handler_per_contract() -> None:
    registry = HandlerRegistry()

    async def first(event: CertificateRevokedV1, context: MessageContext) -> None: ...

    registry.add(CertificateRevokedV1, first)
    with pytest.raises(ValueError, match="already registered"):
        registry.add(CertificateRevokedV1, first)


def test_messages_are_decoded_tolerantly_as_the_registered_class() -> None:
    registry = HandlerRegistry()

    async def on_revoked(event: CertificateRevokedV1, context: MessageContext) -> None: ...

    registry.add(CertificateRevokedV1, on_revoked)
    envelope = make_envelope(REVOKED, source="t", subject="sp-1", sequence=3)
    newer = envelope.model_copy(update={"data": {**envelope.data, "added_in_v1_9": "x"}})
    assert registry.decode(newer) == REVOKED


def test_mypy_refuses_a_handler_registered_for_another_contract(tmp_path: Path) -> None:
    source = tmp_path / "wrong_handler.py"
    source.write_text(
        textwrap.dedent(
            """
            from ocop_shared.contracts.certification import (
                CertificateExpiredV1,
                CertificateRevokedV1,
            )
            from ocop_shared.messaging.handlers import HandlerRegistry, MessageContext

            registry = HandlerRegistry()

            async def on_revoked(event: CertificateRevokedV1, context: MessageContext) -> None:
                print(event.reason)

            registry.on(CertificateRevokedV1)(on_revoked)  # fine
            registry.on(CertificateExpiredV1)(on_revoked)  # wrong class: an error
            registry.add(CertificateExpiredV1, on_revoked)  # the same, without the decorator
            registry.on(CertificateRevokedV1, CertificateExpiredV1)(on_revoked)  # not the union

            @registry.on(CertificateRevokedV1, CertificateExpiredV1)
            async def on_ended(
                event: CertificateRevokedV1 | CertificateExpiredV1, context: MessageContext
            ) -> None:
                print(event.certificate_id)  # fine: the union
            """
        )
    )
    stdout, _, status = mypy_api.run(
        [
            "--strict",
            "--config-file",
            str(REPO / "pyproject.toml"),
            "--cache-dir",
            str(REPO / ".mypy_cache"),
            str(source),
        ]
    )
    errors = [line for line in stdout.splitlines() if ": error:" in line]
    assert status == 1, stdout
    assert [int(line.split(":")[1]) for line in errors] == [14, 15, 16], stdout
    assert all("CertificateExpiredV1" in line for line in errors), stdout
