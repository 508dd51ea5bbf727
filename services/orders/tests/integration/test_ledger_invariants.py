"""Random mixes of every stock movement keep the books sound: balances and lots equal the
ledger's sums, nothing goes negative, and each product's units are all accounted for."""

from __future__ import annotations

import random
from datetime import date
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from conftest import Shop

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("seed", [1, 2])
async def test_random_movements_keep_ledger_balances_and_lots_in_step(
    shop: Shop, seed: int
) -> None:
    rng = random.Random(seed)
    showrooms = [await shop.showroom(code) for code in ("VT", "DH")]
    products = [await shop.product(f"Sản phẩm {i}", price=10_000 * (i + 1)) for i in range(3)]
    received = 0
    sales: list[tuple[str, dict[str, Any]]] = []
    transfers: list[tuple[str, str]] = []
    withdrawals: list[tuple[str, str]] = []
    for step in range(60):
        showroom = rng.choice(showrooms)
        product = rng.choice(products)
        action = rng.choice(
            ["receive", "sell", "sell", "return", "void", "transfer", "count", "quarantine"]
            + ["close"] * 2
            + ["arrive"]
        )
        path = f"/api/v1/showrooms/{showroom}"
        if action == "receive":
            quantity = rng.randint(1, 8)
            expires = date(2026, 12, 1 + rng.randint(0, 20))
            response = await shop.receive(
                showroom, product, quantity, lot=f"L{step % 4}", expires_on=expires
            )
            if response.status_code == 201:
                received += quantity
            else:
                assert response.status_code == 422  # the same lot code with another date
        elif action == "sell":
            response = await shop.sell(
                showroom, [{"product_id": product, "quantity": rng.randint(1, 4)}]
            )
            assert response.status_code in (201, 409), response.text
            if response.status_code == 201:
                sales.append((showroom, response.json()))
        elif action in ("return", "void") and sales:
            where, sale = rng.choice(sales)
            if action == "void":
                response = await shop.client.post(
                    f"/api/v1/showrooms/{where}/sales/{sale['id']}/void",
                    json={"reason": "thử"},
                    headers=shop.admin,
                )
            else:
                response = await shop.client.post(
                    f"/api/v1/showrooms/{where}/sales/{sale['id']}/returns",
                    json={
                        "lines": [{"product_id": sale["lines"][0]["product_id"], "quantity": 1}],
                        "reason": "thử",
                        "restock": rng.random() < 0.7,
                    },
                    headers=shop.admin,
                )
            assert response.status_code in (200, 201, 409, 422), response.text
        elif action == "transfer":
            target = next(s for s in showrooms if s != showroom)
            response = await shop.client.post(
                f"{path}/transfers",
                json={
                    "to_showroom_id": target,
                    "lines": [{"product_id": product, "quantity": rng.randint(1, 3)}],
                },
                headers=shop.admin,
            )
            assert response.status_code in (201, 409), response.text
            if response.status_code == 201:
                transfers.append((target, response.json()["id"]))
        elif action == "arrive" and transfers:
            target, transfer_id = transfers.pop(0)
            response = await shop.client.post(
                f"/api/v1/showrooms/{target}/transfers/{transfer_id}/receive", headers=shop.admin
            )
            assert response.status_code == 200, response.text
        elif action == "count":
            response = await shop.client.post(
                f"{path}/stock-takes",
                json={
                    "lines": [{"product_id": product, "counted": rng.randint(0, 10)}],
                    "reason": "kiểm kê",
                },
                headers=shop.admin,
            )
            assert response.status_code in (201, 404), response.text
        elif action == "quarantine":
            response = await shop.client.post(
                f"{path}/withdrawals",
                json={"product_id": product, "reason": "hư hỏng", "quantity": 1},
                headers=shop.admin,
            )
            assert response.status_code in (201, 409, 422), response.text
            if response.status_code == 201:
                withdrawals.append((showroom, response.json()["id"]))
        elif action == "close" and withdrawals:
            where, withdrawal_id = withdrawals.pop(rng.randrange(len(withdrawals)))
            verb = rng.choice(["return-to-producer", "release"])
            response = await shop.client.post(
                f"/api/v1/showrooms/{where}/withdrawals/{withdrawal_id}/{verb}",
                json={},
                headers=shop.admin,
            )
            assert response.status_code == 200, response.text

    for showroom in showrooms:
        audit = await shop.audit(showroom)
        assert audit["consistent"], audit["problems"]
        rows = (
            await shop.client.get(f"/api/v1/showrooms/{showroom}/stock", headers=shop.admin)
        ).json()
        for row in rows:
            balance = row["balance"]
            assert min(balance["on_hand"], balance["quarantined"], balance["in_transit"]) >= 0
            assert row["available"] == balance["on_hand"] - balance["reserved"]
            for bucket in ("on_hand", "quarantined", "in_transit"):
                assert balance[bucket] == sum(lot[bucket] for lot in row["lots"])
    assert received > 0
    assert sales, "no sale went through: the mix exercised too little"
