"""The rules of a certificate's life: validity, numbering, recognition, revocation,
re-rating and milestones (Decision 26/2026 Art. 4, 7.6, 8, 12)."""
from datetime import date, datetime, timezone

import pytest

from chassis.errors import Conflict, Forbidden, InvalidInput
from chassis.identity import Identity
from services.certification import authority, milestones, recognition, renewal, revocation
from services.certification.validity import certificate_code, expires_on, issuing_authority, \
    status, vietnam_day


def certificate(**changes):
    return {"state": "valid", "expires_on": "2029-05-22", "re_rating": None,
            "milestones": {}, **changes}


def test_valid_for_36_months_from_the_day_of_issue():
    assert expires_on(date(2026, 5, 22)) == date(2029, 5, 22)
    assert expires_on(date(2024, 2, 29)) == date(2027, 2, 28)


def test_the_day_is_vietnams():
    assert vietnam_day(datetime(2026, 11, 30, 16, 59, tzinfo=timezone.utc)) == date(2026, 11, 30)
    assert vietnam_day(datetime(2026, 11, 30, 17, 0, tzinfo=timezone.utc)) == date(2026, 12, 1)


def test_status_by_state_and_calendar():
    assert status(certificate(), date(2029, 5, 21)) == "valid"
    assert status(certificate(), date(2029, 5, 22)) == "expired"
    for state in ("superseded", "revoked", "expired"):
        assert status(certificate(state=state), date(2027, 1, 1)) == state


def test_numbering_per_issuing_authority_and_year():
    assert issuing_authority("province", "91") == "91"
    assert issuing_authority("central", "91") == "TW"
    assert certificate_code("91", 2026, 37) == "OCOP-91-2026-00037"
    assert certificate_code("TW", 2026, 4) == "OCOP-TW-2026-00004"


# Who decides ------------------------------------------------------------------------------

def caller(*roles, province=None):
    return Identity(subject="x", roles=frozenset(roles), province=province)


def test_the_province_chair_decides_on_its_provinces_results_the_minister_on_5_stars():
    authority.check(caller("province_authority", province="91"), "x", "province", "91")
    authority.check(caller("central_authority"), "x", "central", "91")
    for who, level in ((caller("province_authority", province="79"), "province"),
                       (caller("province_authority", province="91"), "central"),
                       (caller("central_authority"), "province"),
                       (caller("province_officer", province="91"), "province")):
        with pytest.raises(Forbidden):
            authority.check(who, "x", level, "91")


# Recognition ------------------------------------------------------------------------------

def test_the_decision_is_not_dated_in_the_future_nor_36_months_ago():
    today = date(2026, 11, 30)
    recognition.check_decision_date(today, today)
    recognition.check_decision_date(date(2023, 12, 1), today)
    for decided in (date(2026, 12, 1), date(2023, 11, 30)):
        with pytest.raises(InvalidInput) as refused:
            recognition.check_decision_date(decided, today)
        assert refused.value.errors[0]["pointer"] == "/date"


RESULT = {"evaluation_id": "e-1", "product_id": "p", "producer_id": "h", "name": "Gạo",
          "producer_name": "HTX", "category": "03", "province_code": "91",
          "rule_version": "26/2026", "score": 55.0, "stars": 2, "level": "province",
          "recognised": False}


def test_a_result_below_three_stars_is_not_recognised():
    with pytest.raises(Conflict, match="cannot be recognised"):
        recognition.check_recognisable(RESULT, {**RESULT, "status": "completed"})


def test_a_result_handed_back_for_the_province_to_evaluate_is_not_recognised():
    closing = {**RESULT, "stars": 4, "recognised": True, "status": "handed_back"}
    with pytest.raises(Conflict, match="not completed"):
        recognition.check_recognisable({**RESULT, "stars": 4, "recognised": True}, closing)


# Revocation -------------------------------------------------------------------------------

def test_six_grounds():
    assert len(revocation.GROUNDS) == 6


@pytest.mark.parametrize("today, late", [(date(2027, 5, 18), False), (date(2027, 5, 19), True)])
def test_revocation_is_due_15_days_after_the_finding(today, late):
    decided = revocation.decision({"ground": "law_violation", "finding_reference": "12/KL",
                                   "finding_date": date(2027, 5, 3)}, today)
    assert decided["due_on"] == "2027-05-18" and decided["late"] is late


def test_a_finding_is_not_dated_in_the_future():
    with pytest.raises(InvalidInput):
        revocation.decision({"ground": "law_violation", "finding_reference": "12/KL",
                             "finding_date": date(2027, 5, 4)}, date(2027, 5, 3))


# Re-rating --------------------------------------------------------------------------------

@pytest.mark.parametrize("filed_on, standing", [
    (date(2028, 11, 22), "early"), (date(2028, 11, 23), "on_time"),   # 180 days before
    (date(2029, 1, 22), "on_time"), (date(2029, 1, 23), "late"),      # 120 days before
    (date(2029, 5, 21), "late"), (date(2029, 5, 22), "too_late")])
def test_the_re_rating_window(filed_on, standing):
    assert renewal.filing(date(2029, 5, 22), filed_on) == standing


def test_a_late_re_rating_keeps_it_valid_until_the_decision_at_most_180_days():
    late = renewal.re_rating("e-2", date(2029, 5, 22), date(2029, 3, 1))
    assert late["late"] and late["decision_due_on"] == "2029-04-15"  # 45 days
    pending = certificate(re_rating=late)
    assert renewal.valid_until(pending) == date(2029, 11, 18)
    assert status(pending, date(2029, 11, 17)) == "valid"
    assert status(pending, date(2029, 11, 18)) == "expired"
    decided = certificate(re_rating={**late, "decided_on": "2029-06-10"})
    assert renewal.valid_until(decided) == date(2029, 6, 10)
    early_decision = certificate(re_rating={**late, "decided_on": "2029-04-01"})
    assert renewal.valid_until(early_decision) == date(2029, 5, 22)


def test_an_on_time_re_rating_does_not_extend():
    on_time = renewal.re_rating("e-2", date(2029, 5, 22), date(2029, 1, 2))
    assert not on_time["late"]
    assert renewal.valid_until(certificate(re_rating=on_time)) == date(2029, 5, 22)


# Milestones -------------------------------------------------------------------------------

def test_milestones_fall_180_120_30_days_before_expiry_and_on_it():
    assert {m: milestones.day_of(certificate(), m) for m in milestones.MILESTONES} == {
        "renewal_window_opened": date(2028, 11, 23), "renewal_closing": date(2029, 1, 22),
        "expiring": date(2029, 4, 22), "expired": date(2029, 5, 22)}
    assert milestones.due(certificate(), date(2029, 1, 21)) == ["renewal_window_opened"]
    announced = certificate(milestones={"renewal_window_opened": "2028-11-23"})
    assert milestones.due(announced, date(2029, 1, 22)) == ["renewal_closing"]
    assert milestones.next_day(announced) == date(2029, 1, 22).toordinal()
    assert milestones.next_day(certificate(milestones=dict.fromkeys(
        milestones.MILESTONES, "x"))) is None


def test_a_late_re_rating_moves_expiry_not_the_reminders():
    late = certificate(re_rating=renewal.re_rating("e-2", date(2029, 5, 22), date(2029, 3, 1)))
    assert milestones.day_of(late, "expiring") == date(2029, 4, 22)
    assert milestones.day_of(late, "expired") == date(2029, 11, 18)
    assert "expired" not in milestones.due(late, date(2029, 5, 22))
