"""Head words of product titles: generic and place prefixes are skipped, products are not."""

from __future__ import annotations

import pytest

from ocop_events.domain.head_words import after_prefixes
from ocop_events.domain.matching import OfferIndex, rank

from .test_matching import POMELO_MARKET, demand, offer


@pytest.mark.parametrize(
    ("title", "head"),
    [
        ("Bưởi Đoan Hùng", "buoi"),
        ("Đặc sản Phú Thọ – Bưởi Đoan Hùng", "buoi"),
        ("Sản phẩm chè Thanh Sơn", "che"),
        ("Sản phẩm OCOP 4 sao: Chè Shan tuyết", "che"),
        ("Phú Thọ - bưởi Bằng Luân", "buoi"),
        ("Huyện Đoan Hùng: bưởi Bằng Luân", "buoi"),
        ("Đoan Hùng bưởi ngọt", "buoi"),
        ("TP. Hồ Chí Minh – Bánh pía", "banh"),
        ("Tỉnh Sơn La mận hậu", "man"),
        ("Làng Hùng Lô – mì gạo", "mi"),
        ("Đặc sản Tân Cương trà xanh", "tra"),
        ("Thương hiệu Mộc Châu sữa tươi", "sua"),
        # Product words that fold like prefixes or places stay heads.
        ("Trà bưởi Đoan Hùng", "tra"),
        ("Rượu bưởi Đoan Hùng", "ruou"),
        ("Quế Văn Yên", "que"),
        ("Miến dong Tân Hồng", "mien"),
        ("Vừng đen rang", "vung"),
        ("Cua đồng Phú Thọ", "cua"),
        ("Sò huyết", "so"),
        ("Tinh bột nghệ", "tinh"),
        ("Tinh dầu bưởi", "tinh"),
        ("Bạc hà Hà Giang", "bac"),
        ("Đặc sản Phú Thọ", ""),
    ],
)
def test_head_word_skips_generic_and_place_prefixes(title: str, head: str) -> None:
    assert (after_prefixes(title).split() or [""])[0] == head


def test_titles_opening_with_a_place_still_match_pomelo_and_never_pomelo_tea_or_liquor() -> None:
    market = [
        *POMELO_MARKET,
        offer("dac-san", "Đặc sản Phú Thọ – Bưởi Đoan Hùng"),
        offer("dac-san-tra", "Đặc sản Phú Thọ – Trà bưởi", group_code="drink"),
        offer("dac-san-ruou", "Sản phẩm OCOP Rượu bưởi Đoan Hùng", group_code="drink"),
    ]
    ids = [c.offer.id for c in rank(demand(), OfferIndex(market))]
    assert "dac-san" in ids
    assert not {"tra-buoi", "ruou-buoi", "dac-san-tra", "dac-san-ruou"} & set(ids)
    # The demand side too: a buyer writing a place first still wants pomelo.
    placed = rank(demand(title="Đặc sản Phú Thọ – Bưởi Đoan Hùng"), OfferIndex(market))
    assert placed[0].offer.id in {"doan-hung-1", "dac-san"}
    assert not {"tra-buoi", "ruou-buoi", "dac-san-tra"} & {c.offer.id for c in placed}


def test_tea_titled_with_generic_prefix_matches_tea_demand() -> None:
    market = [offer("che-ts", "Sản phẩm chè Thanh Sơn", group_code="drink", season_months=[])]
    found = rank(
        demand(title="Chè xanh", keywords="chè Thanh Sơn", standards=[], season_months=[]),
        OfferIndex(market),
    )
    assert [c.offer.id for c in found] == ["che-ts"]
