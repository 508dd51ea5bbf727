"""Every text a person or partner sends to orders goes through the kernel's text rule, and
problems name the fields in Vietnamese."""

from __future__ import annotations

import inspect

import pytest
from pydantic import BaseModel, ValidationError

from ocop_orders.domain import commands
from ocop_orders.ecommerce.domain import model as ecommerce
from ocop_orders.ecommerce.entrypoints.api.routes import Acknowledge
from ocop_orders.ecommerce.service_layer.shipping import CancelShipment, CreateShipment
from ocop_orders.marketplace.entrypoints.api.routes import CreateListing, Redrive
from ocop_shared.text import unchecked_text_fields

COMMANDS = [
    obj
    for obj in vars(commands).values()
    if inspect.isclass(obj)
    and issubclass(obj, BaseModel)
    and obj.__module__ == commands.__name__
    and not obj.__name__.startswith("_")
]
INPUTS = [
    *COMMANDS,
    ecommerce.Address,
    ecommerce.Buyer,
    ecommerce.OrderLineIn,
    ecommerce.Fulfilment,
    ecommerce.OrderBody,
    ecommerce.PlaceOrder,
    ecommerce.CancelOrder,
    ecommerce.RefundOrder,
    ecommerce.SetProducerStock,
    Acknowledge,
    CreateShipment,
    CancelShipment,
    CreateListing,
    Redrive,
]


def test_every_command_model_is_walked() -> None:
    assert len(COMMANDS) >= 20


@pytest.mark.parametrize("model", INPUTS, ids=lambda m: m.__name__)
def test_every_text_field_of_an_input_follows_the_text_rule(model: type[BaseModel]) -> None:
    assert unchecked_text_fields(model) == []


def test_a_control_character_in_a_void_reason_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError) as caught:
        commands.VoidSale(reason="Khách đổi ý\x03")
    (error,) = caught.value.errors()
    assert error["loc"] == ("reason",)
    assert error["type"] == "text_control_characters"
    assert "ký tự điều khiển" in error["msg"]


def test_text_is_trimmed_and_composed() -> None:
    decomposed = "Chè bu\u0301p ti\u0301m"
    showroom = commands.CreateShowroom(
        code="VT", name=f"  {decomposed} ", address="Chợ Việt Trì", province="Phú Thọ"
    )
    assert showroom.name == "Chè búp tím"
    buyer = ecommerce.Buyer.model_validate(
        {"name": " Nguyễn Văn A ", "phone": "0912345678",
         "address": {"province": "Phú Thọ", "commune": "Hùng Lô", "street": "Số 1"}}
    )  # fmt: skip
    assert buyer.name == "Nguyễn Văn A"


def test_fields_are_titled_in_vietnamese() -> None:
    schema = commands.RecordSale.model_json_schema()
    assert schema["properties"]["kiosk_code"]["title"] == "Ki-ốt"
    assert ecommerce.CancelOrder.model_json_schema()["properties"]["reason"]["title"] == "Lý do"
