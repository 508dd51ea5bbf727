"""Matching benchmark: 5,000 demands × 20,000 offers, indexed engine vs the all-pairs loop.

    python3 -m uv run python services/events/benchmarks/matching_benchmark.py [--demands N]
        [--offers N] [--sample N] [--seed N]

Two baselines are measured in the same run on samples of demands and extrapolated to all of
them: the plain loop (`rank_all_pairs`: the same rules applied to every offer, cheapest rules
first, no index) and naive full scoring (all six parts computed for every pair before any
rule is applied). All three must give the same ranking on the samples.

Data are synthetic but shaped like OCOP trade: Vietnamese product
names with diacritics, product groups, provinces, seasons, prices, stars and standards.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, datetime

from ocop_events.domain import matching
from ocop_events.domain.matching import OfferIndex, rank, rank_all_pairs
from ocop_events.domain.matching_model import BuyerKind, Demand, Offer

NOW = datetime(2026, 1, 1, tzinfo=UTC)

# (product, group): heads of many kinds, some sharing a head word (trà …, nước …, bánh …).
PRODUCTS = [
    ("Bưởi", "food"),
    ("Cam sành", "food"),
    ("Cam", "food"),
    ("Quýt", "food"),
    ("Nhãn", "food"),
    ("Vải thiều", "food"),
    ("Xoài", "food"),
    ("Thanh long", "food"),
    ("Chuối", "food"),
    ("Mít sấy", "food"),
    ("Hồng không hạt", "food"),
    ("Mận hậu", "food"),
    ("Na", "food"),
    ("Gạo nếp", "food"),
    ("Gạo tẻ", "food"),
    ("Gạo lứt", "food"),
    ("Mì gạo", "food"),
    ("Miến dong", "food"),
    ("Bún khô", "food"),
    ("Phở khô", "food"),
    ("Bánh đa", "food"),
    ("Bánh chưng", "food"),
    ("Bánh giày", "food"),
    ("Bánh cáy", "food"),
    ("Kẹo lạc", "food"),
    ("Kẹo dồi", "food"),
    ("Mứt gừng", "food"),
    ("Mật ong", "food"),
    ("Thịt chua", "food"),
    ("Thịt trâu khô", "food"),
    ("Thịt lợn gác bếp", "food"),
    ("Giò lụa", "food"),
    ("Chả quế", "food"),
    ("Nem chua", "food"),
    ("Lạp xưởng", "food"),
    ("Cá lăng", "food"),
    ("Cá rô đồng", "food"),
    ("Tôm rang", "food"),
    ("Mắm cá", "food"),
    ("Nước mắm", "food"),
    ("Tương bần", "food"),
    ("Lạc nhân", "food"),
    ("Đậu đen xanh lòng", "food"),
    ("Măng khô", "food"),
    ("Măng nứa", "food"),
    ("Nấm hương", "food"),
    ("Mộc nhĩ", "food"),
    ("Trứng gà", "food"),
    ("Trứng vịt muối", "food"),
    ("Dầu lạc", "food"),
    ("Vừng", "food"),
    ("Trà xanh", "drink"),
    ("Chè búp", "drink"),
    ("Trà bưởi", "drink"),
    ("Trà hoa vàng", "drink"),
    ("Trà túi lọc", "drink"),
    ("Cà phê", "drink"),
    ("Rượu nếp", "drink"),
    ("Rượu bưởi", "drink"),
    ("Rượu vang", "drink"),
    ("Rượu ngô", "drink"),
    ("Nước ép", "drink"),
    ("Sữa chua", "drink"),
    ("Sữa bò tươi", "drink"),
    ("Mật ong rừng", "drink"),
    ("Cao chè vằng", "herbs"),
    ("Cao actiso", "herbs"),
    ("Tinh dầu quế", "herbs"),
    ("Tinh dầu sả", "herbs"),
    ("Nghệ tinh bột", "herbs"),
    ("Sâm", "herbs"),
    ("Đông trùng hạ thảo", "herbs"),
    ("Xạ đen", "herbs"),
    ("Cà gai leo", "herbs"),
    ("Dầu gội thảo dược", "herbs"),
    ("Nón lá", "keepsake"),
    ("Mây tre đan", "keepsake"),
    ("Gốm", "keepsake"),
    ("Chiếu cói", "keepsake"),
    ("Thổ cẩm", "cloth"),
    ("Lụa tơ tằm", "cloth"),
    ("Khăn lụa", "cloth"),
    ("Tranh gạo", "keepsake"),
    ("Đồ gỗ", "keepsake"),
    ("Hương trầm", "keepsake"),
    ("Lan", "keepsake"),
    ("Bonsai", "keepsake"),
    ("Xà phòng thảo mộc", "herbs"),
    ("Muối tôm", "food"),
    ("Ớt tương", "food"),
    ("Gừng", "food"),
    ("Tỏi cô đơn", "food"),
    ("Hành tím", "food"),
    ("Khoai lang", "food"),
    ("Khoai môn", "food"),
    ("Sắn dây", "food"),
    ("Tinh bột sắn dây", "food"),
    ("Hạt điều", "food"),
    ("Hạt mắc ca", "food"),
    ("Ca cao", "drink"),
]
PLACES = [
    "Đoan Hùng",
    "Thanh Sơn",
    "Hùng Lô",
    "Tân Sơn",
    "Việt Trì",
    "Phù Ninh",
    "Lâm Thao",
    "Chiêm Hóa",
    "Nhân Sơn",
    "Trung Hà",
    "Hàm Yên",
    "Na Hang",
    "Yên Lập",
    "Cao Phong",
    "Mộc Châu",
    "Bắc Hà",
    "Sa Pa",
    "Tây Bắc",
    "Lục Ngạn",
    "Hưng Yên",
    "Ba Vì",
    "Đông Anh",
    "Thái Nguyên",
    "Tân Cương",
    "Bạch Mã",
    "Huế",
    "Quảng Ngãi",
    "Bến Tre",
    "Đồng Tháp",
]
PROVINCES = [
    "Phú Thọ",
    "Tuyên Quang",
    "Hà Nội",
    "Thái Nguyên",
    "Lào Cai",
    "Sơn La",
    "Bắc Ninh",
    "Hưng Yên",
    "Huế",
    "Quảng Ngãi",
    "Đà Nẵng",
    "TP. Hồ Chí Minh",
    "Cần Thơ",
    "Đồng Tháp",
    "Lâm Đồng",
    "Hải Phòng",
    "Ninh Bình",
    "Thanh Hóa",
    "Nghệ An",
    "Gia Lai",
]
STANDARDS = ["VietGAP", "GlobalGAP", "HACCP", "ISO 22000", "Hữu cơ"]


def _season(rng: random.Random) -> list[int]:
    if rng.random() < 0.4:
        return []
    start, length = rng.randint(1, 12), rng.randint(2, 6)
    return sorted({(start + i - 1) % 12 + 1 for i in range(length)})


def make_offers(n: int, rng: random.Random) -> list[Offer]:
    offers = []
    for i in range(n):
        product, group = rng.choice(PRODUCTS)
        place = rng.choice(PLACES)
        offers.append(
            Offer(
                id=f"cb-{i:05d}",
                producer_id=f"prd-{i % 6000:04d}",
                producer_name=f"HTX {product} {place}",
                title=f"{product} {place}",
                keywords=rng.choice(["", "đặc sản", "loại 1", f"{product.lower()} sạch"]),
                group_code=group,
                capacity_kg_per_month=rng.randrange(100, 20_000, 50),
                season_months=_season(rng),
                price_vnd=rng.randrange(15_000, 600_000, 1000),
                moq_kg=rng.randrange(0, 2000, 50),
                stars=rng.choice([0, 3, 3, 4, 4, 5]),
                standards=rng.sample(STANDARDS, rng.randint(0, 2)),
                province=rng.choice(PROVINCES),
                created_at=NOW,
            )
        )
    return offers


def make_demands(n: int, rng: random.Random) -> list[Demand]:
    demands = []
    for i in range(n):
        product, group = rng.choice(PRODUCTS)
        price = rng.randrange(20_000, 500_000, 1000)
        demands.append(
            Demand(
                id=f"nc-{i:05d}",
                buyer_id=f"buyer-{i % 400}",
                buyer_name=f"Siêu thị {i % 400}",
                buyer_kind=rng.choice(list(BuyerKind)),
                title=f"{product} {rng.choice(PLACES)}" if rng.random() < 0.5 else product,
                keywords=rng.choice(["", "loại 1", "đóng gói", "xuất khẩu"]),
                group_code=group if rng.random() < 0.7 else None,
                monthly_volume_kg=rng.randrange(200, 15_000, 100),
                price_min_vnd=int(price * 0.7),
                price_max_vnd=price,
                min_stars=rng.choice([0, 3, 3, 4]),
                standards=rng.sample(STANDARDS, rng.randint(0, 1)),
                delivery_province=rng.choice(PROVINCES),
                season_months=_season(rng),
                created_at=NOW,
            )
        )
    return demands


def naive_full_scoring(demand: Demand, index: OfferIndex, limit: int) -> list[str]:
    """What an engine without index or early gates does: score all six parts of every pair,
    then drop the pairs that fail a rule and sort (offer ids of the top ``limit``)."""
    profile = index.profile(demand)
    scored = []
    for entry in index.entries:
        parts = matching._parts(profile, entry)
        total = matching._total(parts)
        if matching._gates(profile, entry):
            scored.append((-total, entry.offer.id))
    scored.sort()
    return [offer_id for _, offer_id in scored[:limit]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demands", type=int, default=5000)
    parser.add_argument("--offers", type=int, default=20_000)
    parser.add_argument("--sample", type=int, default=100, help="demands for the plain loop")
    parser.add_argument("--naive-sample", type=int, default=20, help="demands fully scored")
    parser.add_argument("--limit", type=int, default=10, help="offers ranked per demand")
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    rng = random.Random(args.seed)  # noqa: S311 (synthetic data, not security)
    offers = make_offers(args.offers, rng)
    demands = make_demands(args.demands, rng)

    started = time.perf_counter()
    index = OfferIndex(offers)
    build_s = time.perf_counter() - started

    started = time.perf_counter()
    ranked = [rank(d, index, args.limit) for d in demands]
    indexed_s = time.perf_counter() - started
    candidates = [sum(1 for _ in index.candidates(index.profile(d))) for d in demands]

    sample = demands[: args.sample]
    started = time.perf_counter()
    baseline = [rank_all_pairs(d, index, args.limit) for d in sample]
    baseline_sample_s = time.perf_counter() - started
    baseline_total_s = baseline_sample_s * len(demands) / len(sample)
    same = baseline == ranked[: len(sample)]

    naive_sample = demands[: args.naive_sample]
    started = time.perf_counter()
    naive = [naive_full_scoring(d, index, args.limit) for d in naive_sample]
    naive_sample_s = time.perf_counter() - started
    naive_total_s = naive_sample_s * len(demands) / len(naive_sample)
    same = same and naive == [[c.offer.id for c in r] for r in ranked[: len(naive_sample)]]

    matched = sum(1 for r in ranked if r)
    rows = [
        (
            "Index: head word → stars → price",
            len(demands),
            statistics.mean(candidates),
            indexed_s,
            indexed_s,
        ),
        (
            f"Plain loop, rules first ({len(sample)} demands)",
            len(sample),
            float(len(offers)),
            baseline_sample_s,
            baseline_total_s,
        ),
        (
            f"Naive full scoring ({len(naive_sample)} demands)",
            len(naive_sample),
            float(len(offers)),
            naive_sample_s,
            naive_total_s,
        ),
    ]
    print(
        f"Matching {len(demands):,} demands × {len(offers):,} offers "
        f"(top {args.limit} each, seed {args.seed}); index built in {build_s:.2f} s"
    )
    print(
        f"{'method':<40}{'demands':>9}{'offers read/demand':>20}"
        f"{'measured s':>12}{'all demands s':>15}{'ms/demand':>11}"
    )
    for name, count, per_demand, measured, total in rows:
        print(
            f"{name:<40}{count:>9,}{per_demand:>20,.0f}{measured:>12.2f}{total:>15.1f}"
            f"{1000 * measured / count:>11.2f}"
        )
    print(
        f"speed-up: ×{baseline_total_s / indexed_s:.1f} over the plain loop, "
        f"×{naive_total_s / indexed_s:.0f} over naive full scoring (extrapolated from samples)"
    )
    print(
        f"demands with at least one match: {matched:,}; same ranking as both baselines on "
        f"their samples: {'yes' if same else 'NO'}"
    )


if __name__ == "__main__":
    main()
