"""The milestones of a valid certificate's life, which the daily timer announces once
each (``certificate.<milestone>``): the re-rating window opens 180 days before expiry and
closes 120 days before it (Decision 26/2026 Art. 7.6.a), a reminder 30 days before, and
expiry itself — later while a late re-rating awaits its decision (Art. 12.3,
``renewal.valid_until``)."""
from datetime import date, timedelta

from services.certification import renewal

WINDOW_OPENED, CLOSING, EXPIRING, EXPIRED = "renewal_window_opened", "renewal_closing", \
    "expiring", "expired"
MILESTONES = (WINDOW_OPENED, CLOSING, EXPIRING, EXPIRED)
EXPIRING_BEFORE = timedelta(days=30)


def day_of(certificate, milestone):
    expires_on = date.fromisoformat(certificate["expires_on"])
    if milestone == WINDOW_OPENED:
        return renewal.window(expires_on)[0]
    if milestone == CLOSING:
        return renewal.window(expires_on)[1]
    if milestone == EXPIRING:
        return expires_on - EXPIRING_BEFORE
    return renewal.valid_until(certificate)


def pending(certificate):
    return [m for m in MILESTONES if m not in certificate.get("milestones", {})]


def due(certificate, today):
    """The milestones reached on ``today`` and not yet announced, in order."""
    return [m for m in pending(certificate) if day_of(certificate, m) <= today]


def next_day(certificate):
    """The ordinal of the next milestone's day (what the timer's query compares, a
    number), or None when every one is announced."""
    days = [day_of(certificate, m).toordinal() for m in pending(certificate)]
    return min(days) if days else None
