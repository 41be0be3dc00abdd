"""The commune's 15 working days (Decision 26/2026 Art. 7.2) on Vietnam's calendar."""
from datetime import date, datetime, timezone

from services.registration.working_days import add_working_days, commune_review_deadline, \
    deadline_nearly_up, is_working_day, vietnam_date


def test_tet_2027_and_the_weekends_are_skipped():
    # Received on Friday 29 January 2027. Tết (Lunar New Year, 6 February 2027): the
    # holidays run from Thursday 4 to Wednesday 10 February. Working days: 1–3 February,
    # then 11–12, 15–19, 22–26 February: the 15th is Friday 26 February.
    assert commune_review_deadline(date(2027, 1, 29)) == date(2027, 2, 26)
    for day in range(4, 11):
        assert not is_working_day(date(2027, 2, day))
    assert is_working_day(date(2027, 2, 3)) and is_working_day(date(2027, 2, 11))


def test_days_a_province_adds_are_skipped_too():
    extra = frozenset({date(2027, 2, 11), date(2027, 2, 12)})
    assert commune_review_deadline(date(2027, 1, 29), extra) == date(2027, 3, 2)


def test_without_holidays_the_count_is_three_weeks():
    # 2 to 20 November 2026 hold no holiday: 15 working days after Friday 30 October.
    assert commune_review_deadline(date(2026, 10, 30)) == date(2026, 11, 20)


def test_the_day_of_receipt_is_not_counted():
    assert add_working_days(date(2026, 11, 30), 1) == date(2026, 12, 1)
    assert add_working_days(date(2026, 12, 4), 1) == date(2026, 12, 7)  # Friday → Monday


def test_the_other_national_holidays():
    for day in (date(2026, 9, 2), date(2026, 4, 30), date(2026, 5, 1), date(2027, 1, 1),
                date(2027, 4, 16)):  # Hùng Kings' day 2027 (10th day of the 3rd lunar month)
        assert not is_working_day(day), day


def test_vietnam_date_of_a_utc_instant():
    assert vietnam_date(datetime(2026, 4, 29, 17, 30, tzinfo=timezone.utc)) == date(2026, 4, 30)
    assert vietnam_date(datetime(2026, 4, 29, 16, 59, tzinfo=timezone.utc)) == date(2026, 4, 29)


def test_nearly_up_counts_the_working_days_left_across_a_weekend():
    # Deadline Tuesday 8 December 2026: from Thursday 3 the 4th, 7th and 8th are left.
    deadline = date(2026, 12, 8)
    assert deadline_nearly_up(date(2026, 12, 2), deadline) is None  # 4 left
    assert deadline_nearly_up(date(2026, 12, 3), deadline) == 3
    assert deadline_nearly_up(date(2026, 12, 4), deadline) == 2  # Friday: Mon 7, Tue 8
    assert deadline_nearly_up(date(2026, 12, 6), deadline) == 2  # Sunday
    assert deadline_nearly_up(date(2026, 12, 8), deadline) == 0  # the last day to act
    assert deadline_nearly_up(date(2026, 12, 9), deadline) is None  # passed: overdue


def test_nearly_up_skips_tet_and_the_province_days_off():
    # Deadline Thursday 11 February 2027, just after Tết (4–10 February off).
    deadline = date(2027, 2, 11)
    assert deadline_nearly_up(date(2027, 1, 29), deadline) is None  # 1, 2, 3, 11 February
    assert deadline_nearly_up(date(2027, 2, 1), deadline) == 3
    assert deadline_nearly_up(date(2027, 2, 3), deadline) == 1
    assert deadline_nearly_up(date(2027, 1, 29), deadline,
                              days_off=frozenset({date(2027, 2, 1)})) == 3
    assert deadline_nearly_up(date(2027, 2, 1), deadline, within=2) is None
