"""Vietnamese labels of codes shown to visitors (pages and exports)."""

from __future__ import annotations

from ocop_catalog.domain.search import SortOrder
from ocop_shared.contracts.catalog import Channel

STATUS_LABELS = {
    "active": "Còn hiệu lực",
    "expired": "Hết hiệu lực",
    "revoked": "Đã bị thu hồi",
    "none": "Chưa được công nhận",
}
STATUS_BADGES = {"active": "ok", "expired": "bad", "revoked": "bad", "none": "warn"}
CHANNEL_LABELS = {
    Channel.SHOWROOM.value: "Điểm bán OCOP",
    Channel.MARKETPLACE.value: "Sàn thương mại điện tử",
    Channel.FAIR.value: "Hội chợ",
}
SORT_LABELS = {
    SortOrder.RELEVANCE.value: "Phù hợp nhất",
    SortOrder.STARS.value: "Nhiều sao trước",
    SortOrder.NAME.value: "Tên A–Z",
    SortOrder.PRICE_ASC.value: "Giá tăng dần",
    SortOrder.PRICE_DESC.value: "Giá giảm dần",
    SortOrder.VALID_UNTIL.value: "Sắp hết hạn trước",
    SortOrder.NEWEST.value: "Mới cập nhật",
}
# Display names of the product groups (1048 sector codes used by the national data);
# other codes (e.g. 148 sub-groups) are shown as they are.
GROUP_LABELS = {
    "food": "Thực phẩm",
    "drink": "Đồ uống",
    "herbs": "Dược liệu và sản phẩm từ dược liệu",
    "cloth": "Vải và may mặc",
    "keepsake": "Lưu niệm – nội thất – trang trí",
    "travel": "Dịch vụ du lịch cộng đồng",
}
LEVELS = {"district": "Cấp huyện", "province": "Cấp tỉnh", "central": "Cấp trung ương"}
LEGAL_FORMS = {
    "enterprise": "Doanh nghiệp",
    "cooperative": "Hợp tác xã",
    "cooperative_group": "Tổ hợp tác",
    "household_business": "Hộ sản xuất kinh doanh",
}
