"""The dossier state machine: legal paths, refusals naming the state, audit of every step."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ocop_certification.domain.dossiers import (
    TRANSITIONS,
    Action,
    Dossier,
    DossierStatus,
    IllegalTransitionError,
    Registration,
    apply,
)
from ocop_certification.domain.rules import RoundLevel

AT = datetime(2025, 10, 1, 3, tzinfo=UTC)
S = DossierStatus


def draft() -> Dossier:
    return Dossier(
        id="hs-1",
        product_id="sp-1",
        producer_id="prd-1",
        round_id="dot-1",
        level=RoundLevel.DISTRICT,
        rule_set="148",
        subgroup_code="2.1",
        criteria_set="product",
        registration=Registration(description="Chè búp tím Long Cốc", target_stars=3),
        created_by="prd-user",
    )


PATHS = [
    (
        [
            Action.SUBMIT,
            Action.CHECK,
            Action.START_EVALUATION,
            Action.CLOSE_SCORING,
            Action.RECOGNISE,
        ],
        S.RECOGNISED,
    ),
    (
        [
            Action.SUBMIT,
            Action.CHECK,
            Action.START_EVALUATION,
            Action.CLOSE_SCORING,
            Action.NOT_RECOGNISE,
        ],
        S.NOT_RECOGNISED,
    ),
    (
        [
            Action.SUBMIT,
            Action.CHECK,
            Action.START_EVALUATION,
            Action.CLOSE_SCORING,
            Action.FORWARD,
            Action.TRANSFER,
            Action.START_EVALUATION,
        ],
        S.UNDER_EVALUATION,
    ),
    ([Action.SUBMIT, Action.RETURN, Action.SUBMIT], S.SUBMITTED),
    ([Action.SUBMIT, Action.CHECK, Action.FORWARD], S.FORWARDED),  # commune pre-check (1489)
]


@pytest.mark.parametrize(("actions", "end"), PATHS)
def test_legal_paths_reach_their_state_and_audit_each_step(
    actions: list[Action], end: DossierStatus
) -> None:
    dossier = draft()
    for i, action in enumerate(actions):
        dossier = apply(dossier, action, by=f"user-{i}", at=AT, reason=f"bước {i}")
    assert dossier.status is end
    assert [t.action for t in dossier.history] == actions
    assert [t.by for t in dossier.history] == [f"user-{i}" for i in range(len(actions))]
    assert all(t.at == AT and t.reason for t in dossier.history)
    assert dossier.history[0].from_status is S.DRAFT
    assert dossier.version == 1 + len(actions)


ILLEGAL = [
    (status, action)
    for action, (allowed, _) in TRANSITIONS.items()
    for status in DossierStatus
    if status not in allowed
]


@pytest.mark.parametrize(("status", "action"), ILLEGAL)
def test_every_illegal_transition_is_refused_and_changes_nothing(
    status: DossierStatus, action: Action
) -> None:
    dossier = draft().model_copy(update={"status": status})
    with pytest.raises(IllegalTransitionError) as info:
        apply(dossier, action, by="u", at=AT)
    assert info.value.field == "status"
    assert info.value.status == 409
    assert dossier.history == ()


def test_terminal_states_have_no_way_out_but_forwarded() -> None:
    outgoing = {s for allowed, _ in TRANSITIONS.values() for s in allowed}
    assert S.RECOGNISED not in outgoing and S.NOT_RECOGNISED not in outgoing
    assert S.FORWARDED in outgoing
