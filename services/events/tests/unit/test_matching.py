"""The matching engine on realistic Vietnamese data: right product, explainable ranking."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import pytest

from ocop_events.domain.matching import OfferIndex, rank, rank_all_pairs
from ocop_events.domain.matching_model import BuyerKind, Demand, MatchStage, Offer, may_move
from ocop_events.domain.provinces import distance_km, province_key

NOW = datetime(2026, 11, 1, tzinfo=UTC)
PHU_THO = "Phú Thọ"


def demand(**kw: Any) -> Demand:
    base: dict[str, Any] = {
        "id": "nc-1",
        "buyer_id": "buyer-1",
        "buyer_name": "Hệ thống siêu thị Xanh Hà Nội",
        "buyer_kind": BuyerKind.SUPERMARKET,
        "title": "Bưởi Đoan Hùng",
        "keywords": "bưởi Đoan Hùng loại 1",
        "group_code": None,
        "monthly_volume_kg": 2000,
        "price_min_vnd": 25_000,
        "price_max_vnd": 40_000,
        "min_stars": 3,
        "standards": ["VietGAP"],
        "delivery_province": "Hà Nội",
        "season_months": [9, 10, 11, 12],
        "created_at": NOW,
    }
    return Demand.model_validate({**base, **kw})


def offer(offer_id: str, title: str, **kw: Any) -> Offer:
    base: dict[str, Any] = {
        "id": offer_id,
        "producer_id": f"prd-{offer_id}",
        "producer_name": f"HTX {title}",
        "title": title,
        "group_code": "food",
        "capacity_kg_per_month": 3000,
        "season_months": [9, 10, 11, 12, 1],
        "price_vnd": 35_000,
        "moq_kg": 200,
        "stars": 4,
        "standards": ["VietGAP"],
        "province": PHU_THO,
        "created_at": NOW,
    }
    return Offer.model_validate({**base, **kw})


POMELO_MARKET = [
    offer("doan-hung-1", "Bưởi Đoan Hùng", keywords="bưởi Bằng Luân"),
    offer("doan-hung-small", "Bưởi Đoan Hùng", capacity_kg_per_month=500, stars=3, standards=[]),
    offer("suu-chi-dam", "Bưởi Sửu Chí Đám", keywords="bưởi Chí Đám"),
    offer("tra-buoi", "Trà bưởi", keywords="trà bưởi Đoan Hùng túi lọc", group_code="drink"),
    offer("ruou-buoi", "Rượu bưởi Đoan Hùng", group_code="drink", season_months=[]),
    offer("keo-buoi", "Kẹo vỏ bưởi Đoan Hùng"),
    offer("cam-sanh", "Cam sành Trung Hà", province="Tuyên Quang"),
    offer("buoi-dien", "Bưởi Diễn", province="Hà Nội", stars=3, standards=[]),
    offer("buoi-2-sao", "Bưởi Đoan Hùng", stars=2),
    offer("buoi-he", "Bưởi Đoan Hùng", season_months=[5, 6, 7]),
]


def test_pomelo_demand_finds_pomelo_growers_not_pomelo_tea_or_liquor() -> None:
    ranked = rank(demand(), OfferIndex(POMELO_MARKET))
    ids = [c.offer.id for c in ranked]
    assert ids[0] == "doan-hung-1"
    assert set(ids) <= {"doan-hung-1", "doan-hung-small", "suu-chi-dam", "buoi-dien"}
    for wrong in ("tra-buoi", "ruou-buoi", "keo-buoi", "cam-sanh"):
        assert wrong not in ids
    # Below the stars asked for, or out of season: not proposed.
    assert "buoi-2-sao" not in ids
    assert "buoi-he" not in ids


def test_doan_hung_ranks_above_other_pomelo_and_small_grower() -> None:
    ranked = {c.offer.id: c.score for c in rank(demand(), OfferIndex(POMELO_MARKET))}
    assert ranked["doan-hung-1"] > ranked["suu-chi-dam"]
    assert ranked["doan-hung-1"] > ranked["doan-hung-small"]


def test_search_is_blind_to_diacritics_and_case() -> None:
    plain = rank(demand(title="BUOI DOAN HUNG", keywords="buoi"), OfferIndex(POMELO_MARKET))
    assert plain[0].offer.id == "doan-hung-1"


def test_tea_demand_finds_tea_not_pomelo_and_tra_equals_che() -> None:
    market = [
        *POMELO_MARKET,
        offer("che-bup-tim", "Chè búp tím", group_code="drink", season_months=[]),
    ]
    ranked = rank(
        demand(title="Trà bưởi túi lọc", keywords="", standards=[], season_months=[]),
        OfferIndex(market),
    )
    ids = [c.offer.id for c in ranked]
    assert ids[0] == "tra-buoi"
    assert not {"doan-hung-1", "suu-chi-dam", "ruou-buoi", "keo-buoi"} & set(ids)
    tea = rank(
        demand(title="Trà búp tím", keywords="", standards=[], season_months=[]),
        OfferIndex(market),
    )
    assert tea[0].offer.id == "che-bup-tim"


def test_every_score_part_is_explained_in_vietnamese() -> None:
    best = rank(demand(), OfferIndex(POMELO_MARKET))[0]
    criteria = [p.criterion for p in best.parts]
    assert criteria == ["text", "volume", "season", "price", "certification", "distance"]
    text = " | ".join(p.explanation for p in best.parts)
    assert "Khớp từ khoá: bưởi, đoan, hùng (3/3)" in text
    assert "3.000 kg/tháng" in text
    assert "tháng 9, 10, 11, 12" in text
    assert "35.000 ₫/kg" in text
    assert "VietGAP có" in text
    assert "Phú Thọ → Hà Nội khoảng" in text
    assert 0 < best.score <= 1
    assert abs(best.score - sum(p.weight * p.score for p in best.parts)) < 0.01


@pytest.mark.parametrize(
    ("change", "worse_than_base"),
    [
        ({"capacity_kg_per_month": 1000}, True),
        ({"moq_kg": 5000}, True),
        ({"price_vnd": 48_000}, True),
        ({"stars": 3}, True),
        ({"standards": []}, True),
        ({"province": "Cà Mau"}, True),
        ({"season_months": [12, 1]}, True),
    ],
)
def test_each_criterion_moves_the_score(change: dict[str, Any], worse_than_base: bool) -> None:
    base = offer("base", "Bưởi Đoan Hùng")
    changed = offer("changed", "Bưởi Đoan Hùng", **change)
    scores = {c.offer.id: c.score for c in rank(demand(), OfferIndex([base, changed]))}
    assert (scores["changed"] < scores["base"]) is worse_than_base


def test_price_far_above_the_ceiling_is_not_proposed() -> None:
    ranked = rank(demand(), OfferIndex([offer("dear", "Bưởi Đoan Hùng", price_vnd=70_000)]))
    assert ranked == []


def test_group_mismatch_is_a_gate_when_both_sides_name_a_group() -> None:
    market = [offer("a", "Bưởi Đoan Hùng", group_code="drink")]
    assert rank(demand(group_code="food"), OfferIndex(market)) == []
    assert len(rank(demand(group_code=None), OfferIndex(market))) == 1


def test_closed_offers_are_ignored() -> None:
    assert rank(demand(), OfferIndex([offer("x", "Bưởi Đoan Hùng", open=False)])) == []


def test_index_gives_the_same_ranking_as_scoring_every_pair() -> None:
    rng = random.Random(7)
    products = [
        "Bưởi Đoan Hùng",
        "Bưởi Diễn",
        "Trà bưởi",
        "Chè búp tím",
        "Mì gạo Hùng Lô",
        "Thịt chua Thanh Sơn",
        "Gạo nếp gà gáy",
        "Cam sành Trung Hà",
        "Rượu bưởi",
    ]
    provinces = ["Phú Thọ", "Tuyên Quang", "Hà Nội", "Huế", "TP. Hồ Chí Minh"]
    offers = [
        offer(
            f"o{i}",
            rng.choice(products),
            province=rng.choice(provinces),
            price_vnd=rng.randrange(20_000, 60_000, 1000),
            stars=rng.choice([0, 3, 4, 5]),
            season_months=rng.sample(range(1, 13), rng.randint(0, 6)),
            group_code=None,
        )
        for i in range(300)
    ]
    index = OfferIndex(offers)
    for title in products:
        d = demand(title=title, keywords="", group_code=None, min_stars=0)
        assert rank(d, index, 8) == rank_all_pairs(d, index, 8)


def test_provinces_are_found_with_or_without_prefix_and_diacritics() -> None:
    assert province_key("TP. Hồ Chí Minh") == "ho chi minh"
    assert province_key("Tỉnh Phú Thọ") == "phu tho"
    near = distance_km("Phú Thọ", "Hà Nội")
    far = distance_km("Phú Thọ", "Cà Mau")
    assert near is not None and far is not None
    assert 40 < near < 100 < far
    assert distance_km("Phú Thọ", "Atlantis") is None


def test_pipeline_moves_forward_and_ends_are_final() -> None:
    assert may_move(MatchStage.PROPOSED, MatchStage.CONTACTED)
    assert may_move(MatchStage.PROPOSED, MatchStage.MEETING)
    assert may_move(MatchStage.MEETING, MatchStage.DECLINED)
    assert not may_move(MatchStage.MEETING, MatchStage.CONTACTED)
    assert not may_move(MatchStage.DEAL_SIGNED, MatchStage.DECLINED)
    assert not may_move(MatchStage.DECLINED, MatchStage.CONTACTED)
