"""REST API under /api/v1: showrooms, stock, point of sale, transfers, withdrawals, reports."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from ocop_orders.adapters.repository import OrdersRepository
from ocop_orders.domain.commands import (
    CloseWithdrawal,
    CreateShowroom,
    CreateTransfer,
    Quarantine,
    ReceiveGoods,
    SetProductSettings,
    StockTake,
    UpdateShowroom,
)
from ocop_orders.domain.model import (
    Alert,
    Balance,
    Showroom,
    Transfer,
    Withdrawal,
)
from ocop_orders.entrypoints.api.deps import (
    AnyStaff,
    ItemId,
    Manager,
    OrdersDep,
    ScopedShowroom,
    ShowroomId,
)
from ocop_orders.service_layer import showrooms
from ocop_orders.service_layer.stock import audit
from ocop_orders.showroom.entrypoints.api.schemas import AuditResult, StockDetail
from ocop_orders.showroom.service_layer import (
    movements,
    producers,
    reports,
    withdrawals,
)
from ocop_orders.showroom.service_layer.reports import DailySummary, StockRow
from ocop_shared.auth import Principal, Role, ensure_producer_scope
from ocop_shared.errors import NotFoundError
from ocop_shared.web.security import require_roles

router = APIRouter(prefix="/api/v1")
ProducerViewer = Annotated[
    Principal,
    Depends(require_roles(Role.PRODUCER, Role.TRADE_STAFF, Role.PROVINCE_OFFICER)),
]

SearchText = Annotated[str | None, Query(max_length=100)]
Day = Annotated[date | None, Query(description="Ngày kinh doanh (mặc định: hôm nay)")]


# -- showrooms -------------------------------------------------------------------------------
@router.post("/showrooms", status_code=status.HTTP_201_CREATED, tags=["showrooms"])
async def create_showroom(body: CreateShowroom, orders: OrdersDep, who: Manager) -> Showroom:
    """Mở điểm bán (với các ki-ốt); có thể đánh dấu là gian hàng hội chợ."""
    return await showrooms.create_showroom(orders, body, who)


@router.get("/showrooms", tags=["showrooms"])
async def list_showrooms(orders: OrdersDep, who: AnyStaff) -> list[Showroom]:
    """Điểm bán của người gọi (người vận hành chỉ thấy điểm được giao)."""
    everything = who.has_any(Role.TRADE_STAFF)
    return await OrdersRepository(orders.db).list_showrooms(
        None if everything else who.showroom_ids
    )


@router.get("/showrooms/{showroom_id}", tags=["showrooms"])
async def get_showroom(showroom_id: ScopedShowroom, orders: OrdersDep) -> Showroom:
    return await OrdersRepository(orders.db).get_showroom(showroom_id)


@router.patch("/showrooms/{showroom_id}", tags=["showrooms"])
async def update_showroom(
    showroom_id: ShowroomId, body: UpdateShowroom, orders: OrdersDep, who: Manager
) -> Showroom:
    return await showrooms.update_showroom(orders, showroom_id, body, who)


# -- stock -----------------------------------------------------------------------------------
@router.get("/showrooms/{showroom_id}/stock", tags=["stock"])
async def list_stock(
    showroom_id: ScopedShowroom,
    orders: OrdersDep,
    q: SearchText = None,
    status_filter: Annotated[
        str | None, Query(alias="status", pattern="^(low|blocked|quarantine|expiring)$")
    ] = None,
) -> list[StockRow]:
    """Tồn kho: trên kệ, giữ chỗ, khả dụng, cách ly, đang chuyển đến, theo lô."""
    showroom = await OrdersRepository(orders.db).get_showroom(showroom_id)
    return await reports.stock_rows(orders, showroom, text=q, status=status_filter)


@router.get("/showrooms/{showroom_id}/stock/{product_id}", tags=["stock"])
async def stock_detail(
    showroom_id: ScopedShowroom, product_id: ItemId, orders: OrdersDep
) -> StockDetail:
    repository = OrdersRepository(orders.db)
    product = await repository.get_product(product_id)
    balance = await repository.find_balance(showroom_id, product_id)
    if balance is None:
        raise NotFoundError("Điểm bán chưa nhập sản phẩm này", field="product_id")
    ledger = await repository.ledger(showroom_id, product_id)
    for entry in ledger:
        entry["id"] = entry.pop("_id")
    return StockDetail(
        product=product,
        balance=balance,
        lots=await repository.lots(showroom_id, product_id),
        ledger=ledger,
    )


@router.put("/showrooms/{showroom_id}/stock/{product_id}/settings", tags=["stock"])
async def set_stock_settings(
    showroom_id: ScopedShowroom,
    product_id: ItemId,
    body: SetProductSettings,
    orders: OrdersDep,
    who: AnyStaff,
) -> Balance:
    """Giá bán tại quầy và ngưỡng cảnh báo sắp hết hàng của sản phẩm."""
    return await movements.set_product_settings(orders, showroom_id, product_id, body, who)


@router.post("/showrooms/{showroom_id}/receipts", status_code=201, tags=["stock"])
async def receive_goods(
    showroom_id: ScopedShowroom, body: ReceiveGoods, orders: OrdersDep, who: AnyStaff
) -> list[Balance]:
    """Nhập hàng ký gửi từ nhà sản xuất (theo lô, hạn sử dụng cho thực phẩm)."""
    return await movements.receive_goods(orders, showroom_id, body, who)


@router.post("/showrooms/{showroom_id}/stock-takes", status_code=201, tags=["stock"])
async def stock_take(
    showroom_id: ScopedShowroom, body: StockTake, orders: OrdersDep, who: AnyStaff
) -> list[Balance]:
    """Kiểm kê: chênh lệch được ghi thành điều chỉnh có lý do."""
    return await movements.stock_take(orders, showroom_id, body, who)


@router.get("/showrooms/{showroom_id}/audit", tags=["stock"])
async def audit_stock(showroom_id: ScopedShowroom, orders: OrdersDep) -> AuditResult:
    """Đối chiếu sổ kho: số dư và lô phải bằng tổng các bút toán."""
    problems = await audit(orders.db, showroom_id)
    return AuditResult(showroom_id=showroom_id, consistent=not problems, problems=problems)


# -- transfers -------------------------------------------------------------------------------
@router.post("/showrooms/{showroom_id}/transfers", status_code=201, tags=["transfers"])
async def create_transfer(
    showroom_id: ScopedShowroom, body: CreateTransfer, orders: OrdersDep, who: AnyStaff
) -> Transfer:
    """Chuyển hàng sang điểm bán khác (hàng ở trạng thái đang chuyển đến khi bên nhận xác nhận)."""
    return await movements.create_transfer(orders, showroom_id, body, who)


@router.get("/showrooms/{showroom_id}/transfers", tags=["transfers"])
async def list_transfers(showroom_id: ScopedShowroom, orders: OrdersDep) -> list[Transfer]:
    return await OrdersRepository(orders.db).transfers_of(showroom_id)


@router.post("/showrooms/{showroom_id}/transfers/{transfer_id}/receive", tags=["transfers"])
async def receive_transfer(
    showroom_id: ScopedShowroom, transfer_id: ItemId, orders: OrdersDep, who: AnyStaff
) -> Transfer:
    return await movements.receive_transfer(orders, showroom_id, transfer_id, who)


# -- withdrawals and alerts ------------------------------------------------------------------
@router.post("/showrooms/{showroom_id}/withdrawals", status_code=201, tags=["withdrawals"])
async def quarantine(
    showroom_id: ScopedShowroom, body: Quarantine, orders: OrdersDep, who: AnyStaff
) -> Withdrawal:
    """Rút hàng khỏi kệ vào khu cách ly (hết hạn, hư hỏng...)."""
    return await withdrawals.quarantine(orders, showroom_id, body, who)


@router.get("/showrooms/{showroom_id}/withdrawals", tags=["withdrawals"])
async def list_withdrawals(
    showroom_id: ScopedShowroom, orders: OrdersDep, open_only: bool = True
) -> list[Withdrawal]:
    return await OrdersRepository(orders.db).withdrawals(showroom_id, open_only=open_only)


@router.post(
    "/showrooms/{showroom_id}/withdrawals/{withdrawal_id}/return-to-producer",
    tags=["withdrawals"],
)
async def return_to_producer(
    showroom_id: ScopedShowroom,
    withdrawal_id: ItemId,
    body: CloseWithdrawal,
    orders: OrdersDep,
    who: AnyStaff,
) -> Withdrawal:
    """Trả hàng cách ly lại nhà sản xuất (đóng phiếu rút hàng)."""
    return await withdrawals.close_withdrawal(
        orders, showroom_id, withdrawal_id, body, who, release=False
    )


@router.post("/showrooms/{showroom_id}/withdrawals/{withdrawal_id}/release", tags=["withdrawals"])
async def release_withdrawal(
    showroom_id: ScopedShowroom,
    withdrawal_id: ItemId,
    body: CloseWithdrawal,
    orders: OrdersDep,
    who: AnyStaff,
) -> Withdrawal:
    """Đưa hàng cách ly trở lại kệ khi sản phẩm được phép bán lại (ví dụ đã cấp lại GCN)."""
    return await withdrawals.close_withdrawal(
        orders, showroom_id, withdrawal_id, body, who, release=True
    )


@router.get("/showrooms/{showroom_id}/alerts", tags=["alerts"])
async def list_alerts(showroom_id: ScopedShowroom, orders: OrdersDep) -> list[Alert]:
    """Cảnh báo: sắp hết hàng, lô sắp/đã hết hạn, phiếu rút hàng cần xử lý."""
    showroom = await OrdersRepository(orders.db).get_showroom(showroom_id)
    return await reports.alerts(orders, showroom)


@router.get("/showrooms/{showroom_id}/reports/daily", tags=["reports"])
async def daily_report(
    showroom_id: ScopedShowroom, orders: OrdersDep, day: Day = None
) -> DailySummary:
    """Tổng kết ngày: doanh thu, theo hình thức thanh toán, số tiền nợ từng nhà sản xuất."""
    showroom = await OrdersRepository(orders.db).get_showroom(showroom_id)
    return await reports.daily_summary(orders, showroom, day or orders.clock.today())


@router.get("/producers/{producer_id}/statement", tags=["reports"])
async def producer_statement(
    producer_id: ItemId,
    orders: OrdersDep,
    who: ProducerViewer,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
) -> producers.ProducerStatement:
    """A producer's consigned stock per showroom, its sales and what each showroom owes it
    (default period: this month). A producer account sees only its own producer id."""
    ensure_producer_scope(who, producer_id)
    today = orders.clock.today()
    last = end or today
    return await producers.statement(orders, producer_id, start or last.replace(day=1), last)
