"""VietQR payloads that banking apps accept: fields, CRC, a known-good example."""

from __future__ import annotations

import pytest

from ocop_orders.showroom.adapters.qrcode import svg
from ocop_orders.showroom.domain import vietqr

# Published by a VietQR library and scanned by banking apps: 1.000 ₫ to account 257678859 at
# BIN 970416 (ACB) with the content "Chuyen tien".
KNOWN_GOOD = (
    "00020101021238530010A0000007270123000697041601092576788590208QRIBFTTA"
    "5303704540410005802VN62150811Chuyen tien6304BBB8"
)


def test_crc16_ccitt_false_matches_the_standard_check_value() -> None:
    assert vietqr.crc16_ccitt_false(b"123456789") == 0x29B1


def test_payload_is_byte_for_byte_the_known_good_example() -> None:
    assert vietqr.transfer_payload("970416", "257678859", 1000, "Chuyen tien") == KNOWN_GOOD
    assert vietqr.crc_is_valid(KNOWN_GOOD)


def test_a_changed_character_breaks_the_crc() -> None:
    tampered = KNOWN_GOOD.replace("54041000", "54049000")
    assert not vietqr.crc_is_valid(tampered)


def test_sale_payload_carries_the_napas_fields_amount_and_receipt_number() -> None:
    payload = vietqr.transfer_payload("970405", "1500205123456", 240_000, "VT-261124-K01-0001")
    top = vietqr.parse(payload)
    assert top["00"] == "01" and top["01"] == "12"  # dynamic: one sale, one amount
    merchant = vietqr.parse(top["38"])
    assert merchant["00"] == "A000000727"
    assert vietqr.parse(merchant["01"]) == {"00": "970405", "01": "1500205123456"}
    assert merchant["02"] == "QRIBFTTA"
    assert top["53"] == "704" and top["54"] == "240000" and top["58"] == "VN"
    assert vietqr.parse(top["62"]) == {"08": "VT-261124-K01-0001"}
    assert payload.endswith(top["63"]) and vietqr.crc_is_valid(payload)


def test_transfer_content_loses_diacritics_and_symbols() -> None:
    assert vietqr.plain_text("Hoá đơn số #12 – Đền Hùng") == "Hoa don so  12   Den Hung"


@pytest.mark.parametrize(
    ("bank_bin", "account", "amount"),
    [("97040", "123", 1), ("970405", "12-34", 1), ("970405", "123", 0)],
)
def test_bad_inputs_are_refused(bank_bin: str, account: str, amount: int) -> None:
    with pytest.raises(ValueError, match=r"BIN|account|amount"):
        vietqr.transfer_payload(bank_bin, account, amount, "x")


def test_renders_as_inline_svg() -> None:
    out = svg(KNOWN_GOOD)
    assert out.startswith("<svg") and "<?xml" not in out and len(out) < 8000
