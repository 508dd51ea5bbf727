"""VietQR (NAPAS) payloads: the EMVCo merchant-presented QR a Vietnamese banking app scans.

A payload is a run of TLV fields (two-digit id, two-digit length, value). For a transfer to
an account ("QRIBFTTA") the beneficiary sits in field 38: GUID A000000727, then the bank's
BIN and the account number; the transfer content (purpose, field 62/08) carries the receipt
number so the bank statement matches the sale. Field 63 is a CRC16/CCITT-FALSE over the whole
payload including "6304".
"""

from __future__ import annotations

import re
import unicodedata

from ocop_orders.domain.model import Sale, Showroom
from ocop_shared.contracts.orders import PaymentMethod

NAPAS_GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"
CURRENCY_VND = "704"
_FREE_TEXT = re.compile(r"[^A-Za-z0-9 .\-/]")


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: polynomial 0x1021, initial 0xFFFF, no reflection, no final xor."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def field(tag: str, value: str) -> str:
    if len(value) > 99:
        raise ValueError(f"VietQR field {tag} longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


def plain_text(text: str, limit: int = 50) -> str:
    """Transfer content without diacritics (banks reject or mangle them), at most `limit`."""
    folded = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_only = "".join(c for c in folded if not unicodedata.combining(c))
    return _FREE_TEXT.sub(" ", ascii_only).strip()[:limit]


def with_crc(body: str) -> str:
    head = body + "6304"
    return head + f"{crc16_ccitt_false(head.encode('utf-8')):04X}"


def transfer_payload(bank_bin: str, account_number: str, amount_vnd: int, purpose: str) -> str:
    """A dynamic (one-sale) VietQR asking for `amount_vnd` to the account, with the purpose."""
    if not re.fullmatch(r"\d{6}", bank_bin):
        raise ValueError("bank BIN must be 6 digits")
    if not re.fullmatch(r"[A-Za-z0-9]{1,19}", account_number):
        raise ValueError("account number must be 1-19 letters or digits")
    if amount_vnd <= 0:
        raise ValueError("amount must be positive")
    beneficiary = field("00", bank_bin) + field("01", account_number)
    merchant = field("00", NAPAS_GUID) + field("01", beneficiary) + field("02", SERVICE_TO_ACCOUNT)
    body = (
        field("00", "01")
        + field("01", "12")
        + field("38", merchant)
        + field("53", CURRENCY_VND)
        + field("54", str(amount_vnd))
        + field("58", "VN")
    )
    content = plain_text(purpose, 25)
    if content:
        body += field("62", field("08", content))
    return with_crc(body)


def parse(payload: str) -> dict[str, str]:
    """Top-level fields of a payload (for tests and for reading a scanned code back)."""
    fields: dict[str, str] = {}
    i = 0
    while i < len(payload):
        tag, size = payload[i : i + 2], int(payload[i + 2 : i + 4])
        fields[tag] = payload[i + 4 : i + 4 + size]
        i += 4 + size
    return fields


def crc_is_valid(payload: str) -> bool:
    return payload[-8:-4] == "6304" and with_crc(payload[:-8]) == payload


def for_sale(showroom: Showroom, sale: Sale) -> str | None:
    """The payload the customer scans for a bank-transfer sale; None when it cannot be paid so."""
    if (
        showroom.bank is None
        or sale.payment.method is not PaymentMethod.BANK_TRANSFER
        or sale.total_vnd <= 0
    ):
        return None
    return transfer_payload(
        showroom.bank.bank_bin,
        showroom.bank.account_number,
        sale.total_vnd,
        sale.payment.reference or sale.receipt_number,
    )
