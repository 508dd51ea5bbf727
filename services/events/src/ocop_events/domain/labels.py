"""How the events service's input fields are named to people (problem+json, forms)."""

from __future__ import annotations

from ocop_shared.validation_vi import vietnamese_titles

FIELD_LABELS_VI = {
    "name": "Tên sự kiện",
    "kind": "Loại sự kiện",
    "venue": "Địa điểm",
    "organiser": "Đơn vị tổ chức",
    "starts_on": "Ngày bắt đầu",
    "ends_on": "Ngày kết thúc",
    "registration_opens": "Ngày mở đăng ký",
    "registration_closes": "Hạn đăng ký",
    "rules": "Điều kiện tham gia",
    "max_products_per_producer": "Số sản phẩm tối đa mỗi chủ thể",
    "require_fair_channel": "Yêu cầu đủ điều kiện bán tại hội chợ",
    "zone": "Khu",
    "prefix": "Tiền tố mã gian",
    "first": "Số đầu",
    "last": "Số cuối",
    "size_m2": "Diện tích (m²)",
    "booth_code": "Gian hàng",
    "visitors": "Lượt khách",
    "sales_vnd": "Doanh thu (₫)",
    "contracts_signed": "Số hợp đồng đã ký",
    "contracts_value_vnd": "Giá trị hợp đồng (₫)",
    "buyer_id": "Mã người mua",
    "buyer_name": "Tên người mua",
    "buyer_kind": "Loại người mua",
    "monthly_volume_kg": "Khối lượng (kg/tháng)",
    "price_min_vnd": "Giá sàn (₫/kg)",
    "price_max_vnd": "Giá trần (₫/kg)",
    "standards": "Tiêu chuẩn",
    "delivery_province": "Tỉnh nhận hàng",
    "season_months": "Tháng mùa vụ",
    "trade_event_id": "Sự kiện",
    "capacity_kg_per_month": "Năng lực (kg/tháng)",
    "price_vnd": "Giá (₫/kg)",
    "moq_kg": "Đơn tối thiểu (kg)",
    "demand_ids": "Nhu cầu",
    "per_demand": "Số gợi ý mỗi nhu cầu",
    "min_score": "Điểm phù hợp tối thiểu",
    "stage": "Giai đoạn",
    "deal_value_vnd": "Giá trị thỏa thuận (₫)",
    "signed_on": "Ngày ký",
}

TITLES = vietnamese_titles(FIELD_LABELS_VI)
"""``field_title_generator`` of every input model of the service."""
