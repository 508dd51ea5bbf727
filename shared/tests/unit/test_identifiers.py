import pytest

from ocop_shared.identifiers import is_gln, is_gtin, is_tax_code


@pytest.mark.parametrize("code", ["8934588012112", "8936036020021", "96385074", "00012345600012"])
def test_valid_gtins_pass_the_gs1_check(code: str) -> None:
    assert is_gtin(code)


@pytest.mark.parametrize(
    "code", ["8934588012113", "893458801211", "abc", "", "1234567", "1234567²", "٩٦٣٨٥٠٧٤"]
)
def test_invalid_gtins_are_refused(code: str) -> None:
    assert not is_gtin(code)


def test_gln_is_thirteen_digits_with_check() -> None:
    assert is_gln("8934588012112")
    assert not is_gln("96385074")


@pytest.mark.parametrize("code", ["2600123456", "2600123456-001", "001234567890"])
def test_tax_codes(code: str) -> None:
    assert is_tax_code(code)


@pytest.mark.parametrize(
    "code", ["26001234", "2600123456-1", "26001234ab", "{'$gt': ''}", "٢٦٠٠١٢٣٤٥٦", "2600123456\n"]
)
def test_bad_tax_codes(code: str) -> None:
    assert not is_tax_code(code)
