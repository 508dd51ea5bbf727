"""Dependencies of the events API: runtime, clock, roles."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from ocop_shared.auth import Principal, Role
from ocop_shared.runtime import ServiceRuntime
from ocop_shared.timeutil import Clock
from ocop_shared.web.security import require_roles


def get_runtime(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


def get_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


Runtime = Annotated[ServiceRuntime, Depends(get_runtime)]
AppClock = Annotated[Clock, Depends(get_clock)]
Staff = Annotated[Principal, Depends(require_roles(Role.TRADE_STAFF))]
StaffOrProducer = Annotated[Principal, Depends(require_roles(Role.TRADE_STAFF, Role.PRODUCER))]
StaffOrBuyer = Annotated[Principal, Depends(require_roles(Role.TRADE_STAFF, Role.BUYER))]
AnyTradeRole = Annotated[
    Principal, Depends(require_roles(Role.TRADE_STAFF, Role.PRODUCER, Role.BUYER))
]

Id = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
