"""Producers (chủ thể OCOP, Decision 26/2026 Art. 2.3): the organisations and households
that own OCOP products, and what each kind of them may register.

Art. 2.3: cooperatives (hợp tác xã), cooperative groups (tổ hợp tác), small and medium
enterprises (doanh nghiệp nhỏ và vừa), farms (trang trại), production households (hộ sản
xuất) and households with a business registration (hộ gia đình có đăng ký kinh doanh);
for the community and eco-tourism group only, also associations (hội, hiệp hội) and
operating centres or equivalent organisations (trung tâm điều hành hoặc tổ chức tương
đương). Each acts through its legal representative (người đại diện theo pháp luật).
"""
from chassis.names import folded

KINDS = {
    "cooperative": "Hợp tác xã",
    "cooperative_group": "Tổ hợp tác",
    "enterprise": "Doanh nghiệp nhỏ và vừa",
    "farm": "Trang trại",
    "production_household": "Hộ sản xuất",
    "household_business": "Hộ gia đình có đăng ký kinh doanh",
    "association": "Hội, hiệp hội (chỉ du lịch cộng đồng)",
    "operating_centre": "Trung tâm điều hành hoặc tổ chức tương đương (chỉ du lịch cộng đồng)",
}
# Annex I: 26 criteria sets (bộ sản phẩm) numbered 01–26; set 26 is community tourism,
# eco-tourism and tourist sites (dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch).
CATEGORIES = tuple(f"{n:02d}" for n in range(1, 27))
TOURISM = "26"
TOURISM_ONLY = {"association", "operating_centre"}

# How a producer's kind shows in its name on older records that do not state it.
NAME_PREFIXES = (
    ("hop tac xa", "cooperative"), ("htx", "cooperative"),
    ("to hop tac", "cooperative_group"), ("tht", "cooperative_group"),
    ("cong ty", "enterprise"), ("cty", "enterprise"), ("doanh nghiep", "enterprise"),
    ("dntn", "enterprise"), ("trang trai", "farm"), ("ho kinh doanh", "household_business"),
    ("hkd", "household_business"), ("ho gia dinh", "household_business"),
    ("ho san xuat", "production_household"),
    ("hiep hoi", "association"), ("hoi", "association"),
    ("trung tam", "operating_centre"),
)


def may_register(kind, category):
    """Whether a producer of ``kind`` may register a product of criteria set ``category``
    (associations and operating centres: community tourism only)."""
    return kind not in TOURISM_ONLY or category == TOURISM


def kind_in_name(name):
    """The kind a producer's name states ("HTX …", "Công ty …"), or None."""
    key = folded(name)
    return next((kind for prefix, kind in NAME_PREFIXES
                 if key == prefix or key.startswith(prefix + " ")), None)
