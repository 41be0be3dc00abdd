"""A council's score sheets and the result they give (Decision 26/2026 Art. 3–4, Annex II).

Each member of the council (hội đồng) fills in a score sheet (phiếu chấm): the annex's table
of a criteria set, one option per criterion.  The council's score is the mean of its members'
totals; the score's band gives a star rank (hạng sao), capped by the annex's star minimums
(``***``/``****``/``*****`` options) and voided by a knock-out (điểm liệt/loại).

How a sheet answers the annex (``picks``: criterion code → answer):

* a criterion with options is answered by the code of one of its options (``"2.3.c"``);
* a criterion printed without options (2.4 "bilingual label" in sets 01–20, 2.3 in 21–22) is a
  yes/no criterion: ``"yes"`` earns its maximum, ``"no"`` earns 0;
* any criterion may be answered ``"none"``.  Reading: the annex is a paper score sheet
  (Art. 3.2, Annex II: «Bộ tiêu chí … đồng thời là phiếu chấm»); where no printed option
  describes the product the evaluator ticks no box (□) and the criterion earns 0.  "none"
  is that empty row: 0 points, and it meets no star minimum — so a product without even a
  trademark application (3.5's lowest option «Đơn đăng ký nhãn hiệu …***») is capped below
  3★.  The consolidated sheet treats "none" like any other answer (it is the lowest one);
* a criterion with ``cases`` (set 26, criteria 8, 9 and 15: «Lựa chọn một trong hai trường
  hợp sau») is answered by one option among all its cases; the option names its case.  A
  sheet picks one case and stays in it: case 1 is the tourism service provided by the
  community in all three criteria, case 2 the other (a tourist site, 8; a service provided by
  an organisation or individual, 9 and 15), so two case criteria answered in different cases
  describe two different products and the sheet is refused, naming the criterion that left
  the case.  On the consolidated sheet the case most sheets chose is kept (the chair's on a
  tie, else case 1) and only the sheets in that case vote on the case criteria;
* a conditional criterion (``conditions.py``) whose condition the same sheet does not meet
  earns nothing and is answered "none"; rating it anyway is refused.

Points are the values the council applies: the catalogue applies the errata (``errata.py``).

Pure domain code: no framework imports, refusals are ``chassis.errors`` exceptions.
"""
from collections import Counter
from dataclasses import dataclass, field
from typing import Mapping

from chassis.errors import InvalidInput, field_error
from services.evaluation import conditions, forwarding, scoring

YES, NO, NONE = "yes", "no", "none"
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
    ``potential_five_star`` a provincial score of 90 or more, forwarded to the ministry
    (``forwarding.py``: even when a star minimum caps its stars).
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
        """Art. 7.4.g: a central result below 5★ goes back to the province, which may
        recognise it as 3★ or 4★ on that result (``forwarding.py``)."""
        return forwarding.handed_back(self.level, self.stars) and \
            scoring.is_recognised(self.stars)


def score_sheet(criteria_set, picks):
    """Validate one member's sheet against ``criteria_set`` (Annex II) and total it.

    Every criterion is answered exactly once; an unknown criterion, an unknown option, a
    missing criterion, a conditional criterion rated although its condition fails, or a case
    criterion answered outside the sheet's case is refused with ``InvalidInput`` pointing at
    ``/picks/<criterion>``.  The total is the sum of the chosen options' points ("none": 0).
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
    if not wrong:
        wrong.update(_contradictions(criteria_set, index, picks))
    if wrong:
        named = ", ".join(map(str, wrong))
        raise InvalidInput(f"Phiếu chấm không hợp lệ: {named}", f"Invalid score sheet: {named}",
                           [field_error(_pointer(code), *message)
                            for code, message in wrong.items()])
    parts = {part["code"]: 0 for part in criteria_set["parts"]}
    for code, criterion in index.items():
        parts[criterion["_part"]] += _points(criterion, picks[code])
    return ScoredSheet(picks=dict(picks), parts=parts, total=sum(parts.values()))


def _contradictions(criteria_set, index, picks):
    """criterion → (vi, en): what a complete sheet says against itself."""
    wrong = {}
    for condition in _unmet_conditions(criteria_set, index, picks):
        code, depends = condition["criterion"], condition["applies_when"]["criterion"]
        if picks[code] != NONE:
            wrong[code] = (
                f"Tiêu chí {code} {condition['printed']['vi'].lower()} (tiêu chí {depends} "
                f"trả lời {picks[depends]!r}): chọn 'none'",
                f"Criterion {code}: {condition['printed']['en'].lower()} (criterion {depends} "
                f"is answered {picks[depends]!r}): answer 'none'")
    chosen = _cases(index, picks)
    if len(set(chosen.values())) > 1:
        first, case = next(iter(chosen.items()))
        for code, other in chosen.items():
            if other != case:
                wrong[code] = (
                    f"Phiếu đã chọn trường hợp {case} ở tiêu chí {first}: tiêu chí {code} "
                    f"phải chấm theo cùng trường hợp (đang là trường hợp {other})",
                    f"The sheet chose case {case} on criterion {first}: criterion {code} "
                    f"must be scored in the same case (it is in case {other})")
    return wrong


def _unmet_conditions(criteria_set, index, picks):
    return [c for c in criteria_set.get("conditions", ())
            if not conditions.is_met(c, picks, _option_codes(index[c["applies_when"]
                                                                   ["criterion"]]))]


def _cases(index, picks):
    """case criterion → the case its answer is in ("none" is in no case), in annex order."""
    found = {}
    for code, criterion in index.items():
        if criterion.get("cases"):
            option = _option(criterion, picks[code])
            if option is not None:
                found[code] = option["case"]
    return found


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
    index = _criteria(criteria_set)
    case = _consolidated_case(index, picks, chair)
    chair_picks = picks.get(chair, {})
    consolidated = {}
    for code, criterion in index.items():
        voters = picks.values()
        if criterion.get("cases") and case is not None:
            voters = [p for p in voters if _cases(index, p).get(code, case) == case]
        votes = Counter(p[code] for p in voters)
        most = max(votes.values())
        tied = [answer for answer, n in votes.items() if n == most]
        if len(tied) == 1:
            consolidated[code] = tied[0]
        elif chair_picks.get(code) in tied:
            consolidated[code] = chair_picks[code]
        else:
            consolidated[code] = min(tied, key=lambda a: (_points(criterion, a),
                                                          _order(criterion, a)))
    for condition in _unmet_conditions(criteria_set, index, consolidated):
        consolidated[condition["criterion"]] = NONE
    return consolidated


def _consolidated_case(index, picks, chair):
    """The case most sheets chose (the chair's on a tie, else the lowest), or None."""
    votes = Counter(next(iter(set(_cases(index, p).values())), None) for p in picks.values())
    votes.pop(None, None)
    if not votes:
        return None
    most = max(votes.values())
    tied = sorted(case for case, n in votes.items() if n == most)
    chairs = set(_cases(index, picks.get(chair, {})).values()) if chair in picks else set()
    return next((case for case in tied if case in chairs), tied[0])


def unmet_minimums(criteria_set, picks, stars):
    """The criteria whose star minimum for ``stars`` the (consolidated) picks miss (Annex II).

    An option marked with N stars (``star_min`` N) is the minimum a product must reach on
    that criterion to be ranked N stars — and therefore also N+1, ...: the 5★ rank is the
    highest and must satisfy everything the 3★ and 4★ ranks require.  So for a rank of
    ``stars``, every option of the criterion marked with ``star_min <= stars`` is a minimum
    (e.g. 4.1 "b ***, c ****, d *****": 3★ needs b or better, 4★ needs c or better, 5★ needs
    d; 2.3 "a ***, c ****": 5★ needs c or better, as 4★ does; 1.3 "c *****" binds only 5★).
    A minimum is met by the marked option itself or by an option worth strictly more points
    (options rise in points as they rise in the annex's ladder); "none" meets no minimum.  An option worth the same
    points but different from the marked one does not meet it: the mark names a condition
    (a certificate, a test report...) that an equally scored alternative does not show.
    """
    unmet = []
    for code, criterion in _criteria(criteria_set).items():
        answer = picks[code]
        for option in criterion["options"]:
            if option["star_min"] is not None and option["star_min"] <= stars and (
                    answer == NONE or not (answer == option["code"]
                    or _points(criterion, answer) > _points(criterion, option["code"]))):
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
    (b) ``findings`` the council or its advisory group recorded: codes of the set's
    ``knockouts`` (e.g. ``"dossier"``: forgery, food-safety certificate, incomplete
    registration), or — per criterion — the code of a criterion whose printed note stops or
    voids the evaluation (``"6.1"``: «… có tạp chất không chấp nhận được … sẽ không đánh giá
    các bước tiếp theo»; every such note of the 26 sets is one of the set's ``knockouts``,
    naming its criterion).  A finding the set does not list is refused (``/knockouts/<i>``).
    The reason is ``{"codes": [...], "criteria": {code: criterion}, "vi": ..., "en": ...}``,
    listing every ground found, each note with the criterion it stands under.
    """
    listed = {k["code"]: k for k in criteria_set["knockouts"]}
    listed.update({k["criterion"]: k for k in criteria_set["knockouts"] if k["criterion"]})
    unknown = [field_error(f"/knockouts/{i}", f"Bộ {criteria_set['code']} không có lý do loại "
                           f"'{code}'", f"Set {criteria_set['code']} has no knock-out '{code}'")
               for i, code in enumerate(findings) if code not in listed]
    if unknown:
        raise InvalidInput("Lý do loại không hợp lệ", "Unknown knock-out finding", unknown)
    found = list({listed[finding]["code"]: listed[finding] for finding in findings}.values())
    grounds = [(k["code"], _at(k["criterion"], "Tiêu chí", k["text"]["vi"]),
                _at(k["criterion"], "Criterion", KNOCKOUT_EN.get(k["code"],
                                                               f"Knock-out: {k['code']}")))
               for k in found]
    for code, criterion in _criteria(criteria_set).items():
        option = _option(criterion, picks[code])
        if option is not None and option["knockout"]:
            grounds.append((option["code"],
                            f"Bị loại theo tiêu chí {code}: {option['text']['vi']}",
                            f"Knocked out on criterion {code}: the council chose option "
                            f"{option['code']}, which the annex marks as disqualifying"))
    if not grounds:
        return None
    return {"codes": [g[0] for g in grounds],
            "criteria": {k["code"]: k["criterion"] for k in found if k["criterion"]},
            "vi": "; ".join(g[1] for g in grounds), "en": "; ".join(g[2] for g in grounds)}


def _at(criterion, word, text):
    return f"{word} {criterion}: {text}" if criterion else text


def council_result(criteria_set, sheets, *, chair, level, findings=()):
    """The council's result for one product (Art. 3.3, 4.1, 7; Annex II).

    Score = mean of the members' totals (two decimals); band 90/70/50/30 with inclusive lower
    bounds; stars = the band capped by the consolidated sheet's star minimums; a knock-out
    gives no stars.  Province: 3★/4★ are recognised, a score of 90 or more is a potential 5★
    sent to the ministry (not recognised by the province, even if capped).  Central: 5★ is recognised by the
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
        potential = forwarding.is_potential_five_star(score, knocked_out=False)
        recognised = scoring.is_recognised(stars) and not potential
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
    if answer == NONE:
        return True
    if not criterion["options"]:
        return answer in (YES, NO)
    return answer in _option_codes(criterion)


def _option_codes(criterion):
    return {o["code"] for o in criterion["options"]}


def _option(criterion, answer):
    return next((o for o in criterion["options"] if o["code"] == answer), None)


def _answer_message(criterion, answer):
    code = criterion["code"]
    if not criterion["options"]:
        return (f"Tiêu chí {code} trả lời 'yes', 'no' hoặc 'none', không phải {answer!r}",
                f"Criterion {code} is answered 'yes', 'no' or 'none', not {answer!r}")
    return (f"Tiêu chí {code} không có phương án {answer!r} (hoặc chọn 'none')",
            f"Criterion {code} has no option {answer!r} (or answer 'none')")


def _points(criterion, answer):
    if answer == NONE:
        return 0
    if not criterion["options"]:
        return criterion["max_points"] if answer == YES else 0
    return _option(criterion, answer)["points"]


def _order(criterion, answer):
    codes = [NONE] + ([o["code"] for o in criterion["options"]] or [NO, YES])
    return codes.index(answer)


def _pointer(code):
    escaped = str(code).replace("~", "~0").replace("/", "~1")
    return f"/picks/{escaped}"
