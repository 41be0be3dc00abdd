"""Misprints of Annex II and the values applied instead (Decision 26/2026/QĐ-TTg, Annex II;
Art. 3.1 gives each part's maximum, the annex each criterion's).

Reading.  The annex is a table: each option (□) prints its points beside it and each
criterion its maximum.  An option printed above its criterion's maximum (set 04, 7.c «Có trên
2 chỉ tiêu» printed 13 under a maximum of 3; set 11, 6.1.1.b «Có rất ít tạp chất, chấp nhận
được» printed 11 under a maximum of 2) or printed with a blank score cell (1.2.a «Không được
cấp giấy chứng nhận chất lượng» in sets 04, 07, 10, 11) cannot be what the decision means.
The value applied is the decision's evident intent: the value the same option (same words,
same criterion, same maximum) has in the sibling sets that print it.  Capping a misprint to
the criterion's maximum is *not* an intent — 6.1.1.b would then score as much as the starred
best option 6.1.1.c.  ``criteria/errata.json`` is the one table of these corrections, each
with its evidence (the sibling sets); the set files under ``criteria/sets/`` keep what is
printed, and the catalogue serves each set with its applied values and its errata.

Set 23's criterion 9 prints "4" and a stray "1" in its maximum's cell: the extractor keeps 4,
which the best option and the part's sum confirm; no option value is at stake, so it is a
source note, not an erratum.

Flags (``flags``): an option whose points or star mark differ from the value that every
sibling set printing the same option agrees on (at least two of them), after the errata are
applied.  They are shown to the council, never changed: the decision may mean them (set 07
gives 3.1.b 1 point where 20 sets give 2; set 01's 8.d lacks the ***** mark 19 sets carry).
"""
import copy
import json
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

ERRATA_FILE = Path(__file__).parent / "criteria" / "errata.json"
MIN_AGREEING_SIBLINGS = 2
FLAGGED_FIELDS = ("points", "star_min")


@lru_cache(maxsize=1)
def errata():
    """Every erratum: set, criterion, option, printed, applied, siblings, evidence."""
    return tuple(json.loads(ERRATA_FILE.read_text(encoding="utf-8"))["errata"])


def options_of(criteria_set):
    """(criterion, option) pairs of a set, in annex order."""
    return [(c, o) for part in criteria_set["parts"] for section in part["sections"]
            for c in section["criteria"] for o in c["options"]]


def corrected(criteria_set):
    """A copy of ``criteria_set`` with its errata applied: each corrected option's
    ``points`` is the applied value and ``printed_points`` what the annex prints; the set
    carries its ``errata``."""
    fixes = {(e["criterion"], e["option"]): e for e in errata()
             if e["set"] == criteria_set["code"]}
    data = copy.deepcopy(criteria_set)
    for criterion, option in options_of(data):
        erratum = fixes.get((criterion["code"], option["code"]))
        if erratum is not None:
            option["printed_points"] = option["points"]
            option["points"] = erratum["applied"]
    data["errata"] = [dict(e) for e in errata() if e["set"] == criteria_set["code"]]
    return data


def sibling_key(criterion, option):
    """What makes two options of different sets the same option of the annex."""
    def words(text):
        return " ".join(text.lower().split())
    return words(criterion["name"]["vi"]), criterion["max_points"], words(option["text"]["vi"])


def flags(criteria_sets):
    """set code → the values of that set that differ from all sibling sets (see above)."""
    printed = defaultdict(dict)  # sibling key → {set code: option}
    for code, data in criteria_sets.items():
        for criterion, option in options_of(data):
            printed[sibling_key(criterion, option)][code] = (criterion, option)
    found = defaultdict(list)
    for same in printed.values():
        for code, (criterion, option) in same.items():
            siblings = {other: o for other, (_, o) in same.items() if other != code}
            for name in FLAGGED_FIELDS:
                values = {o[name] for o in siblings.values()}
                if len(siblings) >= MIN_AGREEING_SIBLINGS and len(values) == 1 \
                        and option[name] not in values:
                    found[code].append({
                        "criterion": criterion["code"], "option": option["code"],
                        "field": name, "value": option[name],
                        "siblings_value": values.pop(), "siblings": sorted(siblings)})
    return found
