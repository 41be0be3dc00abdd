from datetime import datetime, timezone

import pytest

from chassis.errors import Conflict
from services.registration.submissions import check

NEW = {"certificate_code": None, "certificate_expires_at": None}
CERTIFIED = {"certificate_code": "OCOP-91-2026-00001",
             "certificate_expires_at": "2029-06-30T00:00:00.000000Z"}


def at(*args):
    return datetime(*args, tzinfo=timezone.utc)


def test_a_new_product_is_rated_first():
    check("first", NEW, at(2026, 5, 1))
    for kind in ("upgrade", "re_rating"):
        with pytest.raises(Conflict):
            check(kind, NEW, at(2026, 5, 1))


def test_a_certified_product_upgrades_any_time_but_is_not_rated_first_again():
    check("upgrade", CERTIFIED, at(2026, 12, 1))
    with pytest.raises(Conflict):
        check("first", CERTIFIED, at(2026, 12, 1))


@pytest.mark.parametrize("now, allowed", [
    (at(2028, 12, 31, 23, 59), False),
    (at(2029, 1, 1), True),        # opens 180 days before expiry
    (at(2029, 3, 2), True),        # on time until 120 days before expiry
    (at(2029, 3, 2, 0, 1), True),  # late, until expiry: valid until the decision (Art. 12.3)
    (at(2029, 6, 29, 23, 59), True),
])
def test_re_rating_is_filed_from_180_days_before_expiry(now, allowed):
    if allowed:
        check("re_rating", CERTIFIED, now)
    else:
        with pytest.raises(Conflict) as refused:
            check("re_rating", CERTIFIED, now)
        assert refused.value.errors[0]["pointer"] == "/kind"


def test_an_expired_certificate_starts_again_as_a_first_rating():
    expired_on = at(2029, 6, 30, 0, 1)
    check("first", CERTIFIED, expired_on)
    for kind in ("upgrade", "re_rating"):
        with pytest.raises(Conflict):
            check(kind, CERTIFIED, expired_on)


def test_a_five_star_product_cannot_be_upgraded():
    with pytest.raises(Conflict):
        check("upgrade", {**CERTIFIED, "stars": 5}, at(2027, 1, 1))


# Expiry as certification announces it: the start of 30 June 2029 in Hà Nội (17:00 UTC on
# the 29th); the window opens on 1 January 2029, Vietnam's day.
EXPIRES_IN_VIETNAM = {"certificate_code": "OCOP-91-2026-00002",
                      "certificate_expires_at": "2029-06-29T17:00:00.000000Z"}


def test_the_re_rating_window_opens_at_midnight_in_ha_noi():
    """23:30 in Hà Nội on the day before is refused and names the Vietnam day it opens;
    00:30 on the opening day (still the previous day in UTC) is taken."""
    with pytest.raises(Conflict) as refused:
        check("re_rating", EXPIRES_IN_VIETNAM, at(2028, 12, 31, 16, 30))
    assert "01/01/2029" in str(refused.value.errors[0]) and \
        "2029-01-01" in str(refused.value.errors[0])
    check("re_rating", EXPIRES_IN_VIETNAM, at(2028, 12, 31, 17, 30))
