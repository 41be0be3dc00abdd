"""Score sheets, consolidation, star minimums, knock-outs and the council result
(services/evaluation/sheets.py) against the real 26 criteria sets of Decision 26/2026."""
import copy
import re

import pytest

from chassis.errors import InvalidInput
from services.evaluation import catalogue, scoring, sheets

CODES = [f"{i:02d}" for i in range(1, 27)]


@pytest.fixture(scope="module")
def sets():
    return catalogue.criteria_sets()


# ---------------------------------------------------------------- helpers, independent of sheets

def criteria(cs):
    return [c for p in cs["parts"] for s in p["sections"] for c in s["criteria"]]


def criterion(cs, code):
    return next(c for c in criteria(cs) if c["code"] == code)


def points(c, answer):
    if answer == "none":
        return 0
    if not c["options"]:
        return c["max_points"] if answer == "yes" else 0
    return next(o for o in c["options"] if o["code"] == answer)["points"]


def total(cs, picks):
    return sum(points(c, picks[c["code"]]) for c in criteria(cs))


def best(cs):
    """Every criterion at its best option (the last among equals: the annex lists upwards)."""
    picks = {}
    for c in criteria(cs):
        if not c["options"]:
            picks[c["code"]] = "yes"
        else:
            i = max(range(len(c["options"])), key=lambda i: (points(c, c["options"][i]["code"]), i))
            picks[c["code"]] = c["options"][i]["code"]
    return picks


def first_unmet_level(c, answer):
    """The lowest rank whose minimum ``answer`` misses on criterion ``c`` (6 if none)."""
    failing = [o["star_min"] for o in c["options"] if o["star_min"]
               and not (answer == o["code"] or points(c, answer) > points(c, o["code"]))]
    return min(failing, default=6)


def degrade(cs, picks, low, high, keep=(), level=5):
    """Lower criteria (not in ``keep``) one by one to their cheapest option that still meets
    the minimums of ``level`` and is no knock-out, keeping the total >= low, until < high.
    A criterion another one's condition rests on (5.1, the story) is kept."""
    picks = dict(picks)
    keep = set(keep) | {c["applies_when"]["criterion"] for c in cs["conditions"]}
    for c in criteria(cs):
        now = total(cs, picks)
        if now < high:
            break
        if c["code"] in keep:
            continue
        answers = [o["code"] for o in c["options"] if not o["knockout"]
                   and o.get("case") == case_of(c, picks[c["code"]])] or ["no", "yes"]
        for answer in sorted(answers, key=lambda a: points(c, a)):
            if first_unmet_level(c, answer) > level and \
                    now - points(c, picks[c["code"]]) + points(c, answer) >= low:
                picks[c["code"]] = answer
                break
    assert low <= total(cs, picks) < high, (cs["code"], total(cs, picks))
    return picks


def case_of(c, answer):
    return next((o.get("case") for o in c["options"] if o["code"] == answer), None)


def coherent(cs, picks):
    """``picks`` with each conditional criterion whose condition they miss answered
    "none", as the evaluator must (the oracle of the printed conditions)."""
    picks = dict(picks)
    for condition in cs["conditions"]:
        depends = condition["applies_when"]
        if picks[depends["criterion"]] in depends["not"] + ["none"]:
            picks[condition["criterion"]] = "none"
    return picks


def decide(cs, picks, level="province", **kw):
    return sheets.council_result(cs, {"chair": picks}, chair="chair", level=level, **kw)


def starred_criteria(cs):
    return [c for c in criteria(cs) if any(o["star_min"] for o in c["options"])]


# ---------------------------------------------------------------- every set: realistic sheets

@pytest.mark.parametrize("code", CODES)
def test_best_sheet_is_a_potential_five_star_at_province(sets, code):
    cs = sets[code]
    picks = best(cs)
    scored = sheets.score_sheet(cs, picks)
    assert scored.total == 100 and scored.parts == {"A": 40, "B": 25, "C": 35}
    r = decide(cs, picks)
    assert (r.score, r.band_stars, r.stars, r.capped_by, r.knocked_out) == (100, 5, 5, (), None)
    assert r.potential_five_star and not r.recognised
    assert (r.level, r.category, r.rule_version) == ("province", code, "26/2026")
    assert r.consolidated == picks


@pytest.mark.parametrize("code", CODES)
def test_best_sheet_is_recognised_five_star_at_central(sets, code):
    r = decide(sets[code], best(sets[code]), level="central")
    assert r.stars == 5 and r.recognised and not r.potential_five_star
    assert not r.province_may_recognise


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize("stars,low,high", [(4, 70, 90), (3, 50, 70)])
def test_mid_sheet_meeting_its_minimums_is_recognised_at_province(sets, code, stars, low, high):
    cs = sets[code]
    picks = degrade(cs, best(cs), low, high, level=stars)
    r = decide(cs, picks)
    assert r.band_stars == r.stars == stars and r.capped_by == ()
    assert r.recognised and not r.potential_five_star
    assert r.score == sheets.score_sheet(cs, picks).total


@pytest.mark.parametrize("code", CODES)
def test_mid_sheet_at_central_goes_back_to_the_province(sets, code):
    cs = sets[code]
    r = decide(cs, degrade(cs, best(cs), 70, 90, level=4), level="central")
    assert r.stars == 4 and not r.recognised and r.province_may_recognise


LOW_BANDS = [(code, 30, 50, 2) for code in CODES] + [(code, 0, 30, 1) for code in CODES[:25]]


@pytest.mark.parametrize("code,low,high,stars", LOW_BANDS)
def test_low_sheets_are_recorded_not_recognised(sets, code, low, high, stars):
    cs = sets[code]
    r = decide(cs, degrade(cs, best(cs), low, high, level=2))
    assert r.band_stars == r.stars == stars and r.knocked_out is None
    assert not r.recognised and not r.potential_five_star
    r = decide(cs, degrade(cs, best(cs), low, high, level=2), level="central")
    assert not r.recognised and not r.province_may_recognise


def test_tourism_set_cannot_fall_below_two_stars(sets):
    """Every option of set 26 is worth at least 1 point: the lowest sheet totals 31."""
    cs = sets["26"]
    lowest = {c["code"]: min(c["options"], key=lambda o: o["points"])["code"] for c in criteria(cs)}
    assert sheets.score_sheet(cs, lowest).total == 31
    assert decide(cs, lowest).stars == 2


# ---------------------------------------------------------------- every set: star-minimum caps

@pytest.mark.parametrize("code", CODES)
def test_a_five_star_total_is_capped_by_an_unmet_minimum(sets, code):
    """On each set: best sheet, one starred criterion one option below its highest mark."""
    cs = sets[code]
    c, top = next((c, top) for c in starred_criteria(cs)
                  for top in [max((o for o in c["options"] if o["star_min"]),
                                  key=lambda o: o["star_min"])]
                  if points(c, c["options"][0]["code"]) < points(c, top["code"]))
    below = max((o for o in c["options"] if points(c, o["code"]) < points(c, top["code"])),
                key=lambda o: points(c, o["code"]))
    picks = {**best(cs), c["code"]: below["code"]}
    r = decide(cs, picks)
    assert r.score >= 90 and r.band_stars == 5
    assert r.stars == first_unmet_level(c, below["code"]) - 1 < 5
    assert r.capped_by == (c["code"],)
    # Art. 7.3.e: 90 or more is a potential 5★, forwarded although capped (forwarding.py)
    assert r.potential_five_star and not r.recognised
    central = decide(cs, picks, level="central")
    assert not central.recognised and central.province_may_recognise == (r.stars >= 3)


@pytest.mark.parametrize("code", CODES)
def test_a_four_star_total_is_capped_by_an_unmet_minimum(sets, code):
    """On each set: a 70–89 sheet missing a *** or **** minimum on one criterion."""
    cs = sets[code]
    c, mark = next((c, mark) for c in starred_criteria(cs)
                   for mark in [max((o for o in c["options"] if (o["star_min"] or 6) <= 4),
                                    key=lambda o: o["star_min"], default=None)]
                   if mark and points(c, c["options"][0]["code"]) < points(c, mark["code"]))
    below = c["options"][0]
    picks = degrade(cs, {**best(cs), c["code"]: below["code"]}, 70, 90, keep={c["code"]})
    r = decide(cs, picks)
    assert r.band_stars == 4
    assert r.stars == first_unmet_level(c, below["code"]) - 1 < 4
    assert r.capped_by == (c["code"],)


@pytest.mark.parametrize("code", CODES)
def test_every_option_of_every_starred_criterion(sets, code):
    """Exhaustive: each option of each starred criterion, the rest at their best."""
    cs = sets[code]
    for c in starred_criteria(cs):
        for o in c["options"]:
            picks = coherent(cs, {**best(cs), c["code"]: o["code"]})
            r = decide(cs, picks)
            band = scoring.stars_for(total(cs, picks))
            expected = min(band, first_unmet_level(c, o["code"]) - 1)
            assert (r.band_stars, r.stars) == (band, expected), (code, o["code"])
            assert r.capped_by == ((c["code"],) if expected < band else ()), (code, o["code"])


def test_what_minimum_for_n_stars_means(sets):
    cs = sets["01"]
    # 4.1: b ***, c ****, d *****
    assert [(o["code"], o["star_min"]) for o in criterion(cs, "4.1")["options"]] == [
        ("4.1.a", None), ("4.1.b", 3), ("4.1.c", 4), ("4.1.d", 5)]
    for answer, cap in [("4.1.d", 5), ("4.1.c", 4), ("4.1.b", 3), ("4.1.a", 2)]:
        assert sheets.star_cap(cs, {**best(cs), "4.1": answer}) == cap
    # 2.3: a ***, c ****: the 4-star mark is also the 5-star minimum
    assert sheets.star_cap(cs, {**best(cs), "2.3": "2.3.b"}) == 3
    assert sheets.unmet_minimums(cs, {**best(cs), "2.3": "2.3.b"}, 5) == ("2.3",)
    assert sheets.unmet_minimums(cs, {**best(cs), "2.3": "2.3.b"}, 3) == ()
    # 3.5: a ***, b ****, c unmarked (better): c meets every minimum
    assert sheets.star_cap(cs, {**best(cs), "3.5": "3.5.c"}) == 5
    assert sheets.star_cap(cs, {**best(cs), "3.5": "3.5.b"}) == 5
    # 1.3: only c *****: b binds nothing below 5
    assert sheets.star_cap(cs, {**best(cs), "1.3": "1.3.b"}) == 4
    assert sheets.unmet_minimums(cs, {**best(cs), "1.3": "1.3.b"}, 4) == ()


def test_tourism_set_has_no_five_star_marks_so_its_four_star_marks_bind_five(sets):
    cs = sets["26"]
    c = starred_criteria(cs)[0]
    four = next(o for o in c["options"] if o["star_min"] == 4)
    below = [o for o in c["options"] if points(c, o["code"]) < points(c, four["code"])][-1]
    r = decide(cs, {**best(cs), c["code"]: below["code"]})
    assert r.band_stars == 5 and r.stars == 3 and r.capped_by == (c["code"],)


def test_capped_by_lists_every_criterion_missing_the_band(sets):
    cs = sets["01"]
    picks = {**best(cs), "1.3": "1.3.b", "4.1": "4.1.c"}
    r = decide(cs, picks)
    assert total(cs, picks) == 97 and r.stars == 4 and r.capped_by == ("1.3", "4.1")


def test_an_equally_scored_option_does_not_meet_a_mark(sets):
    """The rule, on a set where the data has no such tie: an option worth the marked
    option's points, but a different one, does not meet the mark."""
    cs = copy.deepcopy(sets["01"])
    c = criterion(cs, "4.1")
    c["options"][1]["points"] = c["options"][2]["points"]  # b worth c's points; c is ****
    picks = {**best(cs), "4.1": "4.1.b"}
    assert sheets.unmet_minimums(cs, picks, 4) == ("4.1",)


def test_no_equal_points_tie_with_a_marked_option_once_the_errata_apply(sets):
    """Set 11's 6.1.1.b, printed 11, tied with the marked 6.1.1.c while misprints were capped
    to the maximum; applied at 1 (errata) no option anywhere ties with a marked one."""
    ties = {(code, o["code"]) for code, cs in sets.items() for c in criteria(cs)
            for o in c["options"] for m in c["options"]
            if m["star_min"] and m is not o and points(c, o["code"]) == points(c, m["code"])}
    assert ties == set()


# ---------------------------------------------------------------- one sheet: answers and points

def test_misprinted_options_earn_what_sibling_sets_give_them(sets):
    """Set 04 7.c (printed 13, max 3) earns 3 as in sets 01 and 03; set 11 6.1.1.b (printed
    11, max 2) earns 1 as in sets 04, 05, 07–10 and 12: not the maximum, which the starred best
    option alone earns."""
    cs = sets["04"]
    assert sheets.score_sheet(cs, {**best(cs), "7": "7.c"}).total == 100
    assert sheets.score_sheet(cs, {**best(cs), "7": "7.b"}).total == 98
    cs = sets["11"]
    assert sheets.score_sheet(cs, {**best(cs), "6.1.1": "6.1.1.b"}).total == 99
    r = decide(cs, {**best(cs), "6.1.1": "6.1.1.b"})
    assert r.band_stars == 5 and r.stars == 3 and r.capped_by == ("6.1.1",)


@pytest.mark.parametrize("code", ["04", "07", "10", "11"])
def test_blank_score_cell_counts_what_sibling_sets_print(sets, code):
    cs = sets[code]
    c = criterion(cs, "1.2")
    picks = {**best(cs), "1.2": "1.2.a"}
    assert sheets.score_sheet(cs, picks).total == 100 - c["max_points"]


@pytest.mark.parametrize("code,crit", [(c, "2.4") for c in CODES[:20]] + [("21", "2.3"),
                                                                          ("22", "2.3")])
def test_option_less_criterion_is_answered_yes_or_no(sets, code, crit):
    cs = sets[code]
    assert sheets.score_sheet(cs, {**best(cs), crit: "yes"}).total == 100
    scored = sheets.score_sheet(cs, {**best(cs), crit: "no"})
    assert scored.total == 99 and scored.parts["A"] == 39
    with pytest.raises(InvalidInput) as e:
        sheets.score_sheet(cs, {**best(cs), crit: f"{crit}.a"})
    assert e.value.errors[0]["pointer"] == f"/picks/{crit}"
    assert "'yes', 'no' or 'none'" in e.value.errors[0]["detail"]


def test_a_sheet_picks_one_case_and_stays_in_it(sets):
    """Set 26, criteria 8, 9, 15: case 1 (the community provides the service) or case 2."""
    cs = sets["26"]
    assert [best(cs)[c] for c in ("8", "9", "15")] == ["8.d", "9.d", "15.d"]  # case 2
    for answer, pts in [("8.c", 1), ("8.d", 3)]:
        assert sheets.score_sheet(cs, {**best(cs), "8": answer}).total == 97 + pts
    community = {**best(cs), "8": "8.b", "9": "9.b", "15": "15.b"}
    assert sheets.score_sheet(cs, community).total == 100
    with pytest.raises(InvalidInput) as e:
        sheets.score_sheet(cs, {**best(cs), "9": "9.b"})
    assert [err["pointer"] for err in e.value.errors] == ["/picks/9"]
    assert "case 2 on criterion 8" in e.value.errors[0]["detail"]
    # "none" is in no case: it leaves the sheet in the case of its other answers
    assert sheets.score_sheet(cs, {**community, "8": "none"}).total == 97


def test_parts_are_reported(sets):
    cs = sets["01"]
    scored = sheets.score_sheet(cs, {**best(cs), "1.1": "1.1.a", "2.4": "no"})
    assert scored.parts == {"A": 37, "B": 25, "C": 35} and scored.total == 97


def test_unknown_criterion_is_refused_with_its_pointer(sets):
    cs = sets["01"]
    with pytest.raises(InvalidInput) as e:
        sheets.score_sheet(cs, {**best(cs), "99.9": "99.9.a"})
    assert e.value.status == 422
    assert e.value.errors == [{"pointer": "/picks/99.9",
                               "detail": "Không có tiêu chí 99.9 trong bộ 01 / "
                                         "No criterion 99.9 in set 01"}]
    assert "99.9" in e.value.message_vi and "99.9" in e.value.message_en


def test_unknown_option_is_refused_with_its_pointer(sets):
    cs = sets["01"]
    for wrong in ("1.1.z", "1.2.a", None, 3):
        with pytest.raises(InvalidInput) as e:
            sheets.score_sheet(cs, {**best(cs), "1.1": wrong})
        assert [err["pointer"] for err in e.value.errors] == ["/picks/1.1"]
        assert f"Criterion 1.1 has no option {wrong!r}" in e.value.errors[0]["detail"]


def test_missing_criterion_is_refused_with_its_pointer(sets):
    cs = sets["01"]
    picks = best(cs)
    del picks["3.5"], picks["2.4"]
    with pytest.raises(InvalidInput) as e:
        sheets.score_sheet(cs, picks)
    assert [err["pointer"] for err in e.value.errors] == ["/picks/2.4", "/picks/3.5"]
    assert "Criterion 2.4 is missing" in e.value.errors[0]["detail"]
    assert e.value.message_en == "Invalid score sheet: 2.4, 3.5"


def test_all_faults_are_reported_at_once_and_pointers_escaped(sets):
    cs = sets["01"]
    picks = {**best(cs), "a/b~c": "x", "1.1": "nope"}
    del picks["10"]
    with pytest.raises(InvalidInput) as e:
        sheets.score_sheet(cs, picks)
    assert [err["pointer"] for err in e.value.errors] == [
        "/picks/1.1", "/picks/a~1b~0c", "/picks/10"]


def test_a_sheet_must_be_a_mapping(sets):
    with pytest.raises(InvalidInput) as e:
        sheets.score_sheet(sets["01"], ["1.1.a"])
    assert e.value.errors[0]["pointer"] == "/picks"


# ---------------------------------------------------------------- consolidation

def test_consolidation_takes_the_majority(sets):
    cs = sets["01"]
    top = best(cs)
    sheet = {"chair": {**top, "4.1": "4.1.c"}, "m2": top, "m3": top}
    assert sheets.consolidate(cs, sheet, "chair") == top
    r = sheets.council_result(cs, sheet, chair="chair", level="province")
    assert r.stars == 5 and r.score == 99.33 and r.consolidated["4.1"] == "4.1.d"


def test_a_majority_below_the_mark_caps_even_when_the_chair_meets_it(sets):
    cs = sets["01"]
    top = best(cs)
    sheet = {"chair": top, "m2": {**top, "4.1": "4.1.c"}, "m3": {**top, "4.1": "4.1.c"}}
    r = sheets.council_result(cs, sheet, chair="chair", level="province")
    assert r.score == 98.67 and r.band_stars == 5 and r.stars == 4 and r.capped_by == ("4.1",)


def test_chair_breaks_a_tie(sets):
    cs = sets["01"]
    top = best(cs)
    low = {**top, "4.1": "4.1.c", "2.4": "no"}
    sheet = {"m1": low, "m2": low, "chair": top, "m4": top}
    assert sheets.consolidate(cs, sheet, "chair") == top
    sheet = {"m1": top, "m2": top, "chair": low, "m4": low}
    assert sheets.consolidate(cs, sheet, "chair") == low


def test_tie_without_the_chair_among_it_takes_the_lower_option(sets):
    cs = sets["01"]
    top = best(cs)
    a, b, c = ({**top, "4.1": x} for x in ("4.1.b", "4.1.d", "4.1.c"))
    assert sheets.consolidate(cs, {"m1": a, "m2": a, "m3": b, "m4": b, "chair": c},
                              "chair")["4.1"] == "4.1.b"
    # chair absent: same rule; yes/no: "no" is the lower answer
    no = {**top, "2.4": "no"}
    assert sheets.consolidate(cs, {"m1": no, "m2": top}, "chair")["2.4"] == "no"


def test_consolidation_keeps_the_case_most_sheets_chose(sets):
    cs = sets["26"]
    top = best(cs)
    community = {**top, "8": "8.b", "9": "9.a", "15": "15.b"}
    sheet = {"chair": community, "m2": {**community, "9": "9.b"}, "m3": top}
    consolidated = sheets.consolidate(cs, sheet, "chair")
    assert [consolidated[c] for c in ("8", "9", "15")] == ["8.b", "9.a", "15.b"]
    # one sheet each way: the chair's case
    assert sheets.consolidate(cs, {"chair": top, "m2": community}, "chair")["9"] == "9.d"


def test_consolidation_validates_every_sheet(sets):
    cs = sets["01"]
    with pytest.raises(InvalidInput) as e:
        sheets.consolidate(cs, {"chair": best(cs), "m2": {"1.1": "1.1.a"}}, "chair")
    assert "/picks/1.2" in [err["pointer"] for err in e.value.errors]
    with pytest.raises(InvalidInput):
        sheets.consolidate(cs, {}, "chair")


# ---------------------------------------------------------------- score and band

@pytest.mark.parametrize("totals,score,band", [
    ((90, 90), 90, 5), ((90, 89), 89.5, 4), ((90, 90, 89), 89.67, 4),
    ((70, 70), 70, 4), ((70, 70, 69), 69.67, 3), ((50,), 50, 3), ((49,), 49, 2),
    ((30,), 30, 2), ((29,), 29, 1)])
def test_score_is_the_mean_of_members_totals_banded_inclusively(sets, totals, score, band):
    cs = sets["12"]
    members = {f"m{i}": degrade(cs, best(cs), t, t + 1, level=2) for i, t in enumerate(totals)}
    r = sheets.council_result(cs, members, chair="m0", level="province")
    assert (r.score, r.band_stars) == (score, band)


# ---------------------------------------------------------------- knock-outs

@pytest.mark.parametrize("code", CODES[:25])
def test_dossier_finding_knocks_out(sets, code):
    cs = sets[code]
    r = decide(cs, best(cs), findings=["dossier"])
    assert r.stars is None and not r.recognised and not r.potential_five_star
    assert r.capped_by == () and r.score == 100 and r.band_stars == 5
    dossier = next(k for k in cs["knockouts"] if k["code"] == "dossier")
    assert r.knocked_out == {"codes": ["dossier"], "criteria": {},
                             "vi": dossier["text"]["vi"], "en": sheets.KNOCKOUT_EN["dossier"]}


def test_every_knockout_of_the_data_has_an_english_reason(sets):
    assert {k["code"] for cs in sets.values() for k in cs["knockouts"]} == set(sheets.KNOCKOUT_EN)


def test_several_findings_are_all_given(sets):
    cs = sets["07"]
    r = decide(cs, best(cs), findings=["imported_or_unknown_raw_material", "dossier",
                                       "dossier"])
    assert r.knocked_out["codes"] == ["imported_or_unknown_raw_material", "dossier"]
    assert r.knocked_out["vi"].startswith("Tiêu chí 1.1: Ghi chú: Bị loại nếu sử dụng toàn bộ")
    assert "; Dossier rejected" in r.knocked_out["en"]
    assert r.knocked_out["criteria"] == {"imported_or_unknown_raw_material": "1.1"}


@pytest.mark.parametrize("code,criterion,knockout", [
    ("01", "6.1", "food_safety_contaminant"), ("11", "6.1.1", "food_safety_contaminant"),
    ("19", "6", "no_product_declaration"), ("21", "6.2", "intellectual_property_violation"),
    ("05", "2.1", "copy_of_other_product")])
def test_a_note_that_stops_evaluation_is_recorded_by_its_criterion(sets, code, criterion,
                                                                   knockout):
    """«… sẽ không đánh giá các bước tiếp theo» and the like: the council records the
    knock-out at the criterion it stands under."""
    cs = sets[code]
    r = decide(cs, best(cs), findings=[criterion])
    assert r.stars is None and r.knocked_out["codes"] == [knockout]
    assert r.knocked_out["criteria"] == {knockout: criterion}
    assert r.knocked_out["vi"].startswith(f"Tiêu chí {criterion}: ")
    assert r.knocked_out["en"].startswith(f"Criterion {criterion}: ")
    assert decide(cs, best(cs), findings=[criterion, knockout]).knocked_out == r.knocked_out


def test_every_printed_stopping_note_is_a_knockout_of_its_criterion(sets):
    """Every criterion note of the 26 sets that rejects, voids or stops the evaluation is
    one of its set's knock-outs, so the council can record it by that criterion."""
    stops = re.compile(r"không đánh giá các bước tiếp theo|không xem xét các chỉ tiêu khác|"
                       r"bị loại|không đánh giá những sản phẩm", re.I)
    noted = {(code, c["code"]) for code, cs in sets.items() for c in criteria(cs)
             for text in (c.get("note"), c.get("requirement")) if text and stops.search(text["vi"])}
    listed = {(code, k["criterion"]) for code, cs in sets.items() for k in cs["knockouts"]
              if k["criterion"]}
    assert noted == listed and len(noted) == 45


def test_unknown_finding_is_refused(sets):
    for code, finding in [("01", "forgery"), ("26", "dossier")]:  # set 26 prints no dossier line
        with pytest.raises(InvalidInput) as e:
            decide(sets[code], best(sets[code]), findings=["dossier", finding][-1:])
        assert e.value.errors[0]["pointer"] == "/knockouts/0"


@pytest.mark.parametrize("code,option", [("16", "6.1.a"), ("16", "6.2.a"), ("16", "6.3.a"),
                                         ("16", "6.4.a"), ("19", "6.a")])
def test_consolidated_knockout_option_knocks_out(sets, code, option):
    cs = sets[code]
    crit = option.rsplit(".", 1)[0]
    bad = {**best(cs), crit: option}
    r = sheets.council_result(cs, {"chair": bad, "m2": bad, "m3": best(cs)}, chair="chair",
                              level="central")
    assert r.stars is None and not r.recognised and not r.province_may_recognise
    assert r.knocked_out["codes"] == [option]
    assert r.knocked_out["vi"].startswith(f"Bị loại theo tiêu chí {crit}:")
    assert f"option {option}" in r.knocked_out["en"]


def test_a_minority_choosing_a_knockout_option_does_not_knock_out(sets):
    cs = sets["16"]
    bad = {**best(cs), "6.1": "6.1.a"}
    r = sheets.council_result(cs, {"chair": best(cs), "m2": best(cs), "m3": bad},
                              chair="chair", level="province")
    assert r.knocked_out is None and r.stars == 5


def test_knockout_reason_combines_findings_and_options(sets):
    cs = sets["19"]
    r = decide(cs, {**best(cs), "6": "6.a"}, findings=["no_product_declaration"])
    assert r.knocked_out["codes"] == ["no_product_declaration", "6.a"]


# ---------------------------------------------------------------- level

def test_unknown_level_is_refused(sets):
    with pytest.raises(InvalidInput) as e:
        decide(sets["01"], best(sets["01"]), level="district")
    assert e.value.errors[0]["pointer"] == "/level"


def test_the_criteria_set_is_not_modified(sets):
    cs = sets["04"]
    before = copy.deepcopy(cs)
    decide(cs, best(cs), findings=["dossier"])
    sheets.score_sheet(cs, {**best(cs), "7": "7.c"})
    assert cs == before
