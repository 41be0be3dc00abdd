"""The criteria sets (bộ sản phẩm, Decision 26/2026 Annex I/II): one JSON file per set
under ``criteria/sets/``, generated from the decision by ``criteria/extract.py``, served as
the council applies them: with the errata applied (``errata.py``), the conditional criteria
(``conditions.py``) and the flags of values that differ from every sibling set."""
import json
from functools import lru_cache
from pathlib import Path

from services.evaluation import conditions, errata

SETS_DIR = Path(__file__).parent / "criteria" / "sets"
RULE_VERSION = "26/2026"
PART_MAXIMA = {"A": 40, "B": 25, "C": 35}  # Art. 3.1
KNOCKOUT_EFFECTS = {"reject", "stop_evaluation", "not_evaluated"}


class CriteriaSetError(ValueError):
    """A criteria set file the scoring rules cannot rely on."""


@lru_cache(maxsize=1)
def criteria_sets():
    printed = {}
    for path in sorted(SETS_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        validate_criteria_set(data, source=path.name)
        printed[data["code"]] = data
    applied = {code: errata.corrected(data) for code, data in printed.items()}
    flags = errata.flags(applied)
    for code, data in applied.items():
        data["conditions"] = conditions.of_set(code)
        data["flags"] = flags.get(code, [])
        check_applicable(data, source=f"{code}.json")
    return applied


def check_applicable(data, source):
    """After the errata: every option is worth a whole number of points within its
    criterion's maximum, and every condition names criteria and options of the set; else
    ``CriteriaSetError`` (an erratum or a condition is missing or wrong)."""
    problems = []
    index = {c["code"]: c for part in data["parts"] for section in part["sections"]
             for c in section["criteria"]}
    for code, criterion in index.items():
        for option in criterion["options"]:
            if type(option["points"]) is not int or option["points"] > criterion["max_points"]:
                problems.append(f"{code}.{option['code']}: {option['points']!r} applied under "
                                f"a maximum of {criterion['max_points']}: no erratum")
    for condition in data["conditions"]:
        depends = index.get(condition["applies_when"]["criterion"])
        if condition["criterion"] not in index or depends is None or not set(
                condition["applies_when"]["not"]) <= {o["code"] for o in depends["options"]}:
            problems.append(f"condition on {condition['criterion']}: names what the set lacks")
    if problems:
        raise CriteriaSetError(f"{source}: " + "; ".join(problems))


def categories():
    return [{"code": s["code"], "name": s["name"], "sector": s["sector"],
             "group": s["group"], "lead_ministry": s["lead_ministry"]}
            for s in criteria_sets().values()]


def criteria_set(code):
    return criteria_sets().get(code)


def validate_criteria_set(data, source="criteria set"):
    """Check that a set has the shape the scoring rules rely on (Art. 3.1, Annex II), or raise
    ``CriteriaSetError`` naming ``source`` and every faulty field.

    Parts A/B/C worth 40/25/35, each the sum of its sections, each section the sum of its
    criteria; every option has a code, integer points, a star mark in 3–5 or none and a
    knock-out flag.  What the annex itself leaves out is accepted only where the criterion
    carries a ``source_note`` saying so: a criterion without options (a yes/no criterion) and
    a blank score cell (``points: null``).
    """
    problems = []

    def bad(where, message):
        problems.append(f"{where}: {message}")

    for key in ("code", "rule_version", "name", "knockouts", "parts"):
        if key not in data:
            bad(key, "missing")
    if problems:
        raise CriteriaSetError(f"{source}: " + "; ".join(problems))
    if data["rule_version"] != RULE_VERSION:
        bad("rule_version", f"{data['rule_version']!r}, expected {RULE_VERSION!r}")
    for i, k in enumerate(data["knockouts"]):
        if not k.get("code") or k.get("effect") not in KNOCKOUT_EFFECTS \
                or not (k.get("text") or {}).get("vi"):
            bad(f"knockouts[{i}]", "needs a code, an effect in "
                f"{sorted(KNOCKOUT_EFFECTS)} and a Vietnamese text")
    if [p.get("code") for p in data["parts"]] != list(PART_MAXIMA):
        bad("parts", f"codes {[p.get('code') for p in data['parts']]}, expected A, B, C")
    seen = set()
    for i, part in enumerate(data["parts"]):
        where = f"parts[{i}]"
        expected = PART_MAXIMA.get(part.get("code"))
        if part.get("max_points") != expected:
            bad(f"{where}.max_points", f"{part.get('max_points')}, expected {expected}")
        sections = part.get("sections") or []
        if not sections:
            bad(f"{where}.sections", "missing or empty")
        if part.get("max_points") != sum(s.get("max_points") or 0 for s in sections):
            bad(f"{where}.max_points", "is not the sum of its sections")
        for j, section in enumerate(sections):
            swhere = f"{where}.sections[{j}]"
            criteria = section.get("criteria") or []
            if not criteria:
                bad(f"{swhere}.criteria", "missing or empty")
            if section.get("max_points") != sum(c.get("max_points") or 0 for c in criteria):
                bad(f"{swhere}.max_points", "is not the sum of its criteria")
            for k, criterion in enumerate(criteria):
                _check_criterion(criterion, f"{swhere}.criteria[{k}]", seen, bad)
    if problems:
        raise CriteriaSetError(f"{source}: " + "; ".join(problems))


def _check_criterion(criterion, where, seen, bad):
    code = criterion.get("code")
    if not code or code in seen:
        bad(f"{where}.code", f"{code!r} is missing or repeated")
    seen.add(code)
    where = f"{where} ({code})"
    if type(criterion.get("max_points")) is not int or criterion["max_points"] <= 0:
        bad(f"{where}.max_points", f"{criterion.get('max_points')!r} is not a positive integer")
    options = criterion.get("options")
    if options is None or (not options and not criterion.get("source_note")):
        bad(f"{where}.options", "no options, and no source_note explaining why")
    cases = {c.get("code") for c in criterion.get("cases") or ()}
    for m, option in enumerate(options or ()):
        owhere = f"{where}.options[{m}] ({option.get('code')})"
        if not option.get("code") or option["code"] in seen:
            bad(f"{owhere}.code", "missing or repeated")
        seen.add(option.get("code"))
        if "points" not in option:
            bad(f"{owhere}.points", "missing")
        elif option["points"] is None:
            if not criterion.get("source_note"):
                bad(f"{owhere}.points", "blank, and no source_note explaining why")
        elif type(option["points"]) is not int or option["points"] < 0:
            bad(f"{owhere}.points", f"{option['points']!r} is not a non-negative integer")
        if option.get("star_min") not in (None, 3, 4, 5):
            bad(f"{owhere}.star_min", f"{option.get('star_min')!r}, expected 3, 4, 5 or null")
        if not isinstance(option.get("knockout"), bool):
            bad(f"{owhere}.knockout", "missing or not a boolean")
        if cases and option.get("case") not in cases:
            bad(f"{owhere}.case", f"{option.get('case')!r} is not one of {sorted(cases)}")
