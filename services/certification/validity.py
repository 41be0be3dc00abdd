"""How long a recognition certificate (giấy chứng nhận sản phẩm OCOP) is valid
(Decision 26/2026 Art. 4.3): 36 months from the day the competent authority issues it, for
3 stars and above, unless it is revoked (Art. 8) or a later certificate of the same product
(an upgrade or re-rating) supersedes it. A certificate under late re-rating stays valid
past its expiry until the decision (``renewal.valid_until``, Art. 12.3).

The days are Vietnam's calendar days (Asia/Ho_Chi_Minh), kept as ``YYYY-MM-DD``."""
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from services.certification import renewal

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
VALID_MONTHS = 36
# The state a certificate is stored in; ``status`` adds the expiry that the calendar decides.
ISSUING, VALID, SUPERSEDED, REVOKED, EXPIRED = "issuing", "valid", "superseded", "revoked", \
    "expired"
# The issuing authority of a central (5★) certificate in its number: trung ương.
CENTRAL = "TW"


def vietnam_day(instant):
    """The Vietnam calendar day of a UTC ``instant``."""
    return instant.astimezone(VIETNAM).date()


def start_of(day):
    """The moment ``day`` begins in Vietnam (an aware datetime)."""
    return datetime.combine(day, time(), tzinfo=VIETNAM)


def expires_on(issued_on):
    """The first day it is no longer valid; a 29 February issue expires on 28 February."""
    return issued_on + relativedelta(months=VALID_MONTHS)


def status(certificate, today):
    """valid, superseded, revoked or expired on ``today`` (a Vietnam day)."""
    if certificate["state"] in (SUPERSEDED, REVOKED, EXPIRED):
        return certificate["state"]
    if today >= renewal.valid_until(certificate):
        return EXPIRED
    return VALID


def issuing_authority(level, province_code):
    """Whose numbering a certificate takes: the ministry's for a central result, else its
    province's."""
    return CENTRAL if level == "central" else province_code


def certificate_code(authority, year, serial):
    """E.g. ``OCOP-91-2026-00037`` or ``OCOP-TW-2026-00004``: issuing authority, year of
    the recognition decision, serial within both."""
    return f"OCOP-{authority}-{year}-{serial:05d}"


def day(text):
    return date.fromisoformat(text)
