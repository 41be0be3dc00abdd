"""A council's score sheets and the result they give (Decision 26/2026 Art. 3–4, Annex II).

Each member of the council (hội đồng) fills in a score sheet (phiếu chấm): the annex's table
of a criteria set, one option per criterion.  The council's score is the mean of its members'
totals; the score's band gives a star rank (hạng sao), capped by the annex's star minimums
(``***``/``****``/``*****`` options) and voided by a knock-out (điểm liệt/loại).

How a sheet answers the annex (``picks``: criterion code → answer):

* a criterion with options is answered by the code of one of its options (``"2.3.c"``);
* a criterion printed without options (2.4 "bilingual label" in sets 01–20, 2.3 in 21–22) is a
  yes/no criterion: ``"yes"`` earns its maximum, ``"no"`` earns 0;
* a criterion with ``cases`` (set 26: "choose one of the two cases") is answered by one option
  among all its cases; the option names its case, so the case needs no separate answer.

Pure domain code: no framework imports, refusals are ``chassis.errors`` exceptions.
"""
from collections import Counter
from dataclasses import dataclass, field
from typing import Mapping

from chassis.errors import InvalidInput, field_error
from services.evaluation import scoring

YES, NO = "yes", "no"
LEVELS = ("province", "central")
STAR_LEVELS = (3, 4, 5)

# The annex's set-level knock-outs are printed in Vietnamese only; these are their English
# renderings, keyed by the codes the extractor gives them.
KNOCKOUT_EN = {
    "dossier": "Dossier rejected: forged dossier, non-compliance with the food-safety "
               "establishment certificate rules (or the sector's mandatory production "
               "conditions), or an incomplete registration dossier",
    "common_product_not_distinctive": "Not evaluated: a common product of a national or "
                                      "provincial key product group without outstanding "
                                      "quality or distinctiveness",
    "food_safety_contaminant": "Evaluation stopped: the product contains contaminants that "
                               "threaten food safety (insects, hair, sand, gravel...)",
    "copy_of_other_product": "Rejected: identical to another producer's product",
    "imported_or_unknown_raw_material": "Rejected: all raw material imported or of unknown "
                                        "origin",
    "zero_score_stop": "Evaluation stopped: zero points on one of the sensory criteria",
    "no_product_declaration": "Evaluation stopped: no product declaration as required",
    "intellectual_property_violation": "Rejected: infringement of intellectual property rights",
}


@dataclass(frozen=True)
class ScoredSheet:
    """One member's validated sheet: its answers, its points per part (A/B/C) and total."""

    picks: Mapping[str, str]
    parts: Mapping[str, int]
    total: int


@dataclass(frozen=True)
class CouncilResult:
    """What a council's decision yields for one product.

    ``stars`` is the star rank after the star-minimum cap (``None`` when knocked out);
    ``band_stars`` the band of the score alone; ``capped_by`` the criteria whose minimum for
    ``band_stars`` the consolidated sheet misses.  ``recognised`` means this council's level
    recognises the product at ``stars`` (province: 3★/4★; central: 5★);
    ``potential_five_star`` a provincial 5★ result, forwarded to the ministry.
    """

    score: float
    band_stars: int
    stars: int | None
    capped_by: tuple[str, ...]
    knocked_out: Mapping[str, object] | None
    recognised: bool
    level: str
    potential_five_star: bool
    rule_version: str
    category: str
    consolidated: Mapping[str, str] = field(default_factory=dict)

    @property
    def province_may_recognise(self):
        """Art. 4 and 7: a central result below 5★ goes back to the province, which may
        recognise it as 3★ or 4★ on that result."""
        return (self.level == "central" and self.stars is not None
                and scoring.RECOGNISED_FROM <= self.stars < 5)


def score_sheet(criteria_set, picks):
    """Validate one member's sheet against ``criteria_set`` (Annex II) and total it.

    Every criterion is answered exactly once; an unknown criterion, an unknown option or a
    missing criterion is refused with ``InvalidInput`` pointing at ``/picks/<criterion>``.
    The total is the sum of the chosen options' points, where a blank score cell counts 0
    and no criterion awards more than its printed maximum: two options are printed above
    their criterion's maximum (set 04 7.c "13", set 11 6.1.1.b "11"), which the section and
    part sums show to be misprints, so they earn the maximum (6.1.1.b, "very few
    impurities", was probably meant as 1; the annex gives no surer reading than its maximum).
    """
    if not isinstance(picks, Mapping):
        raise InvalidInput("Phiếu chấm phải là bảng tiêu chí → phương án",
                           "A score sheet maps each criterion to an option",
                           [field_error("/picks", "Phải là một đối tượng", "Must be an object")])
    index = _criteria(criteria_set)
    wrong = {}
    for code, answer in picks.items():
        criterion = index.get(code)
        if criterion is None:
            wrong[code] = (f"Không có tiêu chí {code} trong bộ {criteria_set['code']}",
                           f"No criterion {code} in set {criteria_set['code']}")
        elif not _valid_answer(criterion, answer):
            wrong[code] = _answer_message(criterion, answer)
    wrong.update({code: (f"Thiếu tiêu chí {code}", f"Criterion {code} is missing")
                  for code in index if code not in picks})
    if wrong:
        named = ", ".join(map(str, wrong))
        raise InvalidInput(f"Phiếu chấm không hợp lệ: {named}", f"Invalid score sheet: {named}",
                           [field_error(_pointer(code), *message)
                            for code, message in wrong.items()])
    parts = {part["code"]: 0 for part in criteria_set["parts"]}
    for code, criterion in index.items():
        parts[criterion["_part"]] += _points(criterion, picks[code])
    return ScoredSheet(picks=dict(picks), parts=parts, total=sum(parts.values()))


def consolidate(criteria_set, sheets, chair):
    """The council's consolidated sheet: per criterion, the answer most members chose (the
    most frequent one, even short of half when three or more answers are in play).

    Rule (council practice of deciding by majority, the chair having the casting vote): when
    several answers tie for most votes, the chair's answer wins if it is one of them;
    otherwise (the chair chose another answer or sent no sheet) the tied answer with the
    fewest points wins, so that a split council never credits the higher option.
    ``sheets`` maps member id → picks; each is validated with ``score_sheet``.
    """
    if not sheets:
        raise InvalidInput("Chưa có phiếu chấm nào", "No score sheet was given",
                           [field_error("/sheets", "Cần ít nhất một phiếu",
                                        "At least one sheet is needed")])
    picks = {member: score_sheet(criteria_set, p).picks for member, p in sheets.items()}
    chair_picks = picks.get(chair, {})
    consolidated = {}
    for code, criterion in _criteria(criteria_set).items():
        votes = Counter(p[code] for p in picks.values())
        most = max(votes.values())
        tied = [answer for answer, n in votes.items() if n == most]
        if len(tied) == 1:
            consolidated[code] = tied[0]
        elif chair_picks.get(code) in tied:
            consolidated[code] = chair_picks[code]
        else:
            consolidated[code] = min(tied, key=lambda a: (_points(criterion, a),
                                                          _order(criterion, a)))
    return consolidated


def unmet_minimums(criteria_set, picks, stars):
    """The criteria whose star minimum for ``stars`` the (consolidated) picks miss (Annex II).

    An option marked with N stars (``star_min`` N) is the minimum a product must reach on
    that criterion to be ranked N stars — and therefore also N+1, ...: the 5★ rank is the
    highest and must satisfy everything the 3★ and 4★ ranks require.  So for a rank of
    ``stars``, every option of the criterion marked with ``star_min <= stars`` is a minimum
    (e.g. 4.1 "b ***, c ****, d *****": 3★ needs b or better, 4★ needs c or better, 5★ needs
    d; 2.3 "a ***, c ****": 5★ needs c or better, as 4★ does; 1.3 "c *****" binds only 5★).
    A minimum is met by the marked option itself or by an option worth strictly more points
    (options rise in points as they rise in the annex's ladder).  An option worth the same
    points but different from the marked one does not meet it: the mark names a condition
    (a certificate, a test report...) that an equally scored alternative does not show.
    """
    unmet = []
    for code, criterion in _criteria(criteria_set).items():
        answer = picks[code]
        for option in criterion["options"]:
            if option["star_min"] is not None and option["star_min"] <= stars and not (
                    answer == option["code"]
                    or _points(criterion, answer) > _points(criterion, option["code"])):
                unmet.append(code)
                break
    return tuple(unmet)


def star_cap(criteria_set, picks):
    """The highest star rank whose minimums the picks all meet (2 when even 3★'s are not:
    ranks 1★ and 2★ have no minimums)."""
    return next((stars for stars in reversed(STAR_LEVELS)
                 if not unmet_minimums(criteria_set, picks, stars)), 2)


def knockout(criteria_set, picks, findings=()):
    """The reason a dossier is knocked out (Annex II "Hồ sơ bị loại khi…", "Bị loại nếu…",
    "không đánh giá các bước tiếp theo…"), or ``None``.

    Grounds: (a) the consolidated ``picks`` choose an option marked as a knock-out;
    (b) ``findings``: codes of the set's dossier-level ``knockouts`` the council or its
    advisory group found (e.g. ``"dossier"``: forgery, food-safety certificate, incomplete
    registration).  A code the set does not list is refused (``/knockouts/<i>``).  The reason
    is ``{"codes": [...], "vi": ..., "en": ...}``, listing every ground found.
    """
    listed = {k["code"]: k for k in criteria_set["knockouts"]}
    unknown = [field_error(f"/knockouts/{i}", f"Bộ {criteria_set['code']} không có lý do loại "
                           f"'{code}'", f"Set {criteria_set['code']} has no knock-out '{code}'")
               for i, code in enumerate(findings) if code not in listed]
    if unknown:
        raise InvalidInput("Lý do loại không hợp lệ", "Unknown knock-out finding", unknown)
    grounds = [(code, listed[code]["text"]["vi"], KNOCKOUT_EN.get(code, f"Knock-out: {code}"))
               for code in dict.fromkeys(findings)]
    for code, criterion in _criteria(criteria_set).items():
        option = next((o for o in criterion["options"] if o["code"] == picks[code]), None)
        if option is not None and option["knockout"]:
            grounds.append((option["code"],
                            f"Bị loại theo tiêu chí {code}: {option['text']['vi']}",
                            f"Knocked out on criterion {code}: the council chose option "
                            f"{option['code']}, which the annex marks as disqualifying"))
    if not grounds:
        return None
    return {"codes": [g[0] for g in grounds], "vi": "; ".join(g[1] for g in grounds),
            "en": "; ".join(g[2] for g in grounds)}


def council_result(criteria_set, sheets, *, chair, level, findings=()):
    """The council's result for one product (Art. 3.3, 4.1, 7; Annex II).

    Score = mean of the members' totals (two decimals); band 90/70/50/30 with inclusive lower
    bounds; stars = the band capped by the consolidated sheet's star minimums; a knock-out
    gives no stars.  Province: 3★/4★ are recognised, a 5★ result is a potential 5★ sent to
    the ministry (not recognised by the province).  Central: 5★ is recognised by the
    ministry; below that the result goes back to the province (``province_may_recognise``).
    1★/2★ are recorded, never recognised.  The council regulation (quorum, spread, conflicts
    of interest: ``council.check_decision``) is checked by the caller before this.
    """
    if level not in LEVELS:
        raise InvalidInput(f"Cấp đánh giá không hợp lệ: {level}", f"Unknown level: {level}",
                           [field_error("/level", "Phải là province hoặc central",
                                        "Must be province or central")])
    consolidated = consolidate(criteria_set, sheets, chair)
    score = scoring.council_score([score_sheet(criteria_set, p).total for p in sheets.values()])
    band = scoring.stars_for(score)
    common = {"score": score, "band_stars": band, "level": level,
              "rule_version": criteria_set["rule_version"], "category": criteria_set["code"],
              "consolidated": consolidated}
    reason = knockout(criteria_set, consolidated, findings)
    if reason is not None:
        return CouncilResult(stars=None, capped_by=(), knocked_out=reason, recognised=False,
                             potential_five_star=False, **common)
    stars = min(band, star_cap(criteria_set, consolidated))
    capped_by = unmet_minimums(criteria_set, consolidated, band) if stars < band else ()
    if level == "province":
        recognised, potential = scoring.is_recognised(stars) and stars < 5, stars == 5
    else:
        recognised, potential = stars == 5, False
    return CouncilResult(stars=stars, capped_by=capped_by, knocked_out=None,
                         recognised=recognised, potential_five_star=potential, **common)


def _criteria(criteria_set):
    """Criterion code → criterion (with its part's code under ``_part``), in annex order."""
    return {c["code"]: {**c, "_part": part["code"]}
            for part in criteria_set["parts"] for section in part["sections"]
            for c in section["criteria"]}


def _valid_answer(criterion, answer):
    if not criterion["options"]:
        return answer in (YES, NO)
    return any(o["code"] == answer for o in criterion["options"])


def _answer_message(criterion, answer):
    code = criterion["code"]
    if not criterion["options"]:
        return (f"Tiêu chí {code} trả lời 'yes' hoặc 'no', không phải {answer!r}",
                f"Criterion {code} is answered 'yes' or 'no', not {answer!r}")
    return (f"Tiêu chí {code} không có phương án {answer!r}",
            f"Criterion {code} has no option {answer!r}")


def _points(criterion, answer):
    if not criterion["options"]:
        return criterion["max_points"] if answer == YES else 0
    option = next(o for o in criterion["options"] if o["code"] == answer)
    return min(option["points"] or 0, criterion["max_points"])


def _order(criterion, answer):
    codes = [o["code"] for o in criterion["options"]] or [NO, YES]
    return codes.index(answer)


def _pointer(code):
    escaped = str(code).replace("~", "~0").replace("/", "~1")
    return f"/picks/{escaped}"
