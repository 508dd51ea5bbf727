"""Fair results per event, producer, product and product group, and the deal pipeline.

Two sources: sales rung up at fair booths (the orders service's sale events) and what each
participant reports afterwards (sales not rung up on the POS, visitors, contracts signed).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, computed_field

from ocop_events.domain.matching_model import Match, MatchStage
from ocop_events.domain.model import ProductSnapshot, TradeEvent

UNKNOWN_GROUP = "khác"


class EventResult(BaseModel):
    event_id: str
    event_name: str
    kind: str
    pos_sales_vnd: int = 0
    reported_sales_vnd: int = 0
    visitors: int = 0
    contracts_signed: int = 0
    contracts_value_vnd: int = 0
    deals_signed: int = 0
    deals_value_vnd: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def revenue_vnd(self) -> int:
        return self.pos_sales_vnd + self.reported_sales_vnd


class ProducerResult(BaseModel):
    event_id: str
    producer_id: str
    pos_sales_vnd: int = 0
    reported_sales_vnd: int = 0
    visitors: int = 0
    contracts_signed: int = 0
    contracts_value_vnd: int = 0


class ProductResult(BaseModel):
    event_id: str
    product_id: str
    product_name: str
    group_code: str
    quantity: int = 0
    sales_vnd: int = 0


class Results(BaseModel):
    events: list[EventResult]
    producers: list[ProducerResult]
    products: list[ProductResult]
    revenue_by_group: dict[str, int]
    deals_by_stage: dict[str, int]
    deal_value_vnd: int


def summarise(
    events: Iterable[TradeEvent],
    sales: Iterable[dict[str, Any]],
    reports: Iterable[dict[str, Any]],
    matches: Iterable[Match],
    products: dict[str, ProductSnapshot],
) -> Results:
    by_event = {
        e.id: EventResult(event_id=e.id, event_name=e.name, kind=e.kind.value) for e in events
    }
    by_producer: dict[tuple[str, str], ProducerResult] = {}
    by_product: dict[tuple[str, str], ProductResult] = {}
    by_group: Counter[str] = Counter()

    def producer(event_id: str, producer_id: str) -> ProducerResult:
        key = (event_id, producer_id)
        if key not in by_producer:
            by_producer[key] = ProducerResult(event_id=event_id, producer_id=producer_id)
        return by_producer[key]

    for sale in sales:
        event = by_event.get(sale["event_id"])
        if event is None:
            continue
        event.pos_sales_vnd += int(sale["total_vnd"])
        for line in sale["lines"]:
            total = int(line["total_vnd"])
            producer(event.event_id, line["producer_id"]).pos_sales_vnd += total
            snapshot = products.get(line["product_id"])
            group = (snapshot.group_code if snapshot else None) or UNKNOWN_GROUP
            key = (event.event_id, line["product_id"])
            if key not in by_product:
                by_product[key] = ProductResult(
                    event_id=event.event_id,
                    product_id=line["product_id"],
                    product_name=snapshot.name if snapshot else line["product_id"],
                    group_code=group,
                )
            by_product[key].quantity += int(line["quantity"])
            by_product[key].sales_vnd += total
            by_group[group] += total
    for report in reports:
        event = by_event.get(report["event_id"])
        if event is None:
            continue
        row = producer(event.event_id, report["producer_id"])
        for target in (event, row):
            target.reported_sales_vnd += int(report["sales_vnd"])
            target.visitors += int(report.get("visitors", 0))
            target.contracts_signed += int(report.get("contracts_signed", 0))
            target.contracts_value_vnd += int(report.get("contracts_value_vnd", 0))
    stages: Counter[str] = Counter({s.value: 0 for s in MatchStage})
    deal_value = 0
    for match in matches:
        stages[match.stage.value] += 1
        if match.stage is MatchStage.DEAL_SIGNED:
            deal_value += match.deal_value_vnd or 0
            event = by_event.get(match.trade_event_id or "")
            if event is not None:
                event.deals_signed += 1
                event.deals_value_vnd += match.deal_value_vnd or 0
    groups: dict[str, int] = defaultdict(int)
    for group, value in by_group.most_common():
        groups[group] = value
    return Results(
        events=list(by_event.values()),
        producers=sorted(
            by_producer.values(), key=lambda r: -(r.pos_sales_vnd + r.reported_sales_vnd)
        ),
        products=sorted(by_product.values(), key=lambda r: -r.sales_vnd),
        revenue_by_group=dict(groups),
        deals_by_stage=dict(stages),
        deal_value_vnd=deal_value,
    )
