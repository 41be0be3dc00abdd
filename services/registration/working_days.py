"""Working days in Vietnam, for the deadlines of the procedure.

The commune People's Committee has **15 working days** from receiving a dossier to check it,
issue Form 03 and send it to the province (Decision 26/2026 Art. 7.2); its officer is told
when they are nearly up (``deadline_nearly_up``). Working days (ngày làm
việc) skip Saturdays, Sundays and public holidays: Vietnam's holidays, Tết included, come from
the maintained ``holidays`` calendar (lunar dates computed, pinned in requirements); a
province adds the days its own decisions give off (e.g. the extra days of a Tết break).
Dates are Vietnam dates (Asia/Ho_Chi_Minh), never UTC days.
"""
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import holidays

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
COMMUNE_REVIEW_WORKING_DAYS = 15
REMINDER_WORKING_DAYS = 3  # default of DEADLINE_REMINDER_WORKING_DAYS
PUBLIC_HOLIDAYS = holidays.country_holidays("VN")  # fills in each year when first asked


def vietnam_date(moment):
    """The Vietnam calendar date of a UTC instant."""
    return moment.astimezone(VIETNAM).date()


def is_working_day(day, days_off=frozenset()):
    return day.weekday() < 5 and day not in PUBLIC_HOLIDAYS and day not in days_off


def add_working_days(start, count, days_off=frozenset()):
    """The ``count``-th working day after ``start`` (the day of receipt is not counted)."""
    day = start
    while count:
        day += timedelta(days=1)
        if is_working_day(day, days_off):
            count -= 1
    return day


def commune_review_deadline(received_on, days_off=frozenset()):
    return add_working_days(received_on, COMMUNE_REVIEW_WORKING_DAYS, days_off)


def working_days_left(today, deadline, days_off=frozenset()):
    """The working days after ``today`` up to ``deadline`` (so that
    ``add_working_days(today, left) == deadline``): 0 on the deadline itself, which is still
    a day to act."""
    left, day = 0, today
    while day < deadline:
        day += timedelta(days=1)
        left += is_working_day(day, days_off)
    return left


def deadline_nearly_up(today, deadline, within=REMINDER_WORKING_DAYS, days_off=frozenset()):
    """Whether the commune's 15 working days (Decision 26/2026 Art. 7.2) are nearly up on
    ``today``: ``within`` working days or fewer are left and the deadline has not passed
    (a passed one is on the province's overdue list instead). The number of working days
    left, or None."""
    if today > deadline:
        return None
    left = working_days_left(today, deadline, days_off)
    return left if left <= within else None


def parse_days(texts):
    return frozenset(date.fromisoformat(text) for text in texts)
