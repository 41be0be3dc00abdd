"""How long a recognition certificate (giấy chứng nhận sản phẩm OCOP) is valid
(Decision 26/2026 Art. 4.3): 36 months from issue, for 3 stars and above, unless it is
revoked or a later certificate of the same product (an upgrade or re-rating) supersedes it."""
from datetime import datetime

from dateutil.relativedelta import relativedelta

VALID_MONTHS = 36


def expires_at(issued_at):
    return issued_at + relativedelta(months=VALID_MONTHS)


def status(certificate, now):
    if certificate.get("revoked_at") is not None:
        return "revoked"
    if certificate.get("superseded_by") is not None:
        return "superseded"
    if now >= datetime.fromisoformat(certificate["expires_at"]):
        return "expired"
    return "valid"


def superseded_by(certificate, others):
    """Which of the product's ``others`` a newly issued ``certificate`` supersedes: those
    issued before it and still valid when it was issued (a product holds at most one)."""
    issued_at = datetime.fromisoformat(certificate["issued_at"])
    return [other for other in others if other["_id"] != certificate["_id"]
            and datetime.fromisoformat(other["issued_at"]) < issued_at
            and status(other, issued_at) == "valid"]


def certificate_code(province_code, year, serial):
    """E.g. ``OCOP-91-2026-00037``: province, year of issue, serial within both."""
    return f"OCOP-{province_code}-{year}-{serial:05d}"
