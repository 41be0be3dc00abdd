"""Trade promotion (xúc tiến thương mại), step 6 of the OCOP cycle (OCOP.md §2): certified
products carried at points of sale and showrooms (điểm bán, điểm trưng bày, giới thiệu và
bán sản phẩm OCOP — An Giang's six OCOP centres, Long An's showroom), shown at fairs and
trade events (hội chợ, sự kiện xúc tiến thương mại) and listed on e-commerce platforms
(sàn thương mại điện tử).

Only a product with a valid certificate may be promoted as OCOP (Decision 26/2026 Art. 4.3:
the mark is used while the certificate is in force): anything else is refused, saying why.
Each place a product is promoted at is a *placement*; a revocation or an expiry withdraws
every placement of the product (rút khỏi nơi quảng bá), except showings at fairs already
over, which stay as the record of what was shown. A supersession (an upgrade or a
re-rating) keeps them: the product stays certified.
"""
from urllib.parse import urlsplit

from chassis.errors import Conflict, InvalidInput, field_error
from chassis.names import folded
from services.certification import renewal
from services.certification.validity import EXPIRED, REVOKED, VALID, status

# What a point of sale is (the documents' ``kind``).
POINT_OF_SALE, SHOWROOM = "point_of_sale", "showroom"
OUTLET_KINDS = {POINT_OF_SALE: ("Điểm bán sản phẩm OCOP", "OCOP point of sale"),
                SHOWROOM: ("Điểm trưng bày, giới thiệu và bán sản phẩm OCOP", "OCOP showroom")}
# Where a product is promoted (a placement's ``kind``).
AT_POINT_OF_SALE, AT_FAIR, ONLINE = "point_of_sale", "fair", "listing"
PLACE_KINDS = (AT_POINT_OF_SALE, AT_FAIR, ONLINE)
# A placement's state: promoted now, taken off by the office or the producer, withdrawn
# with the certificate.
ACTIVE, REMOVED, WITHDRAWN = "active", "removed", "withdrawn"
# Why a product is withdrawn: what ended its certificate.
WITHDRAWAL_REASONS = {REVOKED: ("giấy chứng nhận bị thu hồi", "its certificate was revoked"),
                      EXPIRED: ("giấy chứng nhận hết hiệu lực", "its certificate expired")}


def placement_id(kind, place_id, product_id):
    """One placement per product and place: carrying a product twice changes nothing."""
    return f"{kind}:{place_id}:{product_id}"


def platform_key(platform):
    """A platform's name as filters compare it: "Shopee", "shopee " and "SHOPEE" are one."""
    return folded(platform)


def check_opened_on(opened_on, today):
    """A point of sale is recorded once opened: its day is not to come."""
    if opened_on > today:
        message = ("Ngày khai trương chưa đến", "The opening day is in the future")
        raise InvalidInput(*message, [field_error("/opened_on", *message)])


def check_listing_url(url):
    """An http(s) address of a page on the public web (the schema has checked its shape):
    a host name with a domain (not ``localhost``), and no user name or password in it,
    which would publish someone's credentials."""
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        refuse_url("Địa chỉ không được chứa tên đăng nhập hay mật khẩu",
                   "The address must not carry a user name or password")
    if "." not in (parts.hostname or ""):
        refuse_url("Địa chỉ phải có tên miền của sàn", "The address must name the "
                   "platform's domain")


def refuse_url(message_vi, message_en):
    raise InvalidInput(message_vi, message_en, [field_error("/url", message_vi, message_en)])


def refusal(product_id, certificates, today, pointer=None):
    """Why ``product_id`` may not be promoted as OCOP on ``today``, as a 409, given its
    certificates newest first; None when one of them is valid."""
    if any(status(c, today) == VALID for c in certificates):
        return None
    errors = [field_error(pointer, "Không có giấy chứng nhận OCOP còn hiệu lực",
                          "No valid OCOP certificate")] if pointer else []
    if not certificates:
        return Conflict(f"Sản phẩm {product_id} chưa được cấp giấy chứng nhận OCOP: chưa "
                        "được quảng bá là sản phẩm OCOP",
                        f"Product {product_id} has no OCOP certificate: it may not be "
                        "promoted as OCOP", errors)
    latest = certificates[0]
    ended = status(latest, today)
    if ended == REVOKED:
        why = (f"bị thu hồi ngày {latest['revocation']['revoked_on']}",
               f"was revoked on {latest['revocation']['revoked_on']}")
    else:  # expired (a superseded one always has a newer certificate)
        until = renewal.valid_until(latest).isoformat()
        why = (f"hết hiệu lực từ ngày {until}", f"expired on {until}")
    return Conflict(f"Giấy chứng nhận OCOP {latest['_id']} của sản phẩm {product_id} {why[0]}: "
                    "không được quảng bá là sản phẩm OCOP",
                    f"OCOP certificate {latest['_id']} of product {product_id} {why[1]}: it "
                    "may not be promoted as OCOP", errors)


def fair_over(fair, today):
    return fair["ends_on"] < today.isoformat()


def check_fair_open(fair, today):
    """A product is shown at a fair that has not ended yet."""
    if fair_over(fair, today):
        raise Conflict(f"Hội chợ {fair['name']} đã kết thúc ngày {fair['ends_on']}",
                       f"The fair {fair['name']} ended on {fair['ends_on']}")


def withdrawable(placement, today):
    """Whether a withdrawal takes ``placement`` off: every active one but the showings at
    fairs over by ``today``, which stay as the record of what was shown."""
    return placement["state"] == ACTIVE and not (
        placement["kind"] == AT_FAIR and fair_over(placement["place"], today))


def place_of_outlet(outlet):
    """What a placement (and its events) say of a point of sale."""
    return {"kind": AT_POINT_OF_SALE, "id": outlet["_id"], "name": outlet["name"],
            "province_code": outlet["province_code"], "outlet_kind": outlet["kind"]}


def place_of_fair(fair):
    return {"kind": AT_FAIR, "id": fair["_id"], "name": fair["name"],
            "province_code": fair["province_code"], "starts_on": fair["starts_on"],
            "ends_on": fair["ends_on"]}


def place_of_listing(listing_id, platform, url):
    return {"kind": ONLINE, "id": listing_id, "name": platform, "province_code": None,
            "platform": platform, "url": url}


def event_place(place):
    """A place as events carry it: kind, id, name, province (none online) and, online,
    the platform and address."""
    return {k: place.get(k) for k in ("kind", "id", "name", "province_code")} | \
        ({"platform": place["platform"], "url": place["url"]} if place["kind"] == ONLINE
         else {})
