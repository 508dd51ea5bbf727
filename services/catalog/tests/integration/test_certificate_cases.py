"""The shared certificate cases (stale, sequence-less, identity) through the catalogue's own
handlers, each in a real transaction on the real database, as the consumer applies them."""

from __future__ import annotations

import pytest

from ocop_catalog.adapters.repository import CatalogRepository
from ocop_catalog.service_layer.consumed import CatalogueHandlers
from ocop_shared.certificate_cases import CASES, Sent
from ocop_shared.messaging.handlers import HandlerRegistry, MessageContext
from ocop_shared.mongo import Session, in_transaction

from .conftest import CatalogApp

pytestmark = pytest.mark.integration


async def apply(app: CatalogApp, registry: HandlerRegistry, sent: Sent) -> None:
    runtime = app.runtime
    envelope = sent.envelope()

    async def work(session: Session) -> None:
        context = MessageContext(envelope, session, runtime.db, runtime.outbox)
        await registry.dispatch(sent.event, context)

    await in_transaction(runtime.client, work)


async def test_stale_and_sequence_less_certificate_events_follow_the_shared_rule(
    catalog_app: CatalogApp,
) -> None:
    registry = CatalogueHandlers().handlers()
    repository = CatalogRepository(catalog_app.runtime.db)
    for number, shared in enumerate(CASES):
        case = shared.for_product(f"sp-case-{number}")
        for sent in case.history:
            await apply(catalog_app, registry, sent)
        await apply(catalog_app, registry, case.last)

        product = await repository.find(case.last.event.product_id)
        assert product is not None, case.name
        cert = product.certificate
        if case.ends_unseen:  # too little to show: no certificate, as before the event
            assert cert is None, case.name
        else:
            assert cert is not None, case.name
            assert (cert.certificate_id, cert.status) == (case.certificate_id, case.status), (
                case.name
            )
            assert (cert.expiry_reminder_on is not None) is case.reminded, case.name
        assert product.certificate_sequence == case.version, case.name


async def test_an_ignored_revocation_leaves_the_product_and_its_version_untouched(
    catalog_app: CatalogApp,
) -> None:
    """The product's listing is untouched by an ignored event: no version bump, no event."""
    registry = CatalogueHandlers().handlers()
    stale = next(c for c in CASES if c.name == "an older revocation is stale")
    case = stale.for_product("sp-stale")
    for sent in case.history:
        await apply(catalog_app, registry, sent)
    repository = CatalogRepository(catalog_app.runtime.db)
    before = await repository.get("sp-stale")
    await apply(catalog_app, registry, case.last)
    await apply(catalog_app, registry, Sent(case.last.event, None))  # and without a sequence
    assert await repository.get("sp-stale") == before
