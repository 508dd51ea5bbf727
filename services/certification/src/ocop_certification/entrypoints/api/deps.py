"""Dependencies of the certification API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ocop_shared.auth import Principal, Role
from ocop_shared.runtime import ServiceRuntime
from ocop_shared.web.security import require_roles


def get_runtime(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


Runtime = Annotated[ServiceRuntime, Depends(get_runtime)]
Officer = Annotated[Principal, Depends(require_roles(Role.PROVINCE_OFFICER))]
Staff = Annotated[
    Principal,
    Depends(require_roles(Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER, Role.COUNCIL_MEMBER)),
]
