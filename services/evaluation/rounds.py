"""Evaluation rounds (đợt đánh giá) and their deadlines (Decision 26/2026 Art. 5).

Province (Art. 5.1), at least two rounds a year: round 1 decides before 30 June on dossiers
the commune proposed by 30 April; round 2 before 30 December on those proposed by 30 October;
a proposal after 30 October waits for next year's round 1.
Central (Art. 5.2), at least two rounds a year: round 1 decides before 30 September on
dossiers the province proposed by 30 July; round 2 before 30 March on those proposed by
30 January.  So a proposal from 31 January to 30 July goes to that year's September round,
one after 30 July to the next year's March round.

A round's id is ``<level>-<year>-<number>``, the year being that of its decision deadline and
the number the one Art. 5 gives it — hence the central March round is round 2 of its year
although it comes first in the calendar.  The decision writes "trước ngày 30 tháng 4" for the
cut-offs; a proposal made on the cut-off day itself still belongs to the round, as the
programme applies it ("by 30 April").  Provinces may add rounds (Art. 5.1 second paragraph);
those come from their council regulation, not from here.
"""
import datetime
from dataclasses import dataclass

from chassis.errors import InvalidInput, field_error

# level → {number: ((cut-off month, day), (deadline month, day))}
SCHEDULE = {
    "province": {1: ((4, 30), (6, 30)), 2: ((10, 30), (12, 30))},
    "central": {2: ((1, 30), (3, 30)), 1: ((7, 30), (9, 30))},
}


@dataclass(frozen=True)
class Round:
    """A round: proposals made on or before ``cutoff`` are decided before ``deadline``."""

    id: str
    level: str
    year: int
    number: int
    cutoff: datetime.date
    deadline: datetime.date


def round_for(level, proposed_on):
    """The round that decides on a dossier proposed on ``proposed_on`` (a date) to ``level``
    (``"province"``: proposed by the commune; ``"central"``: proposed by the province)."""
    if level not in SCHEDULE:
        raise InvalidInput(f"Cấp đánh giá không hợp lệ: {level}", f"Unknown level: {level}",
                           [field_error("/level", "Phải là province hoặc central",
                                        "Must be province or central")])
    if isinstance(proposed_on, datetime.datetime):
        proposed_on = proposed_on.date()
    # The schedule lists each level's rounds in calendar order of their cut-offs; the first
    # cut-off not yet passed takes the proposal, else the year's first round of next year.
    for year in (proposed_on.year, proposed_on.year + 1):
        for number, (cutoff, deadline) in SCHEDULE[level].items():
            if proposed_on <= datetime.date(year, *cutoff):
                return Round(id=f"{level}-{year}-{number}", level=level, year=year,
                             number=number, cutoff=datetime.date(year, *cutoff),
                             deadline=datetime.date(year, *deadline))
