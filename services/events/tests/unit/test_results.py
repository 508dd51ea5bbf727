"""Fair results add POS sales and participants' reports per event, producer, product, group."""

from __future__ import annotations

from datetime import UTC, date, datetime

from ocop_events.domain.matching_model import Match, MatchStage
from ocop_events.domain.model import ProductSnapshot, TradeEvent
from ocop_events.domain.results import summarise
from ocop_shared.contracts.events import TradeEventKind

NOW = datetime(2025, 11, 1, tzinfo=UTC)


def _event(event_id: str) -> TradeEvent:
    return TradeEvent(
        id=event_id,
        kind=TradeEventKind.FAIR,
        name=f"Hội chợ {event_id}",
        venue="Việt Trì",
        province="Phú Thọ",
        organiser="Sở Công Thương",
        starts_on=date(2025, 11, 10),
        ends_on=date(2025, 11, 15),
        registration_opens=date(2025, 10, 1),
        registration_closes=date(2025, 11, 1),
        created_at=NOW,
    )


def _match(stage: MatchStage, value: int | None, event_id: str | None) -> Match:
    return Match(
        id=f"kn-{stage}-{value}",
        demand_id="nc",
        offer_id="cb",
        buyer_id="b",
        buyer_name="Siêu thị",
        producer_id="prd-1",
        producer_name="HTX",
        demand_title="Bưởi",
        offer_title="Bưởi",
        trade_event_id=event_id,
        score=0.9,
        parts=[],
        stage=stage,
        deal_value_vnd=value,
        proposed_at=NOW,
        updated_at=NOW,
    )


def test_results_add_pos_sales_reports_and_deals() -> None:
    products = {
        "sp-buoi": ProductSnapshot(
            id="sp-buoi", producer_id="prd-1", name="Bưởi Đoan Hùng", group_code="food"
        ),
        "sp-che": ProductSnapshot(
            id="sp-che", producer_id="prd-2", name="Chè búp tím", group_code="drink"
        ),
    }
    sales = [
        {
            "event_id": "hc1",
            "total_vnd": 500_000,
            "lines": [
                {
                    "product_id": "sp-buoi",
                    "producer_id": "prd-1",
                    "quantity": 10,
                    "total_vnd": 300_000,
                },
                {
                    "product_id": "sp-che",
                    "producer_id": "prd-2",
                    "quantity": 2,
                    "total_vnd": 200_000,
                },
            ],
        },
        {
            "event_id": "hc1",
            "total_vnd": 90_000,
            "lines": [
                {"product_id": "sp-x", "producer_id": "prd-3", "quantity": 1, "total_vnd": 90_000},
            ],
        },
        {"event_id": "other", "total_vnd": 1, "lines": []},
    ]
    reports = [
        {
            "event_id": "hc1",
            "producer_id": "prd-1",
            "sales_vnd": 1_000_000,
            "visitors": 300,
            "contracts_signed": 1,
            "contracts_value_vnd": 50_000_000,
        }
    ]
    matches = [
        _match(MatchStage.DEAL_SIGNED, 840_000_000, "hc1"),
        _match(MatchStage.PROPOSED, None, None),
        _match(MatchStage.MEETING, None, None),
    ]
    result = summarise([_event("hc1"), _event("hc2")], sales, reports, matches, products)
    first = result.events[0]
    assert (first.pos_sales_vnd, first.reported_sales_vnd, first.revenue_vnd) == (
        590_000,
        1_000_000,
        1_590_000,
    )
    assert (first.visitors, first.deals_signed, first.deals_value_vnd) == (300, 1, 840_000_000)
    assert result.events[1].revenue_vnd == 0
    assert result.producers[0].producer_id == "prd-1"
    assert result.producers[0].pos_sales_vnd + result.producers[0].reported_sales_vnd == 1_300_000
    assert [p.product_id for p in result.products] == ["sp-buoi", "sp-che", "sp-x"]
    assert result.revenue_by_group == {"food": 300_000, "drink": 200_000, "khác": 90_000}
    assert result.deals_by_stage["deal_signed"] == 1
    assert result.deals_by_stage["declined"] == 0
    assert result.deal_value_vnd == 840_000_000
