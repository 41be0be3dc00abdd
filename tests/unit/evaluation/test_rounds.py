"""Evaluation rounds of Decision 26/2026 Art. 5 (services/evaluation/rounds.py)."""
import datetime

import pytest

from chassis.errors import InvalidInput
from services.evaluation.rounds import Round, round_for

D = datetime.date


@pytest.mark.parametrize("proposed,rid,cutoff,deadline", [
    (D(2026, 1, 1), "province-2026-1", D(2026, 4, 30), D(2026, 6, 30)),
    (D(2026, 4, 30), "province-2026-1", D(2026, 4, 30), D(2026, 6, 30)),
    (D(2026, 5, 1), "province-2026-2", D(2026, 10, 30), D(2026, 12, 30)),
    (D(2026, 10, 30), "province-2026-2", D(2026, 10, 30), D(2026, 12, 30)),
    (D(2026, 10, 31), "province-2027-1", D(2027, 4, 30), D(2027, 6, 30)),
    (D(2026, 12, 31), "province-2027-1", D(2027, 4, 30), D(2027, 6, 30)),
    (D(2028, 2, 29), "province-2028-1", D(2028, 4, 30), D(2028, 6, 30)),
])
def test_province_rounds(proposed, rid, cutoff, deadline):
    r = round_for("province", proposed)
    assert (r.id, r.cutoff, r.deadline) == (rid, cutoff, deadline)
    assert r.level == "province" and r.id == f"province-{r.year}-{r.number}"
    assert proposed <= r.cutoff < r.deadline


@pytest.mark.parametrize("proposed,rid,cutoff,deadline", [
    (D(2026, 1, 1), "central-2026-2", D(2026, 1, 30), D(2026, 3, 30)),
    (D(2026, 1, 30), "central-2026-2", D(2026, 1, 30), D(2026, 3, 30)),
    (D(2026, 1, 31), "central-2026-1", D(2026, 7, 30), D(2026, 9, 30)),
    (D(2026, 7, 30), "central-2026-1", D(2026, 7, 30), D(2026, 9, 30)),
    (D(2026, 7, 31), "central-2027-2", D(2027, 1, 30), D(2027, 3, 30)),
    (D(2026, 12, 31), "central-2027-2", D(2027, 1, 30), D(2027, 3, 30)),
    (D(2027, 1, 15), "central-2027-2", D(2027, 1, 30), D(2027, 3, 30)),
])
def test_central_rounds(proposed, rid, cutoff, deadline):
    r = round_for("central", proposed)
    assert (r.id, r.cutoff, r.deadline) == (rid, cutoff, deadline)
    assert proposed <= r.cutoff < r.deadline


def test_round_is_a_value():
    assert round_for("province", D(2026, 6, 1)) == Round(
        id="province-2026-2", level="province", year=2026, number=2,
        cutoff=D(2026, 10, 30), deadline=D(2026, 12, 30))


def test_a_potential_five_star_from_round_1_reaches_the_september_central_round():
    province = round_for("province", D(2026, 4, 20))
    assert round_for("central", province.deadline).id == "central-2026-1"
    province = round_for("province", D(2026, 10, 20))
    assert round_for("central", province.deadline).id == "central-2027-2"


def test_a_datetime_is_taken_by_its_date():
    assert round_for("province", datetime.datetime(2026, 4, 30, 23, 59)).id == "province-2026-1"


def test_every_day_of_a_year_has_a_round_ahead():
    day = D(2026, 1, 1)
    while day.year == 2026:
        for level in ("province", "central"):
            r = round_for(level, day)
            assert day <= r.cutoff and (r.cutoff - day).days < 366
        day += datetime.timedelta(days=1)


def test_unknown_level_is_refused():
    with pytest.raises(InvalidInput) as e:
        round_for("district", D(2026, 1, 1))
    assert e.value.errors[0]["pointer"] == "/level"
