"""Certification section: producers, products, certificates, evaluations, plan targets.

Everything goes through ``/api/v1`` like any client, so the events flow through the outbox,
the relay and Kafka to the other services exactly as in real use. Producers are matched by
tax code, products by name within their producer, certificates by decision number, rounds by
their level and number, dossiers by product; each dossier is driven from whatever state it is
in to the one the data wants, so an interrupted run resumes and a second run does nothing.
"""

from __future__ import annotations

from typing import Any

import structlog

from ocop_platform.seeding.client import SeedClient, SeedRun
from ocop_platform.seeding.data import (
    CertifiedProduct,
    DemoData,
    Evaluation,
    Evaluations,
    Round,
    Stage,
)

log = structlog.get_logger(__name__)

MAX_DOSSIER_STEPS = 20


def step_count(data: DemoData) -> int:
    """Progress calls: per producer, product and certificate; per evaluated producer and
    product, round, dossier and plan target; one expiry sweep."""
    certified = sum(
        1 + sum(1 + len(product.certificates) for product in producer.products)
        for producer in data.certificates.producers
    )
    e = data.evaluations
    evaluated = sum(1 + len(p.products) for p in e.producers)
    return certified + evaluated + len(e.rounds) + len(e.evaluations) + len(e.plan_targets) + 1


async def seed(api: SeedClient, data: DemoData, run: SeedRun) -> None:
    await _certified(api, data, run)
    await _evaluated_products(api, data.evaluations, run)
    round_ids = await _rounds(api, data.evaluations, run)
    await _evaluations(api, data.evaluations, round_ids, run)
    await _plan_targets(api, data.evaluations, run)
    swept = await api.post("/api/v1/scheduler/run")
    run.report.add("expiry", created=True, count=int(swept["expired"]))
    run.step("Kiểm tra giấy chứng nhận hết hạn")


async def _producer_ids(api: SeedClient) -> dict[str, str]:
    """Tax code → producer id of every registered producer."""
    return {p["tax_code"]: str(p["id"]) for p in await api.list_all("/api/v1/producers")}


async def _producer_id(
    api: SeedClient, body: dict[str, Any], known: dict[str, str], run: SeedRun
) -> str:
    producer_id = known.get(body["tax_code"])
    run.report.add("producer", created=producer_id is None)
    if producer_id is None:
        producer_id = str((await api.post("/api/v1/producers", body))["id"])
        log.info("demo_producer_registered", producer=body["name"], id=producer_id)
    return producer_id


async def _product_id(api: SeedClient, producer_id: str, body: dict[str, Any], run: SeedRun) -> str:
    existing = {
        p["name"]: p["id"]
        for p in await api.list_all("/api/v1/products", {"producer_id": producer_id})
    }
    product_id = existing.get(body["name"])
    if product_id is None:
        product_id = (await api.post("/api/v1/products", body))["id"]
        log.info("demo_product_registered", product=body["name"], id=product_id)
    run.report.add("product", created=product_id not in existing.values())
    run.product_ids[body["name"]] = str(product_id)
    return str(product_id)


async def _certified(api: SeedClient, data: DemoData, run: SeedRun) -> None:
    known = await _producer_ids(api)
    for producer in data.certificates.producers:
        body = producer.model_dump(mode="json", exclude={"products"}, exclude_none=True)
        producer_id = await _producer_id(api, body, known, run)
        run.step(producer.name)
        for product in producer.products:
            body = {
                "producer_id": producer_id,
                "name": product.name,
                "group_code": product.group_code,
                "province": product.province or producer.province,
                "district": producer.district,
                "commune": product.commune,
                "gtin": product.gtin,
            }
            product_id = await _product_id(
                api, producer_id, {k: v for k, v in body.items() if v is not None}, run
            )
            run.step(product.name)
            await _certificates(api, product_id, product, run)


async def _certificates(
    api: SeedClient, product_id: str, product: CertifiedProduct, run: SeedRun
) -> None:
    existing = {
        c["decision_number"]: c
        for c in await api.get(f"/api/v1/products/{product_id}/certificates")
    }
    for wanted in product.certificates:
        certificate = existing.get(wanted.decision_number)
        run.report.add("certificate", created=certificate is None)
        if certificate is None:
            body = wanted.model_dump(mode="json", exclude={"revocation"})
            certificate = await api.post("/api/v1/certificates", {**body, "product_id": product_id})
            log.info(
                "demo_certificate_issued", product=product.name, decision=body["decision_number"]
            )
        if wanted.revocation is not None:
            revoke = certificate["status"] == "active"
            if revoke:
                await api.post(
                    f"/api/v1/certificates/{certificate['id']}/revoke",
                    wanted.revocation.model_dump(mode="json"),
                )
                log.info("demo_certificate_revoked", product=product.name)
            run.report.add("revocation", created=revoke)
        run.step(f"{product.name}: {wanted.stars}★ {wanted.decision_number}")


async def _evaluated_products(api: SeedClient, e: Evaluations, run: SeedRun) -> None:
    known = await _producer_ids(api)
    for producer in e.producers:
        body = producer.model_dump(mode="json", exclude={"products"})
        producer_id = await _producer_id(api, body, known, run)
        run.step(producer.name)
        for product in producer.products:
            body = {
                "producer_id": producer_id,
                "name": product.name,
                "subgroup_code": product.subgroup_code,
                "province": producer.province,
                "district": producer.district,
                "commune": producer.commune,
            }
            await _product_id(api, producer_id, body, run)
            run.step(product.name)


def council(e: Evaluations, demo_round: Round) -> list[dict[str, str]]:
    """The round's council: its chair (``<prefix>-1``), then the data's members in order."""
    prefix = demo_round.council.prefix
    chair = {"full_name": demo_round.council.chair, "role": e.council.chair_role}
    members = [chair, *(m.model_dump() for m in e.council.members)]
    return [{"subject": f"{prefix}-{i}", **m} for i, m in enumerate(members, start=1)]


_ROUND_KEYS = ("level", "province", "district", "commune", "year", "number")


async def _rounds(api: SeedClient, e: Evaluations, run: SeedRun) -> dict[str, str]:
    existing = await api.get("/api/v1/rounds")
    round_ids: dict[str, str] = {}
    for demo_round in e.rounds:
        body = {
            **demo_round.model_dump(mode="json", exclude={"key", "council"}),
            "council": council(e, demo_round),
        }
        found = next(
            (r for r in existing if all(r.get(k) == body.get(k) for k in _ROUND_KEYS)), None
        )
        run.report.add("round", created=found is None)
        if found is None:
            found = await api.post("/api/v1/rounds", body)
        round_ids[demo_round.key] = found["id"]
        run.step(f"Đợt: {found['name']}")
    return round_ids


def member_sheet(
    criteria: list[dict[str, Any]], total: float, failed: str | None
) -> dict[str, float]:
    """Scores adding up to ``total``, passing every mandatory criterion except ``failed``:
    each criterion's minimum first, then the rest filled in criteria order."""
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


async def _evaluations(
    api: SeedClient, e: Evaluations, round_ids: dict[str, str], run: SeedRun
) -> None:
    criteria: dict[tuple[str, str], list[dict[str, Any]]] = {
        (rule_set["key"], name): items
        for rule_set in await api.get("/api/v1/rule-sets")
        for name, items in rule_set["criteria_sets"].items()
    }
    dossiers = await api.get("/api/v1/dossiers", {"limit": 200})
    by_product = {d["product_id"]: d for d in dossiers}
    for evaluation in e.evaluations:
        product_id = run.product_ids[evaluation.product]
        dossier = by_product.get(product_id)
        run.report.add("dossier", created=dossier is None)
        if dossier is None:
            dossier = await api.post(
                "/api/v1/dossiers",
                {
                    "product_id": product_id,
                    "round_id": round_ids[evaluation.stages[0].round],
                    "subgroup_code": evaluation.subgroup_code,
                    "registration": {
                        "description": evaluation.description,
                        "target_stars": evaluation.target_stars,
                    },
                },
            )
        await _Dossier(api, e, evaluation, round_ids, criteria, run).drive(dossier)
        run.step(f"Hồ sơ: {evaluation.product}")


class _Dossier:
    """Moves one dossier a legal step at a time until it is where the data wants it."""

    def __init__(
        self,
        api: SeedClient,
        e: Evaluations,
        evaluation: Evaluation,
        round_ids: dict[str, str],
        criteria: dict[tuple[str, str], list[dict[str, Any]]],
        run: SeedRun,
    ) -> None:
        self.api, self.e, self.evaluation = api, e, evaluation
        self.round_ids, self.criteria, self.run = round_ids, criteria, run

    async def _call(self, method: str, path: str, body: Any = None) -> Any:
        self.run.report.add("dossier_step", created=True)
        if method == "PATCH":
            return await self.api.patch(path, body)
        return await self.api.post(path, body)

    async def drive(self, dossier: dict[str, Any]) -> None:
        stages = self.evaluation.stages
        url = f"/api/v1/dossiers/{dossier['id']}"
        for _ in range(MAX_DOSSIER_STEPS):
            index = next(
                (i for i, s in enumerate(stages) if self.round_ids[s.round] == dossier["round_id"]),
                0,
            )
            stage = stages[index]
            status = dossier["status"]
            criteria = self.criteria[(dossier["rule_set"], dossier["criteria_set"])]
            if status == "draft":
                if dossier["self_assessment"] is None:
                    assessment = member_sheet(criteria, stages[-1].average + 3, None)
                    await self._call("PATCH", url, {"self_assessment": assessment})
                dossier = await self._call("POST", f"{url}/submit")
            elif status == "submitted":
                dossier = await self._call(
                    "POST", f"{url}/check", {"commune_inputs": stage.commune_inputs}
                )
            elif status == "checked" and stage.average == 0:  # commune pre-check only
                dossier = await self._call(
                    "POST", f"{url}/forward", {"reason": "Hồ sơ đủ thành phần, chuyển tỉnh"}
                )
            elif status == "checked":
                dossier = await self._call("POST", f"{url}/start-evaluation")
            elif status == "under_evaluation":
                if not await self._score(stage, dossier, criteria):
                    return
                dossier = await self._call("POST", f"{url}/close-scoring")
            elif status == "scored":
                decision = stage.decision.model_dump(mode="json") if stage.decision else {}
                dossier = await self._call("POST", f"{url}/finalise", decision)
                if dossier["certificate_id"]:
                    self.run.report.add("certificate", created=True)
            elif status == "forwarded" and index + 1 < len(stages):
                target = self.round_ids[stages[index + 1].round]
                dossier = await self._call("POST", f"{url}/transfer", {"round_id": target})
            else:
                return

    async def _score(
        self, stage: Stage, dossier: dict[str, Any], criteria: list[dict[str, Any]]
    ) -> bool:
        """Enter the paper sheets that are missing; True when scoring can be closed."""
        url = f"/api/v1/dossiers/{dossier['id']}/score-sheets"
        done = {s["member"] for s in await self.api.get(url)}
        members = council(self.e, self.e.round(stage.round))
        wanted = members[: stage.sheets or len(members)]
        for member, offset in zip(wanted, self.e.score_spread, strict=False):
            if member["subject"] in done:
                continue
            scores = member_sheet(criteria, stage.average + offset, stage.failed_mandatory)
            await self.api.put(
                f"{url}/by/{member['subject']}",
                {"scores": scores, "comment": "Phiếu chấm giấy, thư ký nhập"},
            )
            self.run.report.add("sheet", created=True)
        return stage.sheets is None


async def _plan_targets(api: SeedClient, e: Evaluations, run: SeedRun) -> None:
    existing = await api.get("/api/v1/plan-targets")
    for target in e.plan_targets:
        body = target.model_dump(mode="json", exclude_none=True)
        same = any(all(t.get(k) == v for k, v in body.items()) for t in existing)
        if not same:
            await api.put("/api/v1/plan-targets", body)
        run.report.add("plan_target", created=not same)
        run.step(f"Chỉ tiêu {target.district or target.province} {target.year}")
