"""The rules of plans and statistics that need no store: targets that cannot be counted are
refused naming the field, a product counts once at its latest stars, provinces' statistics
sum to the country's."""
from datetime import date

import pytest

from chassis.errors import InvalidInput
from services.certification import plans, statistics


def plan(*targets, **fields):
    return {"reference": "1/KH-UBND", "adopted_on": date(2026, 1, 15), "last_year": None,
            "former_province": None, "targets": list(targets), **fields}


@pytest.mark.parametrize("targets, pointer", [
    ([{"measure": "certified_new", "at_least": 40, "at_most": 30}], "/targets/0/at_most"),
    ([{"measure": "trained_percent", "at_least": 120}], "/targets/0/at_least"),
    ([{"measure": "certified_new", "at_least": 1}, {"measure": "certified_new",
                                                     "at_least": 2}], "/targets/1/measure"),
])
def test_targets_that_cannot_be_counted_are_refused(targets, pointer):
    with pytest.raises(InvalidInput) as refused:
        plans.checked("91", 2026, plan(*targets))
    assert refused.value.errors[0]["pointer"] == pointer


def test_a_period_ends_after_it_begins():
    with pytest.raises(InvalidInput) as refused:
        plans.checked("91", 2020, plan(last_year=2018))
    assert refused.value.errors[0]["pointer"] == "/last_year"


def certificate(stars, issued_on, ended=None):
    return {"stars": stars, "issued_on": issued_on, "issued_at": issued_on,
            "expires_on": f"{int(issued_on[:4]) + 3}{issued_on[4:]}", "commune_code": "30406",
            **({"ended": ended} if ended else {})}


def test_a_product_counts_once_at_its_latest_stars_and_not_once_revoked():
    year = plans.checked("91", 2026, plan({"measure": "certified_new", "at_least": 1}))
    upgraded = plans.standing(year, "p", [certificate(3, "2026-02-01", "superseded"),
                                          certificate(4, "2026-09-01")])
    assert (upgraded.counted["stars"], upgraded.new, upgraded.upgraded) == (4, True, True)
    revoked = plans.standing(year, "q", [certificate(3, "2026-02-01", "revoked")])
    assert revoked.counted is None
    due = plans.standing(year, "r", [certificate(3, "2023-03-01", "expired")])
    assert (due.due, due.re_rated, due.counted) == (True, False, None)


def test_the_country_is_the_sum_of_its_provinces():
    on = date(2026, 11, 30)
    products = [{"_id": "a", "province_code": "91", "commune_code": "30406", "category": "03",
                 "stage": "certified", "current": {"stars": 4, "level": "province",
                                                   "imported": False}},
                {"_id": "b", "province_code": "80", "commune_code": None, "category": "03",
                 "stage": "filed", "current": None}]
    parts = [statistics.counts([p], [], on) for p in products]
    assert statistics.summed(parts, on) == statistics.counts(products, [], on)
