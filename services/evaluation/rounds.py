"""Evaluation rounds (đợt đánh giá) and their deadlines (Decision 26/2026 Art. 5), on
Vietnam dates.

Art. 5.1 (province, at least two rounds a year): «Đợt 01 trước ngày 30 tháng 6 đối với các
hồ sơ được UBND cấp xã đề nghị trước ngày 30 tháng 4; đợt 02 trước ngày 30 tháng 12 đối với
các hồ sơ được UBND cấp xã đề nghị trước ngày 30 tháng 10».
Art. 5.2 (central, at least two rounds a year): «Đợt 01 trước ngày 30 tháng 9 đối với các hồ
sơ được UBND cấp tỉnh đề nghị trước ngày 30 tháng 7; đợt 02 trước ngày 30 tháng 3 đối với các
hồ sơ được UBND cấp tỉnh đề nghị trước ngày 30 tháng 01».

Reading, to the letter:
* «trước ngày 30 tháng 4» is *before* 30 April: a dossier proposed on 29 April is in round 1,
  one proposed on 30 April itself in round 2 (and likewise 30 October, 30 January, 30 July).
  A round's ``cutoff`` is that printed date, which the proposal must precede; its
  ``deadline`` the printed date its decision must precede.
* The date is the day the dossier was *proposed* — by the commune to the province (province
  rounds), by the province to the ministry (central rounds) — not the day the producer filed
  it; and it is a Vietnam date (Asia/Ho_Chi_Minh, UTC+7): a proposal at 00:30 on 30 April in
  Hà Nội is on 30 April although it is still 29 April in UTC.
* So a proposal from 30 October of one year to 29 April of the next goes to the next round
  1 of the province; at central level one from 30 January to 29 July goes to that year's
  September round, one from 30 July to 29 January to the next March round.

A round's id is ``<level>-<year>-<number>``, the year being that of its decision deadline and
the number the one Art. 5 gives it — hence the central March round is round 2 of its year
although it comes first in the calendar.  Provinces may add rounds (Art. 5.1 second
paragraph); those come from their council regulation, not from here.
"""
import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from chassis.errors import InvalidInput, field_error

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

# level → {number: ((cut-off month, day), (deadline month, day))}
SCHEDULE = {
    "province": {1: ((4, 30), (6, 30)), 2: ((10, 30), (12, 30))},
    "central": {2: ((1, 30), (3, 30)), 1: ((7, 30), (9, 30))},
}


@dataclass(frozen=True)
class Round:
    """A round: proposals made before ``cutoff`` are decided before ``deadline``."""

    id: str
    level: str
    year: int
    number: int
    cutoff: datetime.date
    deadline: datetime.date


def vietnam_date(instant):
    """The calendar date in Vietnam of an instant (an aware datetime or RFC 3339 text)."""
    if isinstance(instant, str):
        instant = datetime.datetime.fromisoformat(instant)
    if instant.tzinfo is None:
        raise ValueError("an instant needs its time zone to have a Vietnam date")
    return instant.astimezone(VIETNAM).date()


def vietnam_today():
    return vietnam_date(datetime.datetime.now(datetime.timezone.utc))


def proposal_date(proposed_on, time):
    """The Vietnam date a dossier was proposed: ``proposed_on`` (YYYY-MM-DD, the proposer's
    own date) when the event carries it, else the Vietnam date of the event's ``time``."""
    if proposed_on:
        return datetime.date.fromisoformat(proposed_on)
    return vietnam_date(time)


def round_for(level, proposed_on):
    """The round that decides on a dossier proposed on ``proposed_on`` (a Vietnam date) to
    ``level`` (``"province"``: proposed by the commune; ``"central"``: by the province)."""
    if level not in SCHEDULE:
        raise InvalidInput(f"Cấp đánh giá không hợp lệ: {level}", f"Unknown level: {level}",
                           [field_error("/level", "Phải là province hoặc central",
                                        "Must be province or central")])
    if isinstance(proposed_on, datetime.datetime):
        proposed_on = vietnam_date(proposed_on)
    # The schedule lists each level's rounds in calendar order of their cut-offs; the first
    # cut-off still ahead takes the proposal, else the year's first round of next year.
    for year in (proposed_on.year, proposed_on.year + 1):
        for number, (cutoff, deadline) in SCHEDULE[level].items():
            if proposed_on < datetime.date(year, *cutoff):
                return Round(id=f"{level}-{year}-{number}", level=level, year=year,
                             number=number, cutoff=datetime.date(year, *cutoff),
                             deadline=datetime.date(year, *deadline))
