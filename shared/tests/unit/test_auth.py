from datetime import timedelta

import jwt
import pytest

from ocop_shared.auth import (
    AuthError,
    Role,
    decode_token,
    ensure_producer_scope,
    ensure_showroom_scope,
    mint_token,
)
from ocop_shared.errors import ForbiddenError
from ocop_shared.settings import ServiceSettings

SETTINGS = ServiceSettings()


def test_minted_token_decodes_to_its_principal() -> None:
    token = mint_token(
        SETTINGS, subject="u1", roles=[Role.SHOWROOM_OPERATOR], showroom_ids=["viet-tri"]
    )
    principal = decode_token(token, SETTINGS)
    assert principal.subject == "u1"
    assert principal.roles == {Role.SHOWROOM_OPERATOR}
    assert principal.showroom_ids == {"viet-tri"}
    assert principal.has_any(Role.SHOWROOM_OPERATOR)
    assert not principal.has_any(Role.PROVINCE_OFFICER)


def test_admin_passes_every_role_check() -> None:
    principal = decode_token(mint_token(SETTINGS, subject="a", roles=[Role.ADMIN]), SETTINGS)
    assert principal.has_any(Role.PRODUCER)


def test_expired_token_is_refused() -> None:
    token = mint_token(SETTINGS, subject="u1", roles=[Role.ADMIN], ttl=timedelta(seconds=-1))
    with pytest.raises(AuthError):
        decode_token(token, SETTINGS)


def test_token_signed_with_another_key_is_refused() -> None:
    token = jwt.encode(
        {"sub": "x", "iss": "ocop-hub", "aud": "ocop-hub", "exp": 9999999999, "roles": ["admin"]},
        "another-secret-of-enough-length-000000",
        algorithm="HS256",
    )
    with pytest.raises(AuthError):
        decode_token(token, SETTINGS)


def test_unknown_role_is_refused() -> None:
    token = jwt.encode(
        {"sub": "x", "iss": "ocop-hub", "aud": "ocop-hub", "exp": 9999999999, "roles": ["god"]},
        SETTINGS.jwt_secret.get_secret_value(),
        algorithm="HS256",
    )
    with pytest.raises(AuthError):
        decode_token(token, SETTINGS)


def test_producer_account_acts_only_for_its_own_producer() -> None:
    token = mint_token(SETTINGS, subject="p", roles=[Role.PRODUCER], producer_id="prd-1")
    principal = decode_token(token, SETTINGS)
    assert principal.may_act_for_producer("prd-1")
    assert not principal.may_act_for_producer("prd-2")
    with pytest.raises(ForbiddenError):
        ensure_producer_scope(principal, "prd-2")


def test_operator_is_scoped_to_named_showrooms() -> None:
    token = mint_token(SETTINGS, subject="o", roles=[Role.SHOWROOM_OPERATOR], showroom_ids=["vt"])
    principal = decode_token(token, SETTINGS)
    assert principal.may_operate_showroom("vt")
    assert not principal.may_operate_showroom("cho-que")
    with pytest.raises(ForbiddenError):
        ensure_showroom_scope(principal, "cho-que")
    officer = decode_token(
        mint_token(SETTINGS, subject="x", roles=[Role.PROVINCE_OFFICER]), SETTINGS
    )
    assert not officer.may_operate_showroom("vt")


def test_production_refuses_the_development_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OCOP_ENVIRONMENT", "production")
    with pytest.raises(ValueError, match="OCOP_JWT_SECRET"):
        ServiceSettings()
    monkeypatch.setenv("OCOP_JWT_SECRET", "x" * 40)
    assert ServiceSettings().environment == "production"
