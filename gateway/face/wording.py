"""The words of a certificate's public face, Vietnamese first then English, shared by the
page and the PDF so that both say the same."""
from datetime import date, timedelta

from chassis.provinces import COMMUNES, PROVINCES

# state (validity.status) → (Vietnamese, English), as shown in capitals on the face
STATES = {
    "valid": ("CÒN HIỆU LỰC", "VALID"),
    "expired": ("HẾT HIỆU LỰC", "EXPIRED"),
    "superseded": ("ĐÃ ĐƯỢC THAY THẾ", "SUPERSEDED"),
    "revoked": ("ĐÃ BỊ THU HỒI", "REVOKED"),
}


def state_label(status):
    vi, en = STATES[status]
    return f"{vi} / {en}"


def state_explanation(view):
    """One sentence for a consumer holding the product: what the state means to them."""
    status = view["status"]
    if status == "valid":
        return ("Sản phẩm được công nhận OCOP và giấy chứng nhận đang có hiệu lực.",
                "The product is OCOP-certified and the certificate is in force.")
    if status == "expired":
        return (f"Giấy chứng nhận đã hết hạn ngày {vietnam_date(view['valid_until'])}.",
                f"The certificate expired on {vietnam_date(view['valid_until'])}.")
    if status == "superseded":
        return (f"Đã được thay thế bởi giấy chứng nhận {view['superseded_by']} "
                "(nâng hạng hoặc đánh giá lại).",
                f"Replaced by certificate {view['superseded_by']} (an upgrade or "
                "re-rating).")
    return ("Giấy chứng nhận đã bị thu hồi: sản phẩm không còn được mang nhãn OCOP.",
            "The certificate was revoked: the product may no longer carry the OCOP mark.")


def vietnam_date(day):
    """A Vietnam calendar day (``YYYY-MM-DD``, as certification keeps them) as dd/mm/yyyy."""
    return date.fromisoformat(day).strftime("%d/%m/%Y")


def last_valid_day(view):
    """The last day the certificate is valid by the calendar, as printed under "valid
    until": the day before ``valid_until`` (its expiry, or later under a late re-rating)."""
    return vietnam_date((date.fromisoformat(view["valid_until"]) - timedelta(days=1))
                        .isoformat())


def recognition(view):
    """The recognition decision: its reference and date."""
    decision = view["recognition"]
    return f"{decision['reference']} ({vietnam_date(decision['date'])})"


def province_name(code):
    return PROVINCES.get(code, code)


def place(view):
    """Commune (when recorded) and province, by name."""
    commune = COMMUNES.get(view.get("commune_code") or "", (None,))[0]
    province = province_name(view["province_code"])
    return f"{commune}, {province}" if commune else province


def stars_label(stars):
    return f"{stars} sao / {stars} stars"


def issuing_authority(view):
    """Who recognises the result and issues the certificate (Decision 26/2026 Art. 4.1):
    the province's People's Committee for 3 and 4 stars, the Ministry of Agriculture and
    Environment for 5 stars (level ``central``)."""
    if view["level"] == "central":
        return ("BỘ NÔNG NGHIỆP VÀ MÔI TRƯỜNG", "Ministry of Agriculture and Environment")
    name = province_name(view["province_code"])
    unit = name if name.startswith("Thành phố") else f"Tỉnh {name}"
    return (f"ỦY BAN NHÂN DÂN {unit.upper()}", f"People's Committee of {name}")
