from datetime import timedelta

import jwt
import pytest

from ocop_shared.auth import AuthError, Role, decode_token, mint_token
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
