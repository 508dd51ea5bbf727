"""Dependencies of the certification API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ocop_certification.config import CertificationSettings
from ocop_certification.domain.rules import RuleBook
from ocop_certification.service_layer.context import Context
from ocop_shared.auth import Principal, Role
from ocop_shared.runtime import ServiceRuntime
from ocop_shared.timeutil import Clock
from ocop_shared.web.security import require_roles


def get_runtime(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


def get_context(request: Request) -> Context:
    rules: RuleBook = request.app.state.rules
    clock: Clock = request.app.state.clock
    return Context(request.app.state.runtime, rules, clock)


def get_settings(request: Request) -> CertificationSettings:
    settings: CertificationSettings = request.app.state.settings
    return settings


Runtime = Annotated[ServiceRuntime, Depends(get_runtime)]
Ctx = Annotated[Context, Depends(get_context)]
Settings = Annotated[CertificationSettings, Depends(get_settings)]
Officer = Annotated[Principal, Depends(require_roles(Role.PROVINCE_OFFICER))]
Staff = Annotated[
    Principal,
    Depends(require_roles(Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER, Role.COUNCIL_MEMBER)),
]
LocalOfficer = Annotated[
    Principal, Depends(require_roles(Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER))
]
DossierUser = Annotated[
    Principal,
    Depends(
        require_roles(
            Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER, Role.COUNCIL_MEMBER, Role.PRODUCER
        )
    ),
]
CouncilMember = Annotated[Principal, Depends(require_roles(Role.COUNCIL_MEMBER))]
