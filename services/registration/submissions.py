"""Which kind of registration (Form 01, phiếu đăng ký) a product may be submitted with
(Decision 26/2026 Art. 4, 7–8): the first rating, an upgrade (nâng hạng) at any time, or
a re-rating (đánh giá lại) filed no earlier than 180 days before the certificate expires.
One filed after the window closed (120 days before expiry) is late but still taken: the
certificate then stays valid until its decision (Art. 12.3; certification's
``services/certification/renewal.py`` keeps those periods)."""
from datetime import datetime, timedelta

from chassis.errors import Conflict, field_error
from services.registration.working_days import vietnam_date

KINDS = ("first", "upgrade", "re_rating")
RE_RATING_OPENS = timedelta(days=180)


def check(kind, product, now):
    """Refuse a submission its kind does not allow for this product, now. A product whose
    certificate has expired starts again as a first rating."""
    expires = product.get("certificate_expires_at")
    certified = expires is not None and now < datetime.fromisoformat(expires)
    if kind == "first" and certified:
        refuse("Sản phẩm đã có giấy chứng nhận còn hiệu lực: chọn nâng hạng hoặc đánh giá lại",
               "The product's certificate is in force: submit an upgrade or a re-rating")
    if kind in ("upgrade", "re_rating") and not certified:
        refuse("Chỉ sản phẩm có giấy chứng nhận còn hiệu lực mới nâng hạng hoặc đánh giá lại",
               "Only a product with a certificate in force can be upgraded or re-rated")
    if kind == "upgrade" and product.get("stars") == 5:
        refuse("Sản phẩm 5 sao không thể nâng hạng", "A 5-star product cannot be upgraded")
    if kind == "re_rating":
        expires = datetime.fromisoformat(expires)
        opens = expires - RE_RATING_OPENS
        if now < opens:
            # The day it opens as Vietnam counts it: the instant is a Vietnam midnight,
            # which falls on the day before in UTC.
            opens_on = vietnam_date(opens)
            refuse(f"Hồ sơ đánh giá lại nộp từ {opens_on:%d/%m/%Y}",
                   f"A re-rating is filed from {opens_on:%Y-%m-%d}")


def refuse(message_vi, message_en):
    raise Conflict(message_vi, message_en,
                   [field_error("/kind", message_vi, message_en)])
