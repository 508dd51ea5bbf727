import pytest

from ocop_shared.errors import ValidationFailedError
from ocop_shared.web.forms import whole_number


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("", None),
        ("  ", None),
        ("125000", 125000),
        ("125.000", 125000),
        ("1.250.000", 1250000),
        ("1,250,000", 1250000),
        ("1 250 000", 1250000),
        ("0", 0),
    ],
)
def test_whole_numbers_as_vietnamese_users_type_them(typed: str, expected: int | None) -> None:
    assert whole_number(typed, "price_vnd") == expected


@pytest.mark.parametrize(
    "typed", ["1.5", "1,5", "1.250,000", "12.34.567", "-5", "²", "abc", "9" * 16, "1e3"]
)
def test_anything_else_is_refused_naming_the_field(typed: str) -> None:
    with pytest.raises(ValidationFailedError) as error:
        whole_number(typed, "price_vnd")
    assert error.value.field == "price_vnd"
