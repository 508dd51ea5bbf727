"""The README's drawing of the flows between services is the code's topology, no more, no less.

Flows drawn but not built (or built but not drawn) mislead a new engineer more than no drawing;
the AsyncAPI topology (publishers and subscribers read from the code) is the truth.
"""

from __future__ import annotations

import re
from pathlib import Path

from ocop_platform.asyncapi import Worker
from ocop_platform.asyncapi.topology import topology
from ocop_platform.cli.system import SYSTEM, WorkerProcess

README = Path(__file__).resolve().parents[3] / "README.md"
SERVICES = ("certification", "catalog", "orders", "events")


def drawn_flows() -> set[tuple[str, str]]:
    text = README.read_text(encoding="utf-8")
    drawing = text.split("## How it fits together", 1)[1].split("```", 2)[1]
    flows: set[tuple[str, str]] = set()
    source = ""
    for line in drawing.splitlines():
        first = line.strip().split(" ", 1)[0].strip("─")
        if first in SERVICES:
            source = first
        if "▶" not in line:
            continue
        targets = line.split("▶", 1)[1].split("(", 1)[0]
        for target in re.findall(r"[a-z]+", targets):
            flows.add((source, target))
    return flows


def built_flows() -> set[tuple[str, str]]:
    workers = [Worker(c.name, c.module) for c in SYSTEM if isinstance(c, WorkerProcess)]
    return {
        (topic.service, subscriber.split("-", 1)[0])
        for topic in topology(workers)
        for subscriber in topic.subscribers
    }


def test_the_readme_draws_exactly_the_flows_the_code_builds() -> None:
    assert drawn_flows() == built_flows()
