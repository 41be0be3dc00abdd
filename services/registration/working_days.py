"""Working days in Vietnam, for the deadlines of the procedure.

The commune People's Committee has **15 working days** from receiving a dossier to check it,
issue Form 03 and send it to the province (Decision 26/2026 Art. 7.2). Working days (ngày làm
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


def parse_days(texts):
    return frozenset(date.fromisoformat(text) for text in texts)
