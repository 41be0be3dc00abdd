"""Re-ratings (rerating.py: written opinions, the meetings), forwarding — the provincial
chair's approval — and the hand-back (forwarding.py), and the schedule an evaluation opens
with (workflow.schedule), on Vietnam dates."""
import datetime

import pytest

from chassis.errors import Conflict, InvalidInput
from chassis.events import rfc3339
from services.evaluation import forwarding, rerating, rounds
from services.evaluation.rounds import VIETNAM, proposal_date
from services.evaluation.schemas import ApprovalSchema
from services.evaluation.workflow import outcome, schedule

D = datetime.date


def hanoi(*args):
    return rfc3339(datetime.datetime(*args, tzinfo=VIETNAM))


def test_a_re_rating_is_decided_within_45_days_of_the_complete_file_not_in_a_round():
    round_, last_day = schedule("re_rating", "province", D(2026, 11, 30))
    assert round_ is None and last_day == D(2027, 1, 14)
    round_, last_day = schedule("first", "province", D(2026, 11, 30))
    assert round_["id"] == "province-2027-1" and last_day == D(2027, 6, 29)


@pytest.mark.parametrize("time,last_day", [
    (hanoi(2026, 11, 30, 23, 30), D(2027, 1, 14)),   # 16:30 UTC on the 30th
    (hanoi(2026, 12, 1, 0, 30), D(2027, 1, 15)),     # 17:30 UTC, still the 30th in UTC
])
def test_the_45_days_count_from_the_vietnam_date_the_file_arrived(time, last_day):
    assert schedule("re_rating", "province", proposal_date(None, time))[1] == last_day


@pytest.mark.parametrize("time,round_id", [
    (hanoi(2026, 4, 29, 23, 30), "province-2026-1"),
    (hanoi(2026, 4, 30, 0, 30), "province-2026-2"),
])
def test_a_proposal_on_the_cut_off_edge_in_ha_noi(time, round_id):
    assert schedule("first", "province", proposal_date(None, time))[0]["id"] == round_id


def test_the_proposers_date_wins_over_the_events_time():
    late_event = hanoi(2026, 5, 2, 9, 0)
    assert schedule("upgrade", "province", proposal_date("2026-04-29", late_event))[0][
        "id"] == "province-2026-1"


@pytest.mark.parametrize("kind,level,previous,procedure", [
    ("first", "province", None, "meeting"),
    ("upgrade", "central", None, "meeting"),
    ("re_rating", "province", {"level": "province", "stars": 4}, "written"),
    ("re_rating", "province", None, "written"),
    ("re_rating", "province", {"level": "central", "stars": 5}, "office_report"),
    ("re_rating", "central", {"level": "central", "stars": 5}, "written"),
])
def test_how_each_submission_is_decided(kind, level, previous, procedure):
    assert rerating.procedure(kind, level, previous) == procedure


@pytest.mark.parametrize("ranks,totals,spread,differ", [
    ([4, 4, 4], [84, 80, 75], 10, False),
    ([4, 4, 4], [85, 80, 74], 10, True),    # 11 points apart: more than the regulation's 10
    ([4, 4, 4], [89, 70, 70], None, False),  # no spread limit in this regulation
    ([4, 3, 4], [71, 69, 72], 10, True),    # the same points nearly, not the same rank
])
def test_when_written_opinions_differ(ranks, totals, spread, differ):
    assert rerating.opinions_differ(ranks, totals, spread) is differ


def test_a_sheets_rank_is_its_band_capped_by_its_own_minimums():
    assert rerating.rank_of(95, 4) == 4 and rerating.rank_of(75, 5) == 4
    assert rerating.rank_of(40, 5) == 2


@pytest.mark.parametrize("score,knocked_out,forwarded", [
    (90, False, True), (89.99, False, False), (100, True, False)])
def test_ninety_points_or_more_is_a_potential_five_star(score, knocked_out, forwarded):
    assert forwarding.is_potential_five_star(score, knocked_out) is forwarded


def central(status="completed", stars=4):
    return {"level": "central", "status": status, "stars": stars}


@pytest.mark.parametrize("evaluation,may", [
    (central(), True), (central(stars=3), True), (central(stars=2), True),
    (central(stars=5), False), (central(stars=None, status="rejected"), False),
    (central(status="province_reevaluates"), False),
    ({"level": "province", "status": "completed", "stars": 4}, False)])
def test_which_results_the_province_may_evaluate_again(evaluation, may):
    assert forwarding.may_order_provincial_evaluation(evaluation) is may


# The provincial chair's approval of a potential 5★ (Art. 7.3.e) -------------------------

COUNCIL_DAY, TODAY = D(2026, 11, 27), D(2026, 11, 30)


@pytest.mark.parametrize("decided_on", [COUNCIL_DAY, D(2026, 11, 28), TODAY])
def test_the_approval_is_dated_from_the_councils_day_to_today(decided_on):
    forwarding.check_approval_date(decided_on, COUNCIL_DAY, TODAY)


@pytest.mark.parametrize("decided_on,says", [
    (D(2026, 12, 1), "The decision's date is in the future"),
    (D(2026, 11, 26), "The decision's date is before the council's decision (2026-11-27)")])
def test_an_approval_dated_tomorrow_or_before_the_council_is_refused_naming_the_date(
        decided_on, says):
    with pytest.raises(InvalidInput) as refused:
        forwarding.check_approval_date(decided_on, COUNCIL_DAY, TODAY)
    [error] = refused.value.errors
    assert error["pointer"] == "/date" and says in str(refused.value.detail)


def test_the_councils_day_is_its_vietnam_day():
    """A council deciding at 23:30 in Hà Nội decided that day; the chair may approve on it."""
    decided = rounds.vietnam_date(hanoi(2026, 11, 27, 23, 30))
    assert decided == COUNCIL_DAY
    forwarding.check_approval_date(COUNCIL_DAY, decided, TODAY)


def test_approval_defaults_to_approved_and_a_refusal_needs_its_reason():
    approval = {"reference": "456/QĐ-UBND", "date": "2026-11-30"}
    assert ApprovalSchema().load(approval)["approved"] is True
    assert ApprovalSchema().validate({**approval, "approved": False}) == {
        "reason": ["Cần lý do khi không phê duyệt / A refusal needs its reason"]}
    assert ApprovalSchema().validate({**approval, "approved": False, "reason": "Chưa đủ"}) == {}
    assert set(ApprovalSchema().validate({"approved": True})) == {"reference", "date"}


class Result:
    """What ``sheets.council_result`` gives, as far as ``workflow.outcome`` reads it."""
    knocked_out, recognised, province_may_recognise = None, False, False
    level, rule_version, category = "province", "26/2026", "03"

    def __init__(self, score, stars, capped_by=()):
        self.score, self.stars, self.capped_by = score, stars, capped_by
        self.potential_five_star = forwarding.is_potential_five_star(score, False)


@pytest.mark.parametrize("score,stars,capped_by", [(90, 5, ()), (96.5, 4, ("3.5",))])
def test_a_potential_five_star_waits_for_the_chairs_approval_and_is_not_forwarded(
        score, stars, capped_by):
    status, event, data = outcome({}, Result(score, stars, capped_by))
    assert (status, event) == ("awaiting_approval", "evaluation.approval_requested")
    assert data == {"score": score, "stars": stars, "capped_by": list(capped_by)}


def test_below_ninety_the_council_completes_its_result():
    assert outcome({}, Result(89.99, 4))[0] == "completed"


# The re-rating council's meeting (Art. 7.6.d) --------------------------------------------

def test_only_a_council_on_written_opinions_is_called_to_meet():
    rerating.check_may_call_meeting(rerating.WRITTEN)
    for procedure in (rerating.MEETING, rerating.OFFICE_REPORT):
        with pytest.raises(Conflict) as refused:
            rerating.check_may_call_meeting(procedure)
        assert f"procedure now: {procedure}" in str(refused.value.detail)
