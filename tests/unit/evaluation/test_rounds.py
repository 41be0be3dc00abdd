"""Evaluation rounds of Decision 26/2026 Art. 5 (services/evaluation/rounds.py)."""
import datetime

import pytest

from chassis.errors import InvalidInput
from chassis.events import rfc3339
from services.evaluation.rounds import VIETNAM, Round, proposal_date, round_for, vietnam_date

D = datetime.date


@pytest.mark.parametrize("proposed,rid,cutoff,deadline", [
    (D(2026, 1, 1), "province-2026-1", D(2026, 4, 30), D(2026, 6, 30)),
    (D(2026, 4, 29), "province-2026-1", D(2026, 4, 30), D(2026, 6, 30)),
    (D(2026, 4, 30), "province-2026-2", D(2026, 10, 30), D(2026, 12, 30)),
    (D(2026, 10, 29), "province-2026-2", D(2026, 10, 30), D(2026, 12, 30)),
    (D(2026, 10, 30), "province-2027-1", D(2027, 4, 30), D(2027, 6, 30)),
    (D(2026, 12, 31), "province-2027-1", D(2027, 4, 30), D(2027, 6, 30)),
    (D(2028, 2, 29), "province-2028-1", D(2028, 4, 30), D(2028, 6, 30)),
])
def test_province_rounds(proposed, rid, cutoff, deadline):
    r = round_for("province", proposed)
    assert (r.id, r.cutoff, r.deadline) == (rid, cutoff, deadline)
    assert r.level == "province" and r.id == f"province-{r.year}-{r.number}"
    assert proposed < r.cutoff < r.deadline


@pytest.mark.parametrize("proposed,rid,cutoff,deadline", [
    (D(2026, 1, 1), "central-2026-2", D(2026, 1, 30), D(2026, 3, 30)),
    (D(2026, 1, 29), "central-2026-2", D(2026, 1, 30), D(2026, 3, 30)),
    (D(2026, 1, 30), "central-2026-1", D(2026, 7, 30), D(2026, 9, 30)),
    (D(2026, 7, 29), "central-2026-1", D(2026, 7, 30), D(2026, 9, 30)),
    (D(2026, 7, 30), "central-2027-2", D(2027, 1, 30), D(2027, 3, 30)),
    (D(2026, 12, 31), "central-2027-2", D(2027, 1, 30), D(2027, 3, 30)),
    (D(2027, 1, 15), "central-2027-2", D(2027, 1, 30), D(2027, 3, 30)),
])
def test_central_rounds(proposed, rid, cutoff, deadline):
    r = round_for("central", proposed)
    assert (r.id, r.cutoff, r.deadline) == (rid, cutoff, deadline)
    assert proposed < r.cutoff < r.deadline


def test_round_is_a_value():
    assert round_for("province", D(2026, 6, 1)) == Round(
        id="province-2026-2", level="province", year=2026, number=2,
        cutoff=D(2026, 10, 30), deadline=D(2026, 12, 30))


def test_a_potential_five_star_from_round_1_reaches_the_september_central_round():
    province = round_for("province", D(2026, 4, 20))
    assert round_for("central", province.deadline).id == "central-2026-1"
    province = round_for("province", D(2026, 10, 20))
    assert round_for("central", province.deadline).id == "central-2027-2"


def hanoi(*args):
    return datetime.datetime(*args, tzinfo=VIETNAM)


@pytest.mark.parametrize("level,day,before,after", [
    ("province", (2026, 4, 29), "province-2026-1", "province-2026-2"),
    ("province", (2026, 10, 29), "province-2026-2", "province-2027-1"),
    ("central", (2026, 1, 29), "central-2026-2", "central-2026-1"),
    ("central", (2026, 7, 29), "central-2026-1", "central-2027-2"),
])
def test_the_cut_off_falls_at_midnight_in_ha_noi_not_in_utc(level, day, before, after):
    """23:30 on the last day before the cut-off is in; 00:30 on the cut-off day is out,
    although it is still the previous day in UTC (17:30)."""
    late = hanoi(*day, 23, 30)
    next_day = late + datetime.timedelta(hours=1)
    assert next_day.astimezone(datetime.timezone.utc).date() == D(*day)
    assert round_for(level, late).id == before
    assert round_for(level, next_day).id == after
    # as an event's time, which is written in UTC
    assert round_for(level, proposal_date(None, rfc3339(late))).id == before
    assert round_for(level, proposal_date(None, rfc3339(next_day))).id == after


def test_the_proposal_date_is_the_proposers_own_else_the_vietnam_date_of_the_event():
    assert proposal_date("2026-04-29", "2026-05-03T02:00:00.000000Z") == D(2026, 4, 29)
    assert proposal_date(None, "2026-04-29T16:30:00.000000Z") == D(2026, 4, 29)  # 23:30
    assert proposal_date(None, "2026-04-29T17:30:00.000000Z") == D(2026, 4, 30)  # 00:30
    assert round_for("province", proposal_date(None, "2026-04-29T17:30:00.000000Z")).id == \
        "province-2026-2"


def test_a_naive_datetime_has_no_vietnam_date():
    with pytest.raises(ValueError):
        vietnam_date(datetime.datetime(2026, 4, 29, 23, 30))


def test_every_day_of_a_year_has_a_round_ahead():
    day = D(2026, 1, 1)
    while day.year == 2026:
        for level in ("province", "central"):
            r = round_for(level, day)
            assert day < r.cutoff and (r.cutoff - day).days <= 366
        day += datetime.timedelta(days=1)


def test_unknown_level_is_refused():
    with pytest.raises(InvalidInput) as e:
        round_for("district", D(2026, 1, 1))
    assert e.value.errors[0]["pointer"] == "/level"
