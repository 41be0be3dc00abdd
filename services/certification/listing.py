"""The lists of certificates, newest first, narrowed by province, commune, product set (bộ
sản phẩm) and stars:

- the public list of certified products (danh sách sản phẩm OCOP), for consumers and trade
  promotion: only certificates in force — issued for 3 stars and above, within their 36
  months, neither revoked nor superseded (Decision 26/2026 Art. 4.1 and 4.3; OCOP.md §7);
- the public list also by where the products are sold (``sold_at``: trade promotion,
  ``promotion``);
- the list of certificates, also by product and by status on the day (valid, expired,
  superseded, revoked: ``validity.status``), for offices following their certificates."""
import re

from chassis.errors import InvalidInput
from chassis.provinces import COMMUNES, PROVINCES
from services.certification import promotion
from services.certification.validity import EXPIRED, REVOKED, SUPERSEDED, VALID

STARS = (3, 4, 5)  # no certificate below 3 stars (Art. 4.1)
# The states a certificate of each status is stored in: one past its validity stays
# ``valid`` until the daily timer expires it (``validity.status`` decides on the day).
STORED_AS = {VALID: (VALID,), EXPIRED: (VALID, EXPIRED), SUPERSEDED: (SUPERSEDED,),
             REVOKED: (REVOKED,)}


def filters_of(query):
    """The certificate fields to match, from the list's query parameters; a value that can
    match no certificate is refused, naming the parameter."""
    province, commune = query.get("province"), query.get("commune")
    category, stars = query.get("category"), query.get("stars")
    matched = {}
    if province is not None:
        matched["province_code"] = province_code(province, "province")
    if commune is not None:
        commune_name, commune_province = COMMUNES.get(commune, (None, None))
        if commune_name is None:
            raise refused("commune", "Không có xã, phường mã này", "No commune with this code")
        if matched.setdefault("province_code", commune_province) != commune_province:
            raise refused("commune", "Xã, phường không thuộc tỉnh đã chọn",
                          "The commune is not in the province asked for")
        matched["commune_code"] = commune
    if category is not None:
        if not re.fullmatch(r"\d{2}", category):
            raise refused("category", "Mã bộ sản phẩm gồm 2 chữ số",
                          "A product set's code is 2 digits")
        matched["category"] = category
    if stars is not None:
        if stars not in {str(n) for n in STARS}:
            raise refused("stars", "Số sao phải là 3, 4 hoặc 5", "Stars must be 3, 4 or 5")
        matched["stars"] = int(stars)
    return matched


def province_code(value, parameter):
    if value not in PROVINCES:
        raise refused(parameter, "Không có tỉnh, thành phố mã này", "No province with this code")
    return value


def sold_at(query):
    """The placements (``promotion``) a product of the public list must have, from the
    query: carried at the point of sale ``point_of_sale``, at a point of sale in the
    province ``sold_in``, listed on the e-commerce ``platform`` (its name folded)."""
    wanted = []
    if query.get("point_of_sale") is not None:
        wanted.append({"kind": promotion.AT_POINT_OF_SALE, "place_id": query["point_of_sale"]})
    if query.get("sold_in") is not None:
        wanted.append({"kind": promotion.AT_POINT_OF_SALE,
                       "province_code": province_code(query["sold_in"], "sold_in")})
    if query.get("platform") is not None:
        key = promotion.platform_key(query["platform"])
        if not key:
            raise refused("platform", "Tên sàn không có chữ hay số",
                          "A platform's name has letters or digits")
        wanted.append({"kind": promotion.ONLINE, "platform_key": key})
    return wanted


def certificate_filters(query):
    """``filters_of`` and the product; the status asked for (None for any) and the states
    to walk for it."""
    matched = filters_of(query)
    if query.get("product_id") is not None:
        matched["product_id"] = query["product_id"]
    status = query.get("status")
    if status is not None and status not in STORED_AS:
        raise refused("status", "Trạng thái phải là " + ", ".join(STORED_AS),
                      "Status must be one of " + ", ".join(STORED_AS))
    states = STORED_AS[status] if status else tuple(dict.fromkeys(
        state for stored in STORED_AS.values() for state in stored))
    return matched, status, states


def refused(parameter, message_vi, message_en):
    return InvalidInput(f"Tham số {parameter} không hợp lệ",
                        f"The query parameter {parameter} is not valid",
                        [{"parameter": parameter, "detail": f"{message_vi} / {message_en}"}])
