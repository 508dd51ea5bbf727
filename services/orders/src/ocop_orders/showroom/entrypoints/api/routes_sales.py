"""Point-of-sale API: what the till may sell, sales (Idempotency-Key), receipts' VietQR,
bank transfers seen to arrive, returns and voids."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response
from pydantic import BaseModel

from ocop_orders.adapters.repository import OrdersRepository
from ocop_orders.domain import fefo
from ocop_orders.domain.commands import (
    RecordReturn,
    RecordSale,
    VoidSale,
)
from ocop_orders.domain.eligibility import block_reason
from ocop_orders.domain.model import (
    Lot,
    Sale,
)
from ocop_orders.entrypoints.api.deps import (
    AnyStaff,
    ItemId,
    OrdersDep,
    ScopedShowroom,
)
from ocop_orders.showroom.domain import vietqr
from ocop_orders.showroom.entrypoints.api.routes import Day, SearchText
from ocop_orders.showroom.entrypoints.api.schemas import ProductChoice
from ocop_orders.showroom.service_layer import (
    returns,
    sales,
)
from ocop_shared.errors import NotFoundError

router = APIRouter(prefix="/api/v1")
IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=8,
        max_length=100,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        description="Khoá máy bán hàng tạo cho mỗi giao dịch; gửi lại cùng khoá không bán hai lần",
    ),
]
OptionalIdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", min_length=8, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$"),
]
SALE_EXCLUDE = {"fingerprint"}


# -- point of sale ---------------------------------------------------------------------------
@router.get("/showrooms/{showroom_id}/products", tags=["sales"])
async def find_products(
    showroom_id: ScopedShowroom,
    orders: OrdersDep,
    q: SearchText = None,
    gtin: Annotated[str | None, Query(pattern=r"^\d{8,14}$")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 30,
) -> list[ProductChoice]:
    """Tìm sản phẩm để bán (tên không dấu, hoặc quét mã vạch GTIN)."""
    repository = OrdersRepository(orders.db)
    showroom = await repository.get_showroom(showroom_id)
    today = orders.clock.today()
    found = await repository.search_products(q, gtin=gtin, limit=limit)
    ids = [p.id for p in found]
    balances = await repository.balances_for(showroom_id, ids)
    lots: dict[str, list[Lot]] = {}
    for lot in await repository.lots_for(showroom_id, ids):
        lots.setdefault(lot.product_id, []).append(lot)
    choices = []
    for product in found:
        balance = balances.get(product.id)
        reason = block_reason(product, showroom, today)
        price = balance.price_vnd if balance and balance.price_vnd is not None else None
        choices.append(
            ProductChoice(
                product=product,
                price_vnd=price if price is not None else product.suggested_price_vnd,
                available=sum(
                    lot.on_hand for lot in fefo.sellable_lots(lots.get(product.id, []), today)
                ),
                sellable=reason is None,
                block_reason=reason,
            )
        )
    return choices


@router.post(
    "/showrooms/{showroom_id}/sales",
    status_code=201,
    tags=["sales"],
    response_model_exclude=SALE_EXCLUDE,
    responses={409: {"description": "Hết hàng hoặc sản phẩm không được phép bán"}},
)
async def record_sale(
    showroom_id: ScopedShowroom,
    body: RecordSale,
    idempotency_key: IdempotencyKey,
    orders: OrdersDep,
    who: AnyStaff,
    response: Response,
) -> Sale:
    """Bán hàng. Gửi lại cùng Idempotency-Key trả về đúng hoá đơn đã lập, không bán lần hai."""
    sale, replayed = await sales.record_sale(orders, showroom_id, body, idempotency_key, who)
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return sale


@router.get("/showrooms/{showroom_id}/sales", tags=["sales"], response_model_exclude=SALE_EXCLUDE)
async def list_sales(showroom_id: ScopedShowroom, orders: OrdersDep, day: Day = None) -> list[Sale]:
    return await OrdersRepository(orders.db).sales_of_day(showroom_id, day or orders.clock.today())


@router.get(
    "/showrooms/{showroom_id}/sales/{sale_id}",
    tags=["sales"],
    response_model_exclude=SALE_EXCLUDE,
)
async def get_sale(showroom_id: ScopedShowroom, sale_id: ItemId, orders: OrdersDep) -> Sale:
    return await OrdersRepository(orders.db).get_sale(showroom_id, sale_id)


class VietQR(BaseModel):
    payload: str
    """Encode this string in a QR code; any Vietnamese banking app reads it."""
    amount_vnd: int
    reference: str
    bank_bin: str
    account_number: str
    account_name: str


@router.get("/showrooms/{showroom_id}/sales/{sale_id}/vietqr", tags=["sales"])
async def sale_vietqr(showroom_id: ScopedShowroom, sale_id: ItemId, orders: OrdersDep) -> VietQR:
    """The VietQR for a bank-transfer sale (amount = total, content = receipt number)."""
    repository = OrdersRepository(orders.db)
    showroom = await repository.get_showroom(showroom_id)
    sale = await repository.get_sale(showroom_id, sale_id)
    payload = vietqr.for_sale(showroom, sale)
    if payload is None or showroom.bank is None:
        raise NotFoundError(
            "Hoá đơn không thanh toán chuyển khoản hoặc điểm bán chưa khai báo tài khoản",
            field="sale_id",
        )
    return VietQR(
        payload=payload,
        amount_vnd=sale.total_vnd,
        reference=sale.payment.reference or sale.receipt_number,
        bank_bin=showroom.bank.bank_bin,
        account_number=showroom.bank.account_number,
        account_name=showroom.bank.account_name,
    )


@router.post(
    "/showrooms/{showroom_id}/sales/{sale_id}/payment-confirmation",
    tags=["sales"],
    response_model_exclude=SALE_EXCLUDE,
)
async def confirm_transfer(
    showroom_id: ScopedShowroom, sale_id: ItemId, orders: OrdersDep, who: AnyStaff
) -> Sale:
    """A bank transfer arrived: the operator checked it against the receipt number."""
    return await sales.confirm_transfer(orders, showroom_id, sale_id, who)


@router.post(
    "/showrooms/{showroom_id}/sales/{sale_id}/returns",
    status_code=201,
    tags=["sales"],
    response_model_exclude=SALE_EXCLUDE,
)
async def record_return(
    showroom_id: ScopedShowroom,
    sale_id: ItemId,
    body: RecordReturn,
    orders: OrdersDep,
    who: AnyStaff,
    idempotency_key: OptionalIdempotencyKey = None,
) -> Sale:
    """Khách trả hàng: hoàn tiền theo dòng; hàng hỏng vào khu cách ly."""
    return await returns.record_return(orders, showroom_id, sale_id, body, who, idempotency_key)


@router.post(
    "/showrooms/{showroom_id}/sales/{sale_id}/void",
    tags=["sales"],
    response_model_exclude=SALE_EXCLUDE,
)
async def void_sale(
    showroom_id: ScopedShowroom, sale_id: ItemId, body: VoidSale, orders: OrdersDep, who: AnyStaff
) -> Sale:
    """Huỷ hoá đơn trong ngày (hàng về lại lô cũ)."""
    return await returns.void_sale(orders, showroom_id, sale_id, body, who)
