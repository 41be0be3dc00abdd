"""Producers (chủ thể OCOP, Decision 26/2026 Art. 2.3): the organisations and households
that own OCOP products."""
KINDS = {
    "cooperative": "Hợp tác xã",
    "cooperative_group": "Tổ hợp tác",
    "enterprise": "Doanh nghiệp nhỏ và vừa",
    "farm": "Trang trại",
    "household": "Hộ sản xuất, hộ kinh doanh có đăng ký",
    "association": "Hội, hiệp hội, trung tâm vận hành (du lịch cộng đồng)",
}

