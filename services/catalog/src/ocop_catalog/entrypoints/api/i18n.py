"""English for visitors who ask for it (`?lang=en`, remembered in a cookie); Vietnamese first.

Templates write Vietnamese and pass it through `_()`; a missing translation shows the
Vietnamese text, never an empty label. Product content stays as the province wrote it.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request

LANGUAGES = ("vi", "en")
COOKIE = "lang"

EN: dict[str, str] = {
    "Sản phẩm OCOP – Mỗi xã một sản phẩm": "OCOP products – One Commune One Product",
    "Sản phẩm OCOP": "OCOP products",
    "Danh mục": "Catalogue",
    "Sản phẩm 5 sao": "5-star products",
    "Sắp hết hạn": "Expiring soon",
    "Danh mục sản phẩm OCOP": "OCOP product catalogue",
    "Tìm sản phẩm, ví dụ: bưởi Đoan Hùng": "Search products, e.g. buoi Doan Hung",
    "Tìm sản phẩm": "Search products",
    "Hạng sao": "Stars",
    "Mọi hạng sao": "Any stars",
    "Từ {} sao": "{}+ stars",
    "Tỉnh": "Province",
    "Mọi tỉnh": "All provinces",
    "Xã, phường": "Commune",
    "Nhóm sản phẩm": "Product group",
    "Mọi nhóm": "All groups",
    "Nơi bán": "Where sold",
    "Mọi kênh": "All channels",
    "Giấy chứng nhận": "Certificate",
    "Mọi trạng thái": "Any status",
    "Sắp xếp": "Sort",
    "Tìm": "Search",
    "sản phẩm": "products",
    "Tải danh sách (Excel)": "Download list (Excel)",
    "Sản phẩm của chủ thể": "Products of",
    "Xem tất cả": "Show all",
    "Không tìm thấy sản phẩm phù hợp.": "No matching products.",
    "Trang trước": "Previous",
    "Trang sau": "Next",
    "Trang": "Page",
    "Còn hiệu lực": "Valid",
    "Hết hiệu lực": "Expired",
    "Đã bị thu hồi": "Revoked",
    "Chưa được công nhận": "Not recognised",
    "Điểm bán OCOP": "OCOP showroom",
    "Sàn thương mại điện tử": "Online marketplace",
    "Hội chợ": "Fair",
    "Phù hợp nhất": "Best match",
    "Nhiều sao trước": "Most stars first",
    "Tên A–Z": "Name A–Z",
    "Giá tăng dần": "Price, low to high",
    "Giá giảm dần": "Price, high to low",
    "Sắp hết hạn trước": "Expiring first",
    "Thực phẩm": "Food",
    "Đồ uống": "Drinks",
    "Dược liệu và sản phẩm từ dược liệu": "Medicinal herbs and herbal products",
    "Vải và may mặc": "Textiles and garments",
    "Lưu niệm – nội thất – trang trí": "Souvenirs, furniture and decoration",
    "Dịch vụ du lịch cộng đồng": "Community tourism",
    "Cấp huyện": "District",
    "Cấp tỉnh": "Province",
    "Cấp trung ương": "Central",
    "Doanh nghiệp": "Enterprise",
    "Hợp tác xã": "Cooperative",
    "Tổ hợp tác": "Cooperative group",
    "Hộ sản xuất kinh doanh": "Household business",
    "Sản phẩm hiện không được sử dụng nhãn OCOP.": "This product may not carry the OCOP mark.",
    "Quyết định": "Decision",
    "Cấp công nhận": "Recognised at",
    "Hiệu lực": "Valid",
    "Thời hạn ghi trên giấy": "Dates on the certificate",
    "Giá bán lẻ đề xuất": "Suggested retail price",
    "Quy cách": "Pack",
    "Chủ thể": "Producer",
    "Các sản phẩm khác": "Other products",
    "Xuất xứ": "Origin",
    "huyện cũ": "former district",
    "Mã GTIN": "GTIN",
    "Mã GLN": "GLN",
    "Sản phẩm chủ lực": "Key product",
    "Sản phẩm nông nghiệp chủ lực của tỉnh": "A key farm product of the province",
    "Truy xuất nguồn gốc": "Traceability",
    "Xem thông tin truy xuất": "See traceability record",
    "Câu chuyện sản phẩm": "Product story",
    "Mua ở đâu": "Where to buy",
    "Sản phẩm hiện chưa được bán qua các kênh OCOP.": "Not sold through OCOP channels now.",
    "Quét mã để xem trang sản phẩm": "Scan to open this page",
    "Quét mã để truy xuất nguồn gốc": "Scan for the traceability record",
    "Điểm giới thiệu và bán sản phẩm OCOP": "OCOP display and sale point",
    "Gian hàng OCOP trên các sàn thương mại điện tử liên kết": "OCOP stores on marketplaces",
    "Hội chợ, tuần lễ sản phẩm OCOP và xúc tiến thương mại": "OCOP fairs and trade weeks",
    "Điểm bán của chủ thể": "Producer's own outlet",
    "sao": "stars",
}


def language(request: Request) -> str:
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked
    remembered = request.cookies.get(COOKIE)
    return remembered if remembered in LANGUAGES else "vi"


def translator(lang: str) -> Callable[[str], str]:
    if lang != "en":
        return lambda text: text
    return lambda text: EN.get(text, text)
