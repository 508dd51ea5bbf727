"""The whole platform as separate processes (4 APIs, 4 relays, 3 consumers) on the test
servers, so fault tests can SIGKILL any of them, the broker or the database, and then check
the delivery guarantees from the outside: every event that left an outbox reached every
consumer group that handles it exactly once in effect, nothing is stuck, nothing dead-lettered.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import pytest_asyncio
from aiokafka import AIOKafkaConsumer, TopicPartition

from ocop_catalog.config import CatalogSettings
from ocop_catalog.entrypoints import consumer as catalog_consumer
from ocop_catalog.service_layer.consumed import CatalogueHandlers
from ocop_certification.config import CertificationSettings
from ocop_events.config import EventsSettings
from ocop_events.entrypoints import consumer as events_consumer
from ocop_events.service_layer.consumed import HANDLERS as EVENTS_HANDLERS
from ocop_orders.config import OrdersSettings
from ocop_orders.entrypoints import consumer as orders_consumer
from ocop_orders.service_layer.consumed import OrdersHandlers
from ocop_platform.infra import Endpoints
from ocop_platform.testing.live import (
    LiveProcess,
    api_process,
    running,
    service_env,
    worker_process,
)
from ocop_platform.testing.support import isolated_settings, new_run_id
from ocop_shared.mongo import Client, create_client
from ocop_shared.settings import ServiceSettings
from ocop_shared.timeutil import today_in_vietnam

ROOT = Path(__file__).resolve().parents[2]


def _e2e() -> Any:
    """The end-to-end test's small API clients (Certification, Catalogue, Till, Fair)."""
    path = ROOT / "tests/e2e/test_revocation_reaches_every_service.py"
    spec = importlib.util.spec_from_file_location("e2e_revocation_clients", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


E2E = _e2e()


def _partners() -> Any:
    """tests/faults/partners.py (the Viettel Post fake, a shop client over HTTP)."""
    path = ROOT / "tests/faults/partners.py"
    spec = importlib.util.spec_from_file_location("fault_partners", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


PARTNERS = _partners()


@dataclass
class Consumes:
    """What one consumer group reads and which event types it applies."""

    group: str
    topics: list[str]
    types: set[str]


@dataclass
class Platform:
    settings: dict[str, ServiceSettings]
    apis: dict[str, LiveProcess]
    relays: dict[str, LiveProcess]
    consumers: dict[str, LiveProcess]
    clients: dict[str, httpx.AsyncClient]
    mongo: Client
    certification: Any = None
    catalogue: Any = None
    till: Any = None
    consumes: dict[str, Consumes] = field(default_factory=dict)

    def db(self, service: str) -> Any:
        return self.mongo[self.settings[service].mongodb_database]

    async def certified_product(self, n: str) -> tuple[str, str]:
        """A registered product with an active certificate: (product id, certificate id)."""
        producer = await self.certification.register_producer(f"HTX thử lỗi {n}")
        product = await self.certification.register_product(producer, f"Sản phẩm {n}")
        certificate = await self.certification.issue(
            product, stars=3, decision=f"{n}/QĐ", on=today_in_vietnam() - timedelta(days=10)
        )
        return product, certificate


async def _all_records(bootstrap: str, topics: list[str]) -> list[Any]:
    """Every record now on the topics, from the beginning (no group, nothing committed)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [
            TopicPartition(t, p) for t in topics for p in consumer.partitions_for_topic(t) or ()
        ]
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = [
                TopicPartition(t, p) for t in topics for p in consumer.partitions_for_topic(t) or ()
            ]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        records: list[Any] = []
        async with asyncio.timeout(60):
            while [tp for tp, end in ends.items() if await consumer.position(tp) < end]:
                for batch in (await consumer.getmany(timeout_ms=500)).values():
                    records.extend(batch)
        return records
    finally:
        await consumer.stop()


@dataclass
class DeliveryAudit:
    """Where each event is; empty ``problems`` means every guarantee held."""

    problems: list[str]
    events_on_topics: int
    duplicates_on_topics: int
    applied: int


async def audit_delivery(platform: Platform) -> DeliveryAudit:
    """Outboxes drained and each record on its topic; every handled event applied once by
    every group (inbox == handled events on its topics); no dead letters."""
    problems: list[str] = []
    bootstrap = next(iter(platform.settings.values())).kafka_bootstrap_servers
    topics = sorted({t for c in platform.consumes.values() for t in c.topics})
    records = await _all_records(bootstrap, topics)
    ids_on_topics: dict[str, list[tuple[str, str]]] = {}
    for record in records:
        try:
            envelope = json.loads(record.value)
        except (TypeError, ValueError):
            continue
        ids_on_topics.setdefault(str(envelope["id"]), []).append((record.topic, envelope["type"]))
    duplicates = sum(len(v) - 1 for v in ids_on_topics.values())
    for service in platform.settings:
        outbox = platform.db(service)["outbox"]
        pending = await outbox.count_documents({"sent_at": None})
        if pending:
            problems.append(f"{service}: {pending} outbox records not published")
        async for doc in outbox.find({"topic": {"$in": topics}}, {"_id": 1}):
            if doc["_id"] not in ids_on_topics:
                problems.append(f"{service}: outbox record {doc['_id']} marked sent, not on topic")
        letters = await platform.db(service)["dead_letters"].count_documents({})
        if letters:
            problems.append(f"{service}: {letters} dead letters")
    applied = 0
    for service, consumes in platform.consumes.items():
        expected = {
            f"{consumes.group}:{event_id}"
            for event_id, seen in ids_on_topics.items()
            if any(t in consumes.topics and kind in consumes.types for t, kind in seen)
        }
        inbox = platform.db(service)["inbox"]
        actual = {d["_id"] async for d in inbox.find({"_id": {"$regex": f"^{consumes.group}:"}})}
        applied += len(actual)
        if expected - actual:
            problems.append(f"{service}: {len(expected - actual)} events never applied")
        if actual - expected:
            problems.append(f"{service}: {len(actual - expected)} applied events not on topics")
    return DeliveryAudit(problems, len(ids_on_topics), duplicates, applied)


async def settled(
    platform: Platform,
    *,
    timeout_s: float = 120.0,
    extra: Callable[[], Awaitable[bool]] | None = None,
) -> tuple[float, DeliveryAudit]:
    """Wait until the audit finds nothing wrong (and ``extra`` holds); seconds it took."""
    started = time.monotonic()
    audit = await audit_delivery(platform)
    while audit.problems or (extra is not None and not await extra()):
        if time.monotonic() - started > timeout_s:
            raise AssertionError(f"not settled in {timeout_s} s: {audit.problems}")
        await asyncio.sleep(0.5)
        audit = await audit_delivery(platform)
    return time.monotonic() - started, audit


def _env(settings: ServiceSettings, service: str) -> dict[str, str]:
    prefix = f"{service.upper()}_"
    return {**service_env(settings, prefix), f"{prefix}RELAY_LEASE_S": "3"}


@pytest_asyncio.fixture
async def platform(
    infra: Endpoints, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Platform]:
    common = {
        "kafka": infra.kafka_bootstrap_servers,
        "mongodb": infra.mongodb_uri,
        "run_id": new_run_id(),
    }
    settings: dict[str, ServiceSettings] = {
        "certification": isolated_settings(CertificationSettings, **common),
        "catalog": isolated_settings(CatalogSettings, **common),
        "orders": isolated_settings(OrdersSettings, **common),
        "events": isolated_settings(EventsSettings, **common),
    }
    logs = tmp_path_factory.mktemp("fault-logs")
    apis = {s: api_process(s, _env(cfg, s), log_dir=logs) for s, cfg in settings.items()}
    relays = {
        s: worker_process(s, "relay", _env(cfg, s), log_dir=logs) for s, cfg in settings.items()
    }
    consumers = {
        s: worker_process(s, "consumer", _env(settings[s], s), log_dir=logs)
        for s in ("catalog", "orders", "events")
    }
    mongo = create_client(infra.mongodb_uri, app_name="fault-tests")
    catalog_settings = settings["catalog"]
    orders_settings = settings["orders"]
    events_settings = settings["events"]
    assert isinstance(catalog_settings, CatalogSettings)
    assert isinstance(orders_settings, OrdersSettings)
    assert isinstance(events_settings, EventsSettings)
    consumes = {
        "catalog": Consumes(
            catalog_settings.consumer_group,
            catalog_consumer.topics(catalog_settings),
            set(CatalogueHandlers(catalog_settings.channel_policies()).handlers()),
        ),
        "orders": Consumes(
            orders_settings.consumer_group,
            orders_consumer.topics(orders_settings),
            set(OrdersHandlers(orders_settings).handlers()),
        ),
        "events": Consumes(
            events_settings.consumer_group,
            events_consumer.topics(events_settings),
            set(EVENTS_HANDLERS),
        ),
    }
    try:
        with running(*apis.values(), *relays.values(), *consumers.values()):
            clients = {s: httpx.AsyncClient(base_url=p.url, timeout=30) for s, p in apis.items()}
            cert = settings["certification"]
            assert isinstance(cert, CertificationSettings)
            result = Platform(settings, apis, relays, consumers, clients, mongo, consumes=consumes)
            result.certification = E2E.Certification(clients["certification"], cert)
            result.catalogue = E2E.Catalogue(clients["catalog"])
            result.till = E2E.Till(clients["orders"], orders_settings)
            try:
                yield result
            finally:
                for client in clients.values():
                    await client.aclose()
    finally:
        for cfg in settings.values():
            await mongo.drop_database(cfg.mongodb_database)
        await mongo.close()


@dataclass
class Load:
    """Steady traffic across services: till sales and certificates issued and revoked."""

    platform: Platform
    sale_products: list[str]
    acknowledged_sales: list[str] = field(default_factory=list)
    refused_sales: list[int] = field(default_factory=list)
    certified: dict[str, str] = field(default_factory=dict)  # product → certificate (active)
    revoked: set[str] = field(default_factory=set)
    write_errors: list[str] = field(default_factory=list)
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def sales(self, per_second: float = 8.0) -> None:
        n = 0
        while not self.stop.is_set():
            product = self.sale_products[n % len(self.sale_products)]
            await self._sell_until_answered(product, uuid.uuid4().hex)
            n += 1
            await asyncio.sleep(1 / per_second)

    async def _sell_until_answered(self, product: str, key: str) -> None:
        """A till that lost the answer (timeout, 503) retries with the same Idempotency-Key,
        as the real one does: the sale happens once whatever the outcome of each attempt."""
        for _ in range(40):
            try:
                response = await self.platform.till.sell(product, 1, key=key)
            except httpx.HTTPError as exc:
                self.write_errors.append(repr(exc))
            else:
                if response.status_code == 201:
                    self.acknowledged_sales.append(response.json()["id"])
                    return
                self.refused_sales.append(response.status_code)
                if response.status_code != 503:
                    return
            await asyncio.sleep(0.5)

    async def certificates(self, per_second: float = 1.0) -> None:
        n = 0
        while not self.stop.is_set():
            try:
                if n % 3 == 2 and self.certified:  # every third step revokes one
                    product, certificate = next(iter(self.certified.items()))
                    del self.certified[product]  # outcome unknown until the answer comes
                    await self.platform.certification.revoke(
                        certificate, reason="Thử lỗi", on=today_in_vietnam()
                    )
                    self.revoked.add(product)
                else:
                    product, certificate = await self.platform.certified_product(
                        f"load-{uuid.uuid4().hex[:6]}"
                    )
                    self.certified[product] = certificate
            except (httpx.HTTPError, AssertionError) as exc:
                self.write_errors.append(repr(exc))
            n += 1
            await asyncio.sleep(1 / per_second)

    async def catalogue_agrees(self) -> bool:
        """The catalogue shows every certificate state the load left behind."""
        for product in list(self.certified):
            view = await self.platform.catalogue.product(product)
            if not view or view["certificate_status"] != "active":
                return False
        for product in list(self.revoked):
            view = await self.platform.catalogue.product(product)
            if not view or view["certificate_status"] != "revoked":
                return False
        return True


async def prepared_load(platform: Platform, products: int = 3) -> Load:
    """Certified products on a showroom's shelves, ready to be sold."""
    ids = [(await platform.certified_product(f"ban-{i}"))[0] for i in range(products)]
    await platform.till.open_showroom(f"F{uuid.uuid4().hex[:4].upper()}")
    for product in ids:
        await E2E.soon(lambda p=product: platform.till.view(p), lambda v: bool(v and v["sellable"]))
        await platform.till.receive(product, 10_000, lot=f"L-{product}")
    return Load(platform, ids)


async def shelf_agrees_with_sales(load: Load) -> None:
    """Every acknowledged sale is in the ledger once: stock went down by exactly that much."""
    till = load.platform.till
    sold = 0
    for product in load.sale_products:
        balance = await till.balance(product)
        sold += 10_000 - balance["available"] - balance.get("quarantined", 0)
    assert sold == len(load.acknowledged_sales), (sold, len(load.acknowledged_sales))
    response = await till.client.get(
        f"/api/v1/showrooms/{till.showroom_id}/audit", headers=till.operator
    )
    assert response.json()["consistent"] is True, response.text


@pytest.fixture
def faults() -> SimpleNamespace:
    """The helpers above, for test modules (conftest modules are not importable by name)."""
    return SimpleNamespace(
        prepared_load=prepared_load,
        settled=settled,
        shelf_agrees_with_sales=shelf_agrees_with_sales,
        audit_delivery=audit_delivery,
        audit_journal=audit_journal,
    )


# -- partner connectors: the orders API and the connectors worker as processes, the partner
# fakes as real HTTP servers in the test's event loop (so a test can switch their modes and
# read what they received) ---------------------------------------------------------------


@dataclass
class ConnectorPlatform:
    """Orders API + connectors worker (processes) calling fake Postmart and Voso."""

    settings: OrdersSettings
    api: LiveProcess
    connectors: LiveProcess
    client: httpx.AsyncClient
    mongo: Client
    fakes: dict[str, Any]
    carrier: Any

    @property
    def db(self) -> Any:
        return self.mongo[self.settings.mongodb_database]

    @property
    def shop(self) -> Any:
        return PARTNERS.Shop(self.client, self.settings, self.db)


CONNECTOR_SETTINGS: dict[str, Any] = {
    # Small on purpose: three attempts ~0.05/0.1/0.2 s apart, a client timeout of 1 s.
    "outbound_max_attempts": 3,
    "outbound_backoff_base_s": 0.05,
    "outbound_backoff_cap_s": 0.3,
    "outbound_poll_interval_s": 0.05,
    "outbound_timeout_s": 1.0,
    "outbound_lease_s": 5.0,
}


def _connector_env(settings: OrdersSettings) -> dict[str, str]:
    env = _env(settings, "orders")
    for name, value in CONNECTOR_SETTINGS.items():
        env[f"ORDERS_{name.upper()}"] = str(value)
    env["ORDERS_POSTMART_BASE_URL"] = settings.postmart_base_url
    env["ORDERS_VOSO_BASE_URL"] = settings.voso_base_url
    return env


@pytest_asyncio.fixture
async def connector_platform(
    infra: Endpoints, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[ConnectorPlatform]:
    from ocop_platform.stand_ins.marketplace import running_marketplace

    async with (
        running_marketplace("postmart") as postmart,
        running_marketplace("voso") as voso,
        PARTNERS.running_viettelpost() as carrier,
    ):
        settings = isolated_settings(
            OrdersSettings,
            kafka=infra.kafka_bootstrap_servers,
            mongodb=infra.mongodb_uri,
            run_id=new_run_id(),
            postmart_base_url=postmart.base_url,
            voso_base_url=voso.base_url,
            **CONNECTOR_SETTINGS,
        )
        logs = tmp_path_factory.mktemp("connector-logs")
        env = {**_connector_env(settings), **PARTNERS.viettelpost_env(carrier.url)}
        api = api_process("orders", env, log_dir=logs)
        connectors = worker_process("orders", "connectors", env, log_dir=logs)
        mongo = create_client(infra.mongodb_uri, app_name="connector-fault-tests")
        try:
            with running(api, connectors):
                async with httpx.AsyncClient(base_url=api.url, timeout=30) as client:
                    yield ConnectorPlatform(
                        settings,
                        api,
                        connectors,
                        client,
                        mongo,
                        {"postmart": postmart, "voso": voso},
                        carrier,
                    )
        finally:
            await mongo.drop_database(settings.mongodb_database)
            await mongo.close()


@dataclass
class JournalAudit:
    """The outbound call journal's invariant: every call ended (succeeded or parked)."""

    problems: list[str]
    succeeded: int
    parked: int


async def audit_journal(db: Any, *, parked_allowed: bool = False) -> JournalAudit:
    """Every journalled call either succeeded (its last attempt answered 2xx) or is parked
    after its attempts (none pending, none lost between the two); ``parked_allowed`` False
    means everything must have succeeded."""
    problems: list[str] = []
    succeeded = parked = 0
    async for call in db["outbound_calls"].find({}):
        outcome = call.get("outcome")
        attempts = call.get("attempts") or []
        if outcome == "succeeded":
            succeeded += 1
            last = attempts[-1] if attempts else {}
            if not (200 <= int(last.get("status_code") or 0) < 300):
                problems.append(f"call {call['_id']} succeeded without a 2xx attempt")
        elif outcome == "parked":
            parked += 1
            if not parked_allowed:
                problems.append(f"call {call['_id']} parked: {call.get('last_error')}")
            if not attempts:
                problems.append(f"call {call['_id']} parked without an attempt")
        else:
            problems.append(f"call {call['_id']} still {outcome}")
    return JournalAudit(problems, succeeded, parked)
