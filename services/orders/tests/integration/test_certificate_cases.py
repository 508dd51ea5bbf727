"""The shared certificate cases (stale, sequence-less, identity) through orders' own
handlers, each in a real transaction on the real database, as the consumer applies them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from ocop_orders.adapters.repository import OrdersRepository, ensure_indexes
from ocop_orders.service_layer.consumed import OrdersHandlers
from ocop_shared.certificate_cases import CASES, Sent
from ocop_shared.messaging.handlers import HandlerRegistry, MessageContext
from ocop_shared.mongo import Session, in_transaction
from ocop_shared.runtime import ServiceRuntime, ensure_messaging_indexes, open_runtime

from .conftest import Shop

pytestmark = pytest.mark.integration


@pytest_asyncio.fixture
async def runtime(shop: Shop) -> AsyncIterator[ServiceRuntime]:
    runtime = await open_runtime(shop.settings)
    await ensure_messaging_indexes(runtime.db)
    await ensure_indexes(runtime.db)
    try:
        yield runtime
    finally:
        await runtime.close()


async def apply(runtime: ServiceRuntime, registry: HandlerRegistry, sent: Sent) -> None:
    envelope = sent.envelope()

    async def work(session: Session) -> None:
        context = MessageContext(envelope, session, runtime.db, runtime.outbox)
        await registry.dispatch(sent.event, context)

    await in_transaction(runtime.client, work)


async def test_stale_and_sequence_less_certificate_events_follow_the_shared_rule(
    shop: Shop, runtime: ServiceRuntime
) -> None:
    registry = OrdersHandlers(shop.settings, shop.clock).handlers()
    repository = OrdersRepository(runtime.db)
    for number, shared in enumerate(CASES):
        case = shared.for_product(f"sp-case-{number}")
        for sent in (*case.history, case.last):
            await apply(runtime, registry, sent)

        product = await repository.find_product(case.last.event.product_id)
        assert product is not None, case.name
        cert = product.certificate
        assert cert is not None, case.name  # an end never seen issued still blocks sales
        assert (cert.certificate_id, cert.status) == (case.certificate_id, case.status), case.name
        assert (cert.expiry_reminder_on is not None) is case.reminded, case.name
        assert product.certificate_sequence == case.version, case.name


async def test_an_ignored_revocation_leaves_the_product_and_its_version_untouched(
    shop: Shop, runtime: ServiceRuntime
) -> None:
    registry = OrdersHandlers(shop.settings, shop.clock).handlers()
    stale = next(c for c in CASES if c.name == "an older revocation is stale")
    case = stale.for_product("sp-stale")
    for sent in case.history:
        await apply(runtime, registry, sent)
    repository = OrdersRepository(runtime.db)
    before = await repository.find_product("sp-stale")
    assert before is not None
    await apply(runtime, registry, case.last)
    await apply(runtime, registry, Sent(case.last.event, None))  # and without a sequence
    assert await repository.find_product("sp-stale") == before
