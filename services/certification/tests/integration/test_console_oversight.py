"""Console pages for hậu kiểm and revocation, on the real database and outbox."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import pytest_asyncio

from ocop_certification.config import CertificationSettings
from ocop_certification.domain.rules import default_rule_book
from ocop_certification.entrypoints.api import create_app
from ocop_platform.infra import Endpoints
from ocop_platform.testing.support import isolated_settings, new_run_id, service_api
from ocop_shared.auth import Role, mint_token
from ocop_shared.mongo import create_client
from ocop_shared.timeutil import FixedClock

pytestmark = pytest.mark.integration


class Console:
    def __init__(self, client: httpx.AsyncClient, settings: CertificationSettings) -> None:
        self.client = client
        self.settings = settings

    def token(self, role: Role, producer_id: str | None = None) -> str:
        return mint_token(
            self.settings, subject=f"{role.value}-1", roles=[role], producer_id=producer_id
        )

    def api(self, role: Role = Role.PROVINCE_OFFICER, producer_id: str | None = None) -> Any:
        return {"Authorization": f"Bearer {self.token(role, producer_id)}"}

    async def sign_in(self, role: Role, producer_id: str | None = None) -> None:
        self.client.cookies.clear()
        response = await self.client.post(
            "/dang-nhap", data={"token": self.token(role, producer_id), "next": "/ho-so"}
        )
        assert response.status_code == 303, response.text

    async def ok(self, method: str, url: str, **kw: Any) -> Any:
        response = await self.client.request(method, url, headers=self.api(), **kw)
        assert response.status_code in (200, 201), response.text
        return response.json()

    async def producer(self, name: str, tax_code: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.ok(
            "POST",
            "/api/v1/producers",
            json={
                "name": name,
                "legal_form": "cooperative",
                "tax_code": tax_code,
                "province": "Tuyên Quang",
                "commune": "Nhân Lý",
            },
        )
        return result

    async def product(self, producer_id: str, name: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.ok(
            "POST",
            "/api/v1/products",
            json={
                "producer_id": producer_id,
                "name": name,
                "subgroup_code": "2.1",
                "province": "Tuyên Quang",
                "commune": "Nhân Lý",
            },
        )
        return result

    async def certified_product(self) -> tuple[dict[str, Any], dict[str, Any]]:
        producer = await self.producer("HTX Chè Nhân Sơn", "5000781236")
        product = await self.product(producer["id"], "Chè Thôm Loà")
        certificate = await self.ok(
            "POST",
            "/api/v1/certificates",
            json={
                "product_id": product["id"],
                "stars": 4,
                "level": "province",
                "issuing_authority": "UBND tỉnh Tuyên Quang",
                "decision_number": "1/QĐ-UBND",
                "decision_date": "2025-09-20",
            },
        )
        return product, certificate

    async def outbox_types(self) -> list[tuple[str, str, dict[str, Any]]]:
        mongo = create_client(self.settings.mongodb_uri, app_name="test-outbox")
        try:
            docs = await mongo[self.settings.mongodb_database]["outbox"].find().to_list()
        finally:
            await mongo.close()
        return [(d["type"], d["key"], json.loads(d["payload"])) for d in docs]

    async def count(self, collection: str) -> int:
        mongo = create_client(self.settings.mongodb_uri, app_name="test-count")
        try:
            return await mongo[self.settings.mongodb_database][collection].count_documents({})
        finally:
            await mongo.close()


@pytest_asyncio.fixture
async def console(infra: Endpoints) -> AsyncIterator[Console]:
    settings = isolated_settings(
        CertificationSettings,
        kafka=infra.kafka_bootstrap_servers,
        mongodb=infra.mongodb_uri,
        run_id=new_run_id(),
    )
    clock = FixedClock(datetime(2025, 10, 1, 3, tzinfo=UTC))
    async with service_api(settings, lambda s: create_app(s, clock=clock)) as (client, _):
        yield Console(client, settings)


REVOCATION = {
    "outcome": "violation",
    "inspected_on": "2025-09-30",
    "authority": "Sở Nông nghiệp và Môi trường Tuyên Quang",
    "inspectors": "Nguyễn Văn An, Lê Thị Bình",
    "finding_category": "food_safety",
    "finding_description": "Không có kết quả kiểm nghiệm định kỳ",
    "decision_number": "15/QĐ-UBND",
    "decision_date": "2025-09-30",
    "reason_text": "",
    "issuing_authority": "UBND tỉnh Tuyên Quang",
    "confirm": "yes",
    "action": "revoke",
}


async def test_officer_revokes_from_the_certificate_page_through_the_outbox(
    console: Console,
) -> None:
    product, certificate = await console.certified_product()
    await console.sign_in(Role.PROVINCE_OFFICER)
    register = await console.client.get("/giay-chung-nhan")
    assert f'href="/giay-chung-nhan/{certificate["id"]}"' in register.text
    url = f"/giay-chung-nhan/{certificate['id']}"
    page = await console.client.get(url)
    assert page.status_code == 200
    assert 'id="revoke-certificate"' in page.text and 'id="confirm-revoke"' in page.text
    assert "20/09/2025" in page.text  # dates read dd/mm/yyyy

    done = await console.client.post(f"{url}/hau-kiem", data=REVOCATION)
    assert done.status_code == 303 and done.headers["location"] == f"{url}?ket_qua=thu-hoi"
    shown = await console.client.get(done.headers["location"])
    assert 'data-status="revoked"' in shown.text
    assert "15/QĐ-UBND" in shown.text and "Vi phạm an toàn thực phẩm" in shown.text
    assert 'id="revoke-certificate"' not in shown.text, "a revoked certificate offers no revoke"

    stored = await console.ok("GET", f"/api/v1/certificates/{certificate['id']}")
    assert stored["status"] == "revoked"
    assert stored["revocation"]["reason"] == "Vi phạm an toàn thực phẩm"
    inspections = await console.ok("GET", f"/api/v1/inspections?product_id={product['id']}")
    assert len(inspections) == 1
    assert inspections[0]["inspectors"] == ["Nguyễn Văn An", "Lê Thị Bình"]
    assert inspections[0]["revoked_certificate_id"] == certificate["id"]
    revoked = [
        (key, payload)
        for kind, key, payload in await console.outbox_types()
        if kind.endswith("certificate.revoked.v1")
    ]
    assert len(revoked) == 1 and revoked[0][0] == product["id"]
    assert revoked[0][1]["data"]["decision_number"] == "15/QĐ-UBND"

    again = await console.client.post(f"{url}/hau-kiem", data=REVOCATION)
    assert again.status_code == 409
    assert 'role="alert"' in again.text
    assert await console.count("inspections") == 1, "a refused revocation writes nothing"


async def test_revocation_needs_the_confirmation_and_a_valid_decision(console: Console) -> None:
    _, certificate = await console.certified_product()
    await console.sign_in(Role.PROVINCE_OFFICER)
    url = f"/giay-chung-nhan/{certificate['id']}/hau-kiem"
    unconfirmed = await console.client.post(url, data={**REVOCATION, "confirm": ""})
    assert unconfirmed.status_code == 422 and "xác nhận" in unconfirmed.text
    early = await console.client.post(url, data={**REVOCATION, "decision_date": "2025-01-01"})
    assert early.status_code == 422 and "sau ngày cấp" in early.text
    no_number = await console.client.post(url, data={**REVOCATION, "decision_number": ""})
    assert no_number.status_code == 422 and "Số quyết định: cần ít nhất 1 ký tự" in no_number.text
    future = await console.client.post(url, data={**REVOCATION, "inspected_on": "2030-01-01"})
    assert future.status_code == 422
    other = await console.client.post(
        url, data={**REVOCATION, "finding_category": "other", "finding_description": ""}
    )
    assert other.status_code == 422, "'Khác' needs the reason written out"
    assert 'value="15/QĐ-UBND"' in early.text, "the officer's input is kept on refusal"
    assert await console.count("inspections") == 0
    stored = await console.ok("GET", f"/api/v1/certificates/{certificate['id']}")
    assert stored["status"] == "active"


async def test_a_violation_ground_alone_is_enough_to_revoke(console: Console) -> None:
    _, certificate = await console.certified_product()
    await console.sign_in(Role.PROVINCE_OFFICER)
    url = f"/giay-chung-nhan/{certificate['id']}"
    minimal = {
        **REVOCATION,
        "finding_category": "label_or_mark_misuse",
        "finding_description": "",
        "inspectors": "",
    }
    done = await console.client.post(f"{url}/hau-kiem", data=minimal)
    assert done.status_code == 303, done.text
    stored = await console.ok("GET", f"/api/v1/certificates/{certificate['id']}")
    assert stored["revocation"]["reason"] == "Sử dụng sai nhãn, biểu trưng OCOP"


async def test_compliant_inspection_is_listed_and_keeps_the_certificate(console: Console) -> None:
    _, certificate = await console.certified_product()
    await console.sign_in(Role.PROVINCE_OFFICER)
    url = f"/giay-chung-nhan/{certificate['id']}"
    done = await console.client.post(
        f"{url}/hau-kiem",
        data={
            "outcome": "compliant",
            "inspected_on": "2025-09-28",
            "authority": "Sở Nông nghiệp và Môi trường Tuyên Quang",
            "inspectors": "",
            "finding_description": "",
        },
    )
    assert done.status_code == 303
    shown = await console.client.get(done.headers["location"])
    assert "28/09/2025" in shown.text and "Đạt" in shown.text
    assert 'data-status="active"' in shown.text


async def test_only_a_province_officer_may_revoke_and_others_see_a_page_not_a_500(
    console: Console,
) -> None:
    product, certificate = await console.certified_product()
    url = f"/giay-chung-nhan/{certificate['id']}"
    await console.sign_in(Role.COMMUNE_OFFICER)
    page = await console.client.get(url)
    assert page.status_code == 200 and 'id="revoke-certificate"' not in page.text
    refused = await console.client.post(f"{url}/hau-kiem", data=REVOCATION)
    assert refused.status_code == 403 and 'role="alert"' in refused.text

    await console.sign_in(Role.PRODUCER, producer_id="prd-someone-else")
    assert (await console.client.get(url)).status_code == 403
    assert (await console.client.post(f"{url}/hau-kiem", data=REVOCATION)).status_code == 403
    await console.sign_in(Role.PRODUCER, producer_id=product["producer_id"])
    own = await console.client.get(url)
    assert own.status_code == 200 and 'id="revoke-certificate"' not in own.text

    await console.sign_in(Role.PROVINCE_OFFICER)
    assert (await console.client.get("/giay-chung-nhan/gcn-none")).status_code == 404
    stored = await console.ok("GET", f"/api/v1/certificates/{certificate['id']}")
    assert stored["status"] == "active"


async def test_an_older_certificate_cannot_be_revoked_in_place_of_the_current_one(
    console: Console,
) -> None:
    product, first = await console.certified_product()
    second = await console.ok(
        "POST",
        "/api/v1/certificates",
        json={
            "product_id": product["id"],
            "stars": 5,
            "level": "province",
            "issuing_authority": "UBND tỉnh Tuyên Quang",
            "decision_number": "9/QĐ-UBND",
            "decision_date": "2025-09-25",
        },
    )
    await console.sign_in(Role.PROVINCE_OFFICER)
    refused = await console.client.post(f"/giay-chung-nhan/{first['id']}/hau-kiem", data=REVOCATION)
    assert refused.status_code == 409
    current = await console.ok("GET", f"/api/v1/certificates/{second['id']}")
    assert current["status"] == "active"
    history = await console.client.get(f"/giay-chung-nhan/{second['id']}")
    assert "1/QĐ-UBND" in history.text and "9/QĐ-UBND" in history.text


async def test_officer_finds_products_and_producers_without_diacritics(console: Console) -> None:
    product, certificate = await console.certified_product()
    other = await console.producer("Hộ kinh doanh Mật ong Đồng Văn", "5000123456")
    honey = await console.product(other["id"], "Mật ong bạc hà")
    await console.sign_in(Role.PROVINCE_OFFICER)

    found = await console.client.get("/san-pham", params={"q": "che thom loa"})
    assert found.status_code == 200
    assert f'data-product-id="{product["id"]}"' in found.text
    assert f'data-product-id="{honey["id"]}"' not in found.text
    assert f'href="/giay-chung-nhan/{certificate["id"]}"' in found.text
    assert f'href="/ho-so?product_id={product["id"]}"' in found.text
    assert "ngành Đồ uống" in found.text and "ngành drink" not in found.text  # not the code

    by_owner = await console.client.get("/san-pham", params={"producer_id": other["id"]})
    assert f'data-product-id="{honey["id"]}"' in by_owner.text
    assert f'data-product-id="{product["id"]}"' not in by_owner.text

    for query in ("loa thom che", "Сhè Thôm"):  # any word order; a Cyrillic С reads as C
        again = await console.client.get("/san-pham", params={"q": query})
        assert f'data-product-id="{product["id"]}"' in again.text, query
    producers = await console.client.get("/chu-the", params={"q": "dong van"})
    assert f'data-producer-id="{other["id"]}"' in producers.text
    assert f'data-producer-id="{product["producer_id"]}"' not in producers.text
    none = await console.client.get("/chu-the", params={"q": "khong co ai"})
    assert "Không tìm thấy chủ thể" in none.text
    hostile = await console.client.get("/san-pham", params={"producer_id": "{'$ne': 1}"})
    assert hostile.status_code == 422


async def test_a_producer_sees_only_its_own_products_and_producer(console: Console) -> None:
    product, _ = await console.certified_product()
    other = await console.producer("Hộ kinh doanh Mật ong Đồng Văn", "5000123456")
    honey = await console.product(other["id"], "Mật ong bạc hà")
    await console.sign_in(Role.PRODUCER, producer_id=other["id"])
    mine = await console.client.get("/san-pham")
    assert f'data-product-id="{honey["id"]}"' in mine.text
    assert f'data-product-id="{product["id"]}"' not in mine.text
    sneaky = await console.client.get("/san-pham", params={"producer_id": product["producer_id"]})
    assert f'data-product-id="{product["id"]}"' not in sneaky.text
    producers = await console.client.get("/chu-the")
    assert f'data-producer-id="{other["id"]}"' in producers.text
    assert f'data-producer-id="{product["producer_id"]}"' not in producers.text


CRITERIA = default_rule_book().get("1489").criteria("product")


async def open_commune_round(console: Console) -> dict[str, Any]:
    result: dict[str, Any] = await console.ok(
        "POST",
        "/api/v1/rounds",
        json={
            "level": "commune",
            "province": "Tuyên Quang",
            "commune": "Nhân Lý",
            "year": 2025,
            "number": 1,
            "opens_on": "2025-09-01",
            "submission_deadline": "2025-10-15",
            "scoring_deadline": "2025-11-15",
        },
    )
    return result


async def test_producer_registers_fills_uploads_and_submits_from_the_browser(
    console: Console,
) -> None:
    producer = await console.producer("HTX Chè Nhân Sơn", "5000781236")
    product = await console.product(producer["id"], "Chè Thôm Loà")
    round_ = await open_commune_round(console)
    await console.sign_in(Role.PRODUCER, producer_id=producer["id"])

    form = await console.client.get("/ho-so/moi")
    assert form.status_code == 200
    assert f'value="{product["id"]}"' in form.text and f'value="{round_["id"]}"' in form.text
    short = await console.client.post(
        "/ho-so/moi",
        data={"product_id": product["id"], "round_id": round_["id"], "description": "ngắn"},
    )
    assert short.status_code == 422 and "Mô tả: cần ít nhất 10 ký tự" in short.text
    created = await console.client.post(
        "/ho-so/moi",
        data={
            "product_id": product["id"],
            "round_id": round_["id"],
            "description": "Chè xanh Thôm Loà, sao thủ công",
            "target_stars": "4",
            "production_capacity": "5 tấn/năm",
        },
    )
    assert created.status_code == 303, created.text
    url = created.headers["location"].split("?")[0]
    draft = await console.client.get(url)
    assert 'id="draft-form"' in draft.text and 'id="evidence-form"' in draft.text

    scores = {f"self_{c.code}": f"{c.max_points:g}".replace(".", ",") for c in CRITERIA}
    saved = await console.client.post(
        f"{url}/tu-danh-gia",
        data={**scores, "description": "Chè xanh Thôm Loà, sao thủ công", "target_stars": "5"},
    )
    assert saved.status_code == 303, saved.text
    too_high = await console.client.post(
        f"{url}/tu-danh-gia",
        data={**scores, f"self_{CRITERIA[0].code}": "999", "description": "Chè xanh Thôm Loà"},
    )
    assert too_high.status_code == 422

    pdf = b"%PDF-1.7\n" + b"0" * 2000
    uploaded = await console.client.post(
        f"{url}/minh-chung",
        data={"kind": "self_assessment", "part": "A"},
        files={"file": ("tu-danh-gia.pdf", pdf, "application/pdf")},
    )
    assert uploaded.status_code == 303, uploaded.text
    fake = await console.client.post(
        f"{url}/minh-chung",
        data={"kind": "self_assessment"},
        files={"file": ("virus.pdf", b"MZ\x90\x00" * 10, "application/pdf")},
    )
    assert fake.status_code == 422 and 'role="alert"' in fake.text

    submitted = await console.client.post(f"{url}/thao-tac", data={"action": "submit"})
    assert submitted.status_code == 303
    dossier_id = url.rsplit("/", 1)[1]
    stored = await console.ok("GET", f"/api/v1/dossiers/{dossier_id}")
    assert stored["status"] == "submitted"
    assert stored["registration"]["target_stars"] == 5
    assert sum(stored["self_assessment"].values()) == pytest.approx(100)
    assert [e["filename"] for e in stored["evidence"]] == ["tu-danh-gia.pdf"]
    after = await console.client.get(url)
    assert 'id="draft-form"' not in after.text, "a submitted dossier is no longer editable"


async def test_a_producer_cannot_see_or_change_another_producers_dossier_in_the_console(
    console: Console,
) -> None:
    owner = await console.producer("HTX Chè Nhân Sơn", "5000781236")
    product = await console.product(owner["id"], "Chè Thôm Loà")
    intruder = await console.producer("Hộ kinh doanh Mật ong Đồng Văn", "5000123456")
    round_ = await open_commune_round(console)
    await console.sign_in(Role.PRODUCER, producer_id=owner["id"])
    created = await console.client.post(
        "/ho-so/moi",
        data={
            "product_id": product["id"],
            "round_id": round_["id"],
            "description": "Chè xanh Thôm Loà, sao thủ công",
            "target_stars": "3",
        },
    )
    url = created.headers["location"].split("?")[0]
    dossier_id = url.rsplit("/", 1)[1]

    await console.sign_in(Role.PRODUCER, producer_id=intruder["id"])
    assert dossier_id not in (await console.client.get("/ho-so")).text
    assert (await console.client.get(url)).status_code == 403
    form = await console.client.get("/ho-so/moi")
    assert f'value="{product["id"]}"' not in form.text
    scores = {f"self_{c.code}": "1" for c in CRITERIA}
    edit = await console.client.post(
        f"{url}/tu-danh-gia", data={**scores, "description": "Hồ sơ bị sửa trộm"}
    )
    assert edit.status_code == 403
    upload = await console.client.post(
        f"{url}/minh-chung",
        data={"kind": "self_assessment"},
        files={"file": ("a.pdf", b"%PDF-1.7\n" + b"0" * 100, "application/pdf")},
    )
    assert upload.status_code == 403
    submit = await console.client.post(f"{url}/thao-tac", data={"action": "submit"})
    assert submit.status_code == 403
    stolen = await console.client.post(
        "/ho-so/moi",
        data={
            "product_id": product["id"],
            "round_id": round_["id"],
            "description": "Hồ sơ giả mạo cho sản phẩm người khác",
            "target_stars": "5",
        },
    )
    assert stolen.status_code == 403
    stored = await console.ok("GET", f"/api/v1/dossiers/{dossier_id}")
    assert stored["status"] == "draft" and stored["self_assessment"] is None
    assert stored["evidence"] == [] and stored["registration"]["target_stars"] == 3
    assert await console.count("dossiers") == 1


async def test_pages_link_to_each_other_and_mark_the_current_section(console: Console) -> None:
    product, certificate = await console.certified_product()
    await console.sign_in(Role.PROVINCE_OFFICER)
    products = await console.client.get("/san-pham")
    assert '<a href="/san-pham" class="current" aria-current="page">' in products.text
    for link in ("/chu-the", "/giay-chung-nhan", "/ke-hoach", "/ho-so"):
        assert f'href="{link}"' in products.text
    empty = await console.client.get("/ho-so", params={"product_id": product["id"]})
    assert "Chưa có hồ sơ nào" in empty.text and 'id="new-dossier"' in empty.text
    await console.sign_in(Role.PRODUCER, producer_id=product["producer_id"])
    own = await console.client.get("/san-pham")
    assert f'href="/giay-chung-nhan/{certificate["id"]}"' in own.text
    assert 'href="/chu-the"' not in own.text, "producers get only their own sections"
