"""Demo evaluation rounds, dossiers, council score sheets and plan targets.

Phú Thọ 2022 (rule set 1048: district round before 30/7, province round before 15/8) and
Chiêm Hóa 2024 (rule set 148: district round in October, province round in November), as in
DOMAIN.md §6–§7, plus one dossier in progress in a current round (1489: commune → province).
Product names are real OCOP products; producers' tax codes, council members, scores and
decision numbers are illustrative (dữ liệu minh hoạ).

Seeding is idempotent and resumable: each dossier is driven from whatever state it is in to
the state the demo wants (a second run finds every dossier at its end and does nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx

from ocop_shared.contracts.certification import LegalForm

Progress = Callable[[str], None]
Member = tuple[str, str, str]  # subject, full name, role in the council


def _council(prefix: str, chair: str) -> tuple[Member, ...]:
    return (
        (f"{prefix}-1", chair, "Chủ tịch hội đồng"),
        (f"{prefix}-2", "Nguyễn Văn Hùng", "Phó Chủ tịch"),
        (f"{prefix}-3", "Hoàng Thị Lan", "Thành viên"),
        (f"{prefix}-4", "Ma Văn Tùng", "Thành viên"),
        (f"{prefix}-5", "Trần Thị Thu", "Thư ký"),
    )


@dataclass(frozen=True)
class DemoRound:
    key: str
    level: str
    province: str
    year: int
    number: int
    opens_on: date
    submission_deadline: date
    scoring_deadline: date
    council: tuple[Member, ...]
    district: str | None = None
    commune: str | None = None

    def body(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "province": self.province,
            "district": self.district,
            "commune": self.commune,
            "year": self.year,
            "number": self.number,
            "opens_on": self.opens_on.isoformat(),
            "submission_deadline": self.submission_deadline.isoformat(),
            "scoring_deadline": self.scoring_deadline.isoformat(),
            "council": [{"subject": s, "full_name": n, "role": r} for s, n, r in self.council],
        }

    def matches(self, existing: dict[str, Any]) -> bool:
        return all(
            existing.get(k) == v
            for k, v in self.body().items()
            if k in ("level", "province", "district", "commune", "year", "number")
        )


ROUNDS = (
    DemoRound(
        "pt-2022-huyen",
        "district",
        "Phú Thọ",
        2022,
        1,
        date(2022, 6, 1),
        date(2022, 7, 10),
        date(2022, 7, 28),
        _council("hd-lamthao", "Đinh Văn Hòa"),
        district="Lâm Thao",
    ),
    DemoRound(
        "pt-2022-tinh",
        "province",
        "Phú Thọ",
        2022,
        1,
        date(2022, 7, 31),
        date(2022, 8, 5),
        date(2022, 8, 14),
        _council("hd-phutho", "Hồ Đại Dũng"),
    ),
    DemoRound(
        "ch-2024-huyen",
        "district",
        "Tuyên Quang",
        2024,
        1,
        date(2024, 9, 16),
        date(2024, 10, 5),
        date(2024, 10, 25),
        _council("hd-chiemhoa", "Ma Văn Quân"),
        district="Chiêm Hóa",
    ),
    DemoRound(
        "tq-2024-tinh",
        "province",
        "Tuyên Quang",
        2024,
        2,
        date(2024, 11, 1),
        date(2024, 11, 10),
        date(2024, 11, 30),
        _council("hd-tuyenquang", "Nguyễn Mạnh Tuấn"),
    ),
    DemoRound(
        "tq-2026-xa",
        "commune",
        "Tuyên Quang",
        2026,
        1,
        date(2026, 9, 1),
        date(2026, 12, 15),
        date(2026, 12, 31),
        _council("hd-xa-chiemhoa", "Ma Thị Hằng"),
        commune="Chiêm Hóa",
    ),
    DemoRound(
        "tq-2026-tinh",
        "province",
        "Tuyên Quang",
        2026,
        2,
        date(2026, 11, 1),
        date(2026, 12, 15),
        date(2026, 12, 31),
        _council("hd-tuyenquang-26", "Nguyễn Mạnh Tuấn"),
    ),
)


@dataclass(frozen=True)
class DemoStage:
    """One level's work on a dossier: the council's average and, if recognised, the decision."""

    round_key: str
    average: float
    commune_inputs: dict[str, Any] = field(default_factory=dict)
    decision: tuple[str, date, str] | None = None
    failed_mandatory: str | None = None
    """A mandatory criterion every member scores 0 (shows the cap)."""
    sheets: int | None = None
    """Stop after this many sheets (scoring still open); None: every member, then close."""


@dataclass(frozen=True)
class DemoEvaluation:
    product: str
    producer_tax_code: str
    subgroup_code: str
    target_stars: int
    description: str
    stages: tuple[DemoStage, ...]


@dataclass(frozen=True)
class DemoEvalProducer:
    name: str
    legal_form: LegalForm
    tax_code: str
    province: str
    district: str
    commune: str
    representative: tuple[str, bool, bool]
    products: tuple[tuple[str, str], ...]
    """(product name, 148 sub-group)."""

    def body(self) -> dict[str, Any]:
        full_name, woman, minority = self.representative
        return {
            "name": self.name,
            "legal_form": self.legal_form,
            "tax_code": self.tax_code,
            "province": self.province,
            "district": self.district,
            "commune": self.commune,
            "legal_representative": {
                "full_name": full_name,
                "is_woman": woman,
                "is_ethnic_minority": minority,
            },
        }


EVAL_PRODUCERS = (
    DemoEvalProducer(
        "HTX Nông nghiệp Cao Xá",
        LegalForm.COOPERATIVE,
        "2600994417",
        "Phú Thọ",
        "Lâm Thao",
        "Cao Xá",
        ("Nguyễn Thị Hiền", True, False),
        (("Gạo nếp gà gáy Cao Xá", "1.2"), ("Rượu đòng nếp gà gáy", "2.2")),
    ),
    DemoEvalProducer(
        "HTX Chế biến nông sản Sơn Vi",
        LegalForm.COOPERATIVE,
        "2601018822",
        "Phú Thọ",
        "Lâm Thao",
        "Sơn Vi",
        ("Bùi Văn Thắng", False, False),
        (("Mít sấy Sơn Vi", "1.3"),),
    ),
    DemoEvalProducer(
        "HTX Nông sản Tân Mỹ",
        LegalForm.COOPERATIVE,
        "5000857713",
        "Tuyên Quang",
        "Chiêm Hóa",
        "Tân Mỹ",
        ("Ma Thị Nguyệt", True, True),
        (("Lạc nhân Tân Mỹ", "1.2"), ("Tôm rang sông Gâm", "1.3")),
    ),
    DemoEvalProducer(
        "Hộ kinh doanh Măng nứa Bà Cúc",
        LegalForm.HOUSEHOLD_BUSINESS,
        "5000869024",
        "Tuyên Quang",
        "Chiêm Hóa",
        "Vinh Quang",
        ("Hà Thị Cúc", True, True),
        (("Măng nứa Bà Cúc", "1.3"),),
    ),
    DemoEvalProducer(
        "HTX Chăn nuôi dê Kiên Đài",
        LegalForm.COOPERATIVE,
        "5000871129",
        "Tuyên Quang",
        "Chiêm Hóa",
        "Kiên Đài",
        ("Lý Văn Sơn", False, True),
        (("Thịt dê Kiên Đài", "1.3"), ("Thịt trâu khô Hùng Mỹ", "1.3")),
    ),
)

_PT_PROVINCE = ("1890/QĐ-UBND", date(2022, 8, 20), "UBND tỉnh Phú Thọ")
_LOCAL = {"local_raw_materials": True, "local_labour": True}
_WOMAN = {**_LOCAL, "representative_woman_or_ethnic_minority": True}

EVALUATIONS = (
    DemoEvaluation(
        "Gạo nếp gà gáy Cao Xá",
        "2600994417",
        "1.2",
        3,
        "Gạo nếp gà gáy trồng trên đồng Cao Xá, xay xát tại HTX",
        (DemoStage("pt-2022-huyen", 58), DemoStage("pt-2022-tinh", 62, decision=_PT_PROVINCE)),
    ),
    DemoEvaluation(
        "Mít sấy Sơn Vi",
        "2601018822",
        "1.3",
        4,
        "Mít sấy giòn từ mít vùng đồi Lâm Thao",
        (DemoStage("pt-2022-huyen", 68), DemoStage("pt-2022-tinh", 72, decision=_PT_PROVINCE)),
    ),
    DemoEvaluation(
        "Rượu đòng nếp gà gáy",
        "2600994417",
        "2.2",
        3,
        "Rượu nấu từ lúa đòng nếp gà gáy",
        (DemoStage("pt-2022-huyen", 47),),
    ),
    DemoEvaluation(
        "Lạc nhân Tân Mỹ",
        "5000857713",
        "1.2",
        3,
        "Lạc đỏ Tân Mỹ bóc vỏ, phân loại thủ công",
        (
            DemoStage(
                "ch-2024-huyen",
                58,
                _WOMAN,
                decision=("2950/QĐ-UBND", date(2024, 10, 28), "UBND huyện Chiêm Hóa"),
            ),
        ),
    ),
    DemoEvaluation(
        "Tôm rang sông Gâm",
        "5000857713",
        "1.3",
        3,
        "Tôm sông Gâm rang lá chanh, đóng hộp",
        (DemoStage("ch-2024-huyen", 60, _LOCAL, failed_mandatory="C4"),),
    ),
    DemoEvaluation(
        "Măng nứa Bà Cúc",
        "5000869024",
        "1.3",
        3,
        "Măng nứa rừng Chiêm Hóa luộc, sấy khô",
        (DemoStage("ch-2024-huyen", 45, _WOMAN),),
    ),
    DemoEvaluation(
        "Thịt dê Kiên Đài",
        "5000871129",
        "1.3",
        4,
        "Thịt dê núi Kiên Đài sấy, hút chân không",
        (
            DemoStage("ch-2024-huyen", 71, _LOCAL),
            DemoStage(
                "tq-2024-tinh",
                74,
                _LOCAL,
                decision=("2301/QĐ-UBND", date(2024, 12, 10), "UBND tỉnh Tuyên Quang"),
            ),
        ),
    ),
    DemoEvaluation(
        "Thịt trâu khô Hùng Mỹ",
        "5000871129",
        "1.3",
        4,
        "Thịt trâu gác bếp Hùng Mỹ",
        (DemoStage("tq-2026-xa", 0), DemoStage("tq-2026-tinh", 76, _LOCAL, sheets=2)),
    ),
)

PLAN_TARGETS = (
    {
        "province": "Phú Thọ",
        "year": 2022,
        "plan_reference": "788/KH-UBND",
        "new_products": 46,
        "upgrades_3_to_4": 8,
        "upgrades_4_to_5": 2,
        "cumulative_total": 124,
        "communes_target": 225,
        "communes_total": 225,
    },
    {
        "province": "Tuyên Quang",
        "district": "Chiêm Hóa",
        "year": 2024,
        "plan_reference": "121/KH-UBND",
        "new_products": 11,
        "upgrades_3_to_4": 1,
        "upgrades_4_to_5": 1,
        "re_evaluations": 6,
        "cumulative_total": 26,
        "communes_target": 17,
        "communes_total": 24,
    },
)


def evaluation_step_count() -> int:
    producers = sum(1 + len(p.products) for p in EVAL_PRODUCERS)
    return producers + len(ROUNDS) + len(EVALUATIONS) + len(PLAN_TARGETS)


@dataclass
class EvaluationReport:
    rounds_created: int = 0
    dossiers_created: int = 0
    dossiers_finished: int = 0
    sheets_entered: int = 0
    certificates_issued: int = 0
    plan_targets: int = 0


def member_sheet(
    criteria: list[dict[str, Any]], total: float, failed: str | None
) -> dict[str, float]:
    """Scores adding up to `total`, passing every mandatory criterion except `failed`."""
    scores = {
        c["code"]: 0.0 if c["code"] == failed else float(c.get("min_points") or 0) for c in criteria
    }
    left = total - sum(scores.values())
    for c in criteria:
        if c["code"] == failed:
            continue
        add = min(float(c["max_points"]) - scores[c["code"]], left)
        scores[c["code"]] += add
        left -= add
    return scores


SPREAD = (-2.0, 1.0, 0.0, 2.0, -1.0)  # members differ; the average is the stage's


class EvaluationSeeder:
    def __init__(self, client: httpx.AsyncClient, call: Callable[..., Any]) -> None:
        self.client = client
        self.call = call
        self.report = EvaluationReport()
        self.round_ids: dict[str, str] = {}
        self.criteria: dict[tuple[str, str], list[dict[str, Any]]] = {}

    async def rounds(self, progress: Progress) -> None:
        existing = await self.call("GET", "/api/v1/rounds")
        for demo in ROUNDS:
            found = next((r for r in existing if demo.matches(r)), None)
            if found is None:
                found = await self.call("POST", "/api/v1/rounds", json=demo.body())
                self.report.rounds_created += 1
            self.round_ids[demo.key] = found["id"]
            progress(f"Đợt: {found['name']}")
        for rule_set in await self.call("GET", "/api/v1/rule-sets"):
            for name, criteria in rule_set["criteria_sets"].items():
                self.criteria[(rule_set["key"], name)] = criteria

    async def evaluations(self, product_ids: dict[str, str], progress: Progress) -> None:
        dossiers = await self.call("GET", "/api/v1/dossiers", params={"limit": 200})
        by_product = {d["product_id"]: d for d in dossiers}
        for demo in EVALUATIONS:
            product_id = product_ids[demo.product]
            dossier = by_product.get(product_id)
            if dossier is None:
                dossier = await self.call(
                    "POST",
                    "/api/v1/dossiers",
                    json={
                        "product_id": product_id,
                        "round_id": self.round_ids[demo.stages[0].round_key],
                        "subgroup_code": demo.subgroup_code,
                        "registration": {
                            "description": demo.description,
                            "target_stars": demo.target_stars,
                        },
                    },
                )
                self.report.dossiers_created += 1
            await self._drive(demo, dossier)
            progress(f"Hồ sơ: {demo.product}")

    async def _drive(self, demo: DemoEvaluation, dossier: dict[str, Any]) -> None:
        """Move the dossier one legal step at a time until it is where the demo wants it."""
        url = f"/api/v1/dossiers/{dossier['id']}"
        for _ in range(20):
            stage_index = next(
                (
                    i
                    for i, s in enumerate(demo.stages)
                    if self.round_ids[s.round_key] == dossier["round_id"]
                ),
                0,
            )
            stage = demo.stages[stage_index]
            status = dossier["status"]
            criteria = self.criteria[(dossier["rule_set"], dossier["criteria_set"])]
            if status == "draft":
                if dossier["self_assessment"] is None:
                    assessment = member_sheet(criteria, demo.stages[-1].average + 3, None)
                    await self.call("PATCH", url, json={"self_assessment": assessment})
                dossier = await self.call("POST", f"{url}/submit")
            elif status == "submitted":
                dossier = await self.call(
                    "POST", f"{url}/check", json={"commune_inputs": stage.commune_inputs}
                )
            elif status == "checked" and stage.average == 0:  # commune pre-check only
                dossier = await self.call(
                    "POST", f"{url}/forward", json={"reason": "Hồ sơ đủ thành phần, chuyển tỉnh"}
                )
            elif status == "checked":
                dossier = await self.call("POST", f"{url}/start-evaluation")
            elif status == "under_evaluation":
                if not await self._score(stage, dossier, criteria):
                    return
                dossier = await self.call("POST", f"{url}/close-scoring")
            elif status == "scored":
                body: dict[str, Any] = {}
                if stage.decision is not None:
                    number, day, authority = stage.decision
                    body = {
                        "decision_number": number,
                        "decision_date": day.isoformat(),
                        "issuing_authority": authority,
                    }
                dossier = await self.call("POST", f"{url}/finalise", json=body)
                if dossier["certificate_id"]:
                    self.report.certificates_issued += 1
            elif status == "forwarded" and stage_index + 1 < len(demo.stages):
                target = self.round_ids[demo.stages[stage_index + 1].round_key]
                dossier = await self.call("POST", f"{url}/transfer", json={"round_id": target})
            else:
                self.report.dossiers_finished += 1
                return

    async def _score(
        self, stage: DemoStage, dossier: dict[str, Any], criteria: list[dict[str, Any]]
    ) -> bool:
        """Enter the paper sheets that are missing; True when scoring can be closed."""
        demo_round = next(r for r in ROUNDS if r.key == stage.round_key)
        url = f"/api/v1/dossiers/{dossier['id']}/score-sheets"
        done = {s["member"] for s in await self.call("GET", url)}
        wanted = demo_round.council[: stage.sheets or len(demo_round.council)]
        for (subject, _, _), offset in zip(wanted, SPREAD, strict=False):
            if subject in done:
                continue
            scores = member_sheet(criteria, stage.average + offset, stage.failed_mandatory)
            await self.call(
                "PUT",
                f"{url}/by/{subject}",
                json={"scores": scores, "comment": "Phiếu chấm giấy, thư ký nhập"},
            )
            self.report.sheets_entered += 1
        return stage.sheets is None

    async def plan_targets(self, progress: Progress) -> None:
        for body in PLAN_TARGETS:
            await self.call("PUT", "/api/v1/plan-targets", json=body)
            self.report.plan_targets += 1
            progress(f"Chỉ tiêu {body.get('district') or body['province']} {body['year']}")
