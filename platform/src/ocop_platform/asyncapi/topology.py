"""Who publishes and who subscribes to each topic, read from the code itself.

* Topics and their messages come from the contract registry (`registered_types`): each
  contract names its topic; the module it lives in (``ocop_shared.contracts.<service>``)
  names the service that owns and publishes it, through that service's outbox relay.
* Subscribers come from the worker processes (``ocop run``'s SYSTEM): a worker module that
  defines ``topics(settings) -> list[str]`` consumes those topics. So a new consumer or a
  new event type shows up after ``ocop asyncapi export`` without editing this package.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import cast

from ocop_shared.contracts import registered_types
from ocop_shared.contracts.envelope import EventData
from ocop_shared.messaging.dead_letters import dead_letter_topic
from ocop_shared.settings import ServiceSettings


@dataclass(frozen=True)
class Worker:
    """A background process run as ``python -m module`` (relay, consumer, scheduler, …)."""

    name: str
    module: str


@dataclass
class Topic:
    name: str
    service: str
    """The service that owns the topic (its contracts module)."""
    messages: list[type[EventData]] = field(default_factory=list)
    publishers: list[str] = field(default_factory=list)
    subscribers: list[str] = field(default_factory=list)

    @property
    def dead_letter_topic(self) -> str:
        return dead_letter_topic(self.name)


def service_of(model: type[EventData]) -> str:
    """``ocop_shared.contracts.catalog`` → ``catalog``."""
    return model.__module__.rsplit(".", 1)[-1]


def subscribed_topics(worker: Worker) -> list[str]:
    """The topics a worker consumes (its module's ``topics(settings)``), unprefixed."""
    module = importlib.import_module(worker.module)
    topics = getattr(module, "topics", None)
    if not callable(topics):
        return []
    # Unvalidated on purpose: only `topic()` is used, and the environment (a production
    # OCOP_ENVIRONMENT, a test's topic prefix) must not change the document.
    settings = ServiceSettings.model_construct(topic_prefix="")
    return sorted(set(cast(Callable[[ServiceSettings], list[str]], topics)(settings)))


def topology(workers: Iterable[Worker]) -> list[Topic]:
    """Every topic of the registry, sorted by name, with its publishers and subscribers."""
    workers = list(workers)
    names = {w.name for w in workers}
    topics: dict[str, Topic] = {}
    for model in registered_types().values():
        service = service_of(model)
        topic = topics.setdefault(model.topic, Topic(model.topic, service))
        topic.messages.append(model)
        relay = f"{service}-relay"
        publisher = relay if relay in names else service
        if publisher not in topic.publishers:
            topic.publishers.append(publisher)
    for worker in workers:
        for name in subscribed_topics(worker):
            if name not in topics:
                raise ValueError(f"{worker.name} consumes {name}, which no contract publishes")
            topics[name].subscribers.append(worker.name)
    for topic in topics.values():
        topic.messages.sort(key=lambda m: m.event_type)
        topic.subscribers.sort()
    return [topics[name] for name in sorted(topics)]
