from datetime import date

from ocop_catalog.domain.eligibility import DEFAULT_POLICIES, ChannelPolicy, eligible_channels
from ocop_catalog.domain.model import CatalogProduct, CertificateState, ProductContent
from ocop_catalog.domain.search import name_key
from ocop_shared.contracts.catalog import CertificateStatus, Channel
from ocop_shared.text import fold, tokens

TODAY = date(2026, 1, 1)


def state(**overrides: object) -> CertificateState:
    fields: dict[str, object] = {
        "certificate_id": "gcn-1",
        "number": "OCOP-1",
        "stars": 4,
        "level": "province",
        "issuing_authority": "UBND",
        "decision_number": "1",
        "valid_from": date(2025, 1, 1),
        "valid_until": date(2028, 1, 1),
        "status": CertificateStatus.ACTIVE,
    }
    fields.update(overrides)
    return CertificateState.model_validate(fields)


def product(cert: CertificateState | None = None, **content: object) -> CatalogProduct:
    return CatalogProduct(
        id="sp-1",
        name="Bưởi Đoan Hùng",
        producer_id="ct-1",
        certificate=cert,
        content=ProductContent.model_validate(content),
    )


def test_folding_removes_vietnamese_diacritics_and_case() -> None:
    assert fold("Bưởi Đoan Hùng") == "buoi doan hung"
    assert tokens("Mì gạo Hùng Lô", "Phú Thọ") == ["mi", "gao", "hung", "lo", "phu", "tho"]


def test_all_tones_and_d_with_stroke_fold_to_plain_letters() -> None:
    assert fold("ĐẶC SẢN ĐỒNG ĐĂNG đậu đen") == "dac san dong dang dau den"
    assert fold("Chè Thôm Loà") == fold("Chè Thôm Lòa") == "che thom loa"
    assert tokens("Rượu đòng nếp gà gáy") == ["ruou", "dong", "nep", "ga", "gay"]


def test_composed_and_decomposed_unicode_give_the_same_tokens() -> None:
    import unicodedata

    name = "Thịt trâu khô Tiến Quang"
    assert tokens(unicodedata.normalize("NFD", name)) == tokens(unicodedata.normalize("NFC", name))


def test_name_key_ignores_punctuation_and_spacing() -> None:
    assert name_key("  Mì gạo  Hùng Lô – loại đặc biệt ") == "mi gao hung lo loai dac biet"


def test_active_certificate_is_eligible_everywhere() -> None:
    assert eligible_channels(product(state()), TODAY) == [
        Channel.SHOWROOM,
        Channel.MARKETPLACE,
        Channel.FAIR,
    ]


def test_certificate_past_its_end_date_counts_as_expired() -> None:
    cert = state(valid_until=date(2025, 12, 31))
    assert cert.status_on(TODAY) is CertificateStatus.EXPIRED
    assert eligible_channels(product(cert), TODAY) == []


def test_revoked_certificate_is_eligible_nowhere() -> None:
    assert eligible_channels(product(state(status=CertificateStatus.REVOKED)), TODAY) == []


def test_key_farm_product_with_traceability_stamp_goes_to_the_showroom_only() -> None:
    key_farm = product(None, key_farm_product=True, traceability_url="https://icheck.vn/p/1")
    assert eligible_channels(key_farm, TODAY) == [Channel.SHOWROOM]


def test_key_farm_product_without_a_stamp_is_not_eligible() -> None:
    assert eligible_channels(product(None, key_farm_product=True), TODAY) == []


def test_a_channel_may_ask_for_more_stars() -> None:
    policies = (*DEFAULT_POLICIES[:2], ChannelPolicy(Channel.FAIR, min_stars=4))
    assert Channel.FAIR not in eligible_channels(product(state(stars=3)), TODAY, policies)
    assert Channel.FAIR in eligible_channels(product(state(stars=4)), TODAY, policies)


def test_expiring_soon_within_the_window_or_after_a_reminder() -> None:
    assert state(valid_until=date(2026, 2, 1)).expiring_soon(TODAY, 90)
    assert not state().expiring_soon(TODAY, 90)
    assert state(expiry_reminder_on=TODAY).expiring_soon(TODAY, 90)
    assert not state(valid_until=date(2025, 12, 1)).expiring_soon(TODAY, 90)  # already over


def test_last_word_is_a_prefix_unless_followed_by_a_space() -> None:
    from ocop_catalog.domain.search import query_words

    assert query_words("Bưởi Đoan H") == (["buoi", "doan"], "h")
    assert query_words("B") == (["b"], None)  # a lone letter stays whole
    assert query_words("Bưởi Đoan Hù") == (["buoi", "doan"], "hu")
    assert query_words("Bưởi Đoan Hùng ") == (["buoi", "doan", "hung"], None)
    assert query_words(None) == ([], None)


VIETNAMESE_LETTERS = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
)


def test_folding_is_the_same_for_any_unicode_form_and_case() -> None:
    import unicodedata

    from hypothesis import given
    from hypothesis import strategies as st

    letters = VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper() + " -0123456789"

    @given(st.text(alphabet=letters, max_size=40))
    def check(text: str) -> None:
        words = tokens(text)
        assert words == tokens(unicodedata.normalize("NFD", text))
        assert words == tokens(text.upper())
        assert all(w.isascii() and w.isalnum() for w in words)

    check()
