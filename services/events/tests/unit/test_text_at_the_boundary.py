"""Every text a person sends to the events service goes through the kernel's text rule."""

from __future__ import annotations

import inspect
from datetime import date

import pytest
from pydantic import BaseModel, ValidationError

from ocop_events.domain import commands, matching_commands
from ocop_shared.text import unchecked_text_fields


def _inputs() -> list[type[BaseModel]]:
    return [
        obj
        for module in (commands, matching_commands)
        for obj in vars(module).values()
        if inspect.isclass(obj)
        and issubclass(obj, BaseModel)
        and obj.__module__ == module.__name__
        and not obj.__name__.startswith("_")
    ]


@pytest.mark.parametrize("model", _inputs(), ids=lambda m: m.__name__)
def test_every_text_field_of_an_input_follows_the_text_rule(model: type[BaseModel]) -> None:
    assert unchecked_text_fields(model) == []


def test_an_event_name_with_a_control_character_is_refused_and_a_note_keeps_its_lines() -> None:
    fields = {
        "kind": "fair",
        "venue": "Quảng trường Hùng Vương",
        "province": "Phú Thọ",
        "organiser": "Sở Công Thương",
        "starts_on": date(2026, 12, 1),
        "ends_on": date(2026, 12, 5),
        "registration_opens": date(2026, 11, 1),
        "registration_closes": date(2026, 11, 25),
    }
    with pytest.raises(ValidationError) as caught:
        commands.CreateTradeEvent(name="Hội chợ\x00 OCOP", **fields)  # type: ignore[arg-type]
    assert [e["loc"] for e in caught.value.errors()] == [("name",)]
    event = commands.CreateTradeEvent(
        name="Hội chợ OCOP",
        description="Dòng 1\r\nDòng 2",
        **fields,  # type: ignore[arg-type]
    )
    assert event.description == "Dòng 1\nDòng 2"
