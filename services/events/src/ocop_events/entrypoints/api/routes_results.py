"""Fair results under /api/v1: participant reports and the figures behind the dashboard."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ocop_events.domain.commands import FileFairReport
from ocop_events.domain.model import Participation
from ocop_events.domain.results import Results
from ocop_events.entrypoints.api.deps import AppClock, Id, Runtime, Staff, StaffOrProducer
from ocop_events.service_layer import results

router = APIRouter(prefix="/api/v1", tags=["results"])


@router.put("/participations/{participation_id}/report")
async def file_report(
    participation_id: Id,
    body: FileFairReport,
    runtime: Runtime,
    clock: AppClock,
    who: StaffOrProducer,
) -> Participation:
    """Chủ thể báo cáo doanh số ngoài máy bán hàng, lượt khách, hợp đồng ký kết."""
    return await results.file_report(runtime, participation_id, body, who, clock)


@router.get("/results")
async def get_results(
    runtime: Runtime,
    _: Staff,
    event_id: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
) -> Results:
    """Kết quả theo sự kiện, chủ thể, sản phẩm, nhóm sản phẩm; kết nối theo từng bước."""
    return await results.results(runtime, event_id)
