"""Consumed-event handlers keyed by contract class, each typed to its own event.

A service registers ``registry.on(CertificateRevokedV1)(handler)``, or uses ``on`` as a
decorator (up to three contracts for one handler of their union); mypy then checks that
the handler accepts that event, so handlers need no ``assert isinstance``. The consumer
runner decodes a message with the class its handler was registered for and dispatches
through the registry.

The registry is also a read-only ``Mapping[str, Handler]`` from CloudEvents type to handler,
so code that looks handlers up by type (tests, the fault suite) keeps working.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, overload

from ocop_shared.contracts.envelope import Envelope, EventData
from ocop_shared.contracts.registry import decode_as
from ocop_shared.messaging.outbox import Outbox
from ocop_shared.mongo import Database, Session

E = TypeVar("E", bound=EventData)
E2 = TypeVar("E2", bound=EventData)
E3 = TypeVar("E3", bound=EventData)


@dataclass(frozen=True)
class MessageContext:
    """What a handler gets besides the decoded event: the session to write with."""

    envelope: Envelope
    session: Session
    db: Database
    outbox: Outbox


Handler = Callable[[EventData, MessageContext], Awaitable[None]]
"""A handler of any event, as the runner calls it."""

EventHandler = Callable[[E, MessageContext], Awaitable[None]]
"""A handler of one contract: ``async def f(event: CertificateRevokedV1, ctx) -> None``."""


class UnhandledEventError(LookupError):
    """Dispatch of an event type nothing is registered for."""


@dataclass(frozen=True)
class _Route(Generic[E]):
    contract: type[E]
    handler: EventHandler[E]

    def decode(self, envelope: Envelope) -> EventData:
        return decode_as(self.contract, envelope)

    async def __call__(self, event: EventData, context: MessageContext) -> None:
        if not isinstance(event, self.contract):
            raise TypeError(f"{type(event).__name__} given to a handler of {self.contract}")
        await self.handler(event, context)


class HandlerRegistry(Mapping[str, Handler]):
    """Which handler applies each consumed contract; one handler per contract."""

    def __init__(self) -> None:
        self._routes: dict[str, _Route[Any]] = {}

    @overload
    def on(self, contract: type[E], /) -> Callable[[EventHandler[E]], EventHandler[E]]: ...

    @overload
    def on(
        self, contract: type[E], second: type[E2], /
    ) -> Callable[[EventHandler[E | E2]], EventHandler[E | E2]]: ...

    @overload
    def on(
        self, contract: type[E], second: type[E2], third: type[E3], /
    ) -> Callable[[EventHandler[E | E2 | E3]], EventHandler[E | E2 | E3]]: ...

    def on(self, *contracts: type[EventData]) -> Callable[[Any], Any]:
        """Register the decorated handler for each of `contracts`; returns it unchanged.

        With several contracts the handler's event parameter is their union
        (``event: ProductPublishedV1 | ProductUpdatedV1``); mypy checks it either way.
        """

        def register(handler: EventHandler[Any]) -> EventHandler[Any]:
            for contract in contracts:
                self.add(contract, handler)
            return handler

        return register

    def add(self, contract: type[E], handler: EventHandler[E]) -> None:
        """Register `handler` for `contract` (what `on` does, without the decorator)."""
        if contract.event_type in self._routes:
            raise ValueError(f"a handler is already registered for {contract.event_type}")
        self._routes[contract.event_type] = _Route(contract, handler)

    def contract(self, event_type: str) -> type[EventData]:
        """The class a message of `event_type` is decoded as."""
        return self._route(event_type).contract

    def decode(self, envelope: Envelope) -> EventData:
        """Decode tolerantly as the registered class (unknown fields are dropped).

        Raises `UnhandledEventError` for a type nothing handles, pydantic's
        `ValidationError` or `UnknownEventTypeError` for data that cannot be decoded.
        """
        return self._route(envelope.type).decode(envelope)

    async def dispatch(self, event: EventData, context: MessageContext) -> None:
        await self._route(type(event).event_type)(event, context)

    def _route(self, event_type: str) -> _Route[Any]:
        route = self._routes.get(event_type)
        if route is None:
            raise UnhandledEventError(event_type)
        return route

    def __getitem__(self, event_type: str) -> Handler:
        return self._routes[event_type]

    def __iter__(self) -> Iterator[str]:
        return iter(self._routes)

    def __len__(self) -> int:
        return len(self._routes)


__all__ = [
    "EventHandler",
    "Handler",
    "HandlerRegistry",
    "MessageContext",
    "UnhandledEventError",
]
