"""The roles a token can carry, on their own: importing them costs nothing (the `ocop`
command's options list them without loading JWT and crypto; `ocop_shared.auth` re-exports)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    PROVINCE_OFFICER = "province_officer"
    COMMUNE_OFFICER = "commune_officer"
    COUNCIL_MEMBER = "council_member"
    PRODUCER = "producer"
    SHOWROOM_OPERATOR = "showroom_operator"
    TRADE_STAFF = "trade_staff"
    BUYER = "buyer"
