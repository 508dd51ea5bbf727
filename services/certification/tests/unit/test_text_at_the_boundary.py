"""Every text a person sends to certification goes through the kernel's text rule."""

from __future__ import annotations

import inspect
import unicodedata

import pytest
from pydantic import BaseModel, ValidationError

from ocop_certification.domain import commands, inspections, rounds, targets
from ocop_certification.domain.commands import RegisterProduct
from ocop_shared.text import unchecked_text_fields

INPUTS = [
    commands.RegisterProducer,
    commands.RegisterProduct,
    commands.IssueCertificate,
    commands.RevokeCertificate,
    commands.CreateDossier,
    commands.UpdateDossier,
    commands.Reason,
    commands.CheckDossier,
    commands.SubmitScoreSheet,
    commands.FinaliseDossier,
    commands.TransferDossier,
    inspections.RecordInspection,
    targets.SetPlanTarget,
    rounds.OpenRound,
    rounds.SetCouncil,
]


def test_the_list_holds_every_command_model() -> None:
    found = {
        obj
        for obj in vars(commands).values()
        if inspect.isclass(obj)
        and issubclass(obj, BaseModel)
        and obj.__module__ == commands.__name__
        and not obj.__name__.startswith("_")
    }
    assert found <= set(INPUTS)


@pytest.mark.parametrize("model", INPUTS, ids=lambda m: m.__name__)
def test_every_text_field_of_an_input_follows_the_text_rule(model: type[BaseModel]) -> None:
    assert unchecked_text_fields(model) == []


def _product(name: str) -> RegisterProduct:
    return RegisterProduct(producer_id="prd-1", name=name, province="Phú Thọ", commune="Hùng Lô")


def test_a_product_name_with_a_control_character_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError) as caught:
        _product("Bưởi\x03 Đoan Hùng")
    (error,) = caught.value.errors()
    assert error["loc"] == ("name",)
    assert error["type"] == "text_control_characters"


def test_a_product_name_typed_decomposed_is_stored_composed() -> None:
    product = _product(unicodedata.normalize("NFD", "Bưởi Đoan Hùng"))
    assert product.name == "Bưởi Đoan Hùng"
    assert unicodedata.is_normalized("NFC", product.name)
