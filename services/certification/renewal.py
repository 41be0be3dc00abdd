"""Renewal of a certificate by re-rating (đánh giá, phân hạng lại), Decision 26/2026:

- Art. 7.6.a: the producer files the re-rating no earlier than 180 and no later than 120
  days before the certificate expires;
- Art. 7.6.g: the re-rating is decided within 45 days of the complete file;
- Art. 12.3: a certificate whose re-rating was filed late (after the window closed, before
  expiry) stays valid until the competent authority's decision, but not more than 180 days
  past its expiry.

This module is the one place these periods are computed. Registration, which receives the
filing, learns the window from ``certificate.issued`` (``renewal_opens_on``,
``renewal_closes_on``); certification learns of a filing when its evaluation opens.
"""
from datetime import date, timedelta

OPENS_BEFORE = timedelta(days=180)
CLOSES_BEFORE = timedelta(days=120)
DECISION_WITHIN = timedelta(days=45)
LATE_GRACE = timedelta(days=180)

EARLY, ON_TIME, LATE, TOO_LATE = "early", "on_time", "late", "too_late"


def window(expires_on):
    """(first day, last day) to file a re-rating on time."""
    return expires_on - OPENS_BEFORE, expires_on - CLOSES_BEFORE


def filing(expires_on, filed_on):
    """How a re-rating filed on ``filed_on`` stands: too early, on time, late (before
    expiry: Art. 12.3 applies) or too late (the certificate has expired: a first rating)."""
    opens_on, closes_on = window(expires_on)
    if filed_on < opens_on:
        return EARLY
    if filed_on <= closes_on:
        return ON_TIME
    return LATE if filed_on < expires_on else TOO_LATE


def re_rating(evaluation_id, expires_on, filed_on):
    """What a certificate records of the re-rating filed for it."""
    return {"evaluation_id": evaluation_id, "filed_on": filed_on.isoformat(),
            "late": filing(expires_on, filed_on) == LATE,
            "decision_due_on": (filed_on + DECISION_WITHIN).isoformat(), "decided_on": None}


def valid_until(certificate):
    """The first day ``certificate`` is no longer valid by the calendar: its expiry, or,
    while a late re-rating awaits its decision, the decision's day but at most 180 days
    past expiry."""
    expires_on = date.fromisoformat(certificate["expires_on"])
    filed = certificate.get("re_rating")
    if not filed or not filed["late"]:
        return expires_on
    limit = expires_on + LATE_GRACE
    if filed["decided_on"] is None:
        return limit
    return max(expires_on, min(date.fromisoformat(filed["decided_on"]), limit))
