"""Readings of Annex II (Decision 26/2026): the "none" answer, conditional criteria, the
errata and flags, as the catalogue serves them and the sheets apply them."""
import json

import pytest

from chassis.errors import InvalidInput
from services.evaluation import catalogue, conditions, errata, sheets
from services.evaluation.criteria import extract
from tests.unit.evaluation.test_sheets import best, coherent, criteria, criterion, decide, \
    degrade

CODES = [f"{i:02d}" for i in range(1, 27)]
PRINTED = {code: json.loads((extract.DEFAULT_OUT / f"{code}.json").read_text("utf-8"))
           for code in CODES}


@pytest.fixture(scope="module")
def sets():
    return catalogue.criteria_sets()


# ---------------------------------------------------------------- "none"

@pytest.mark.parametrize("code", CODES)
def test_none_is_accepted_on_every_criterion_and_earns_nothing(sets, code):
    cs = sets[code]
    for c in criteria(cs):
        scored = sheets.score_sheet(cs, coherent(cs, {**best(cs), c["code"]: "none"}))
        lost = 100 - scored.total
        assert lost >= c["max_points"], (code, c["code"])


@pytest.mark.parametrize("code", CODES[:25])
def test_no_trademark_application_caps_below_three_stars(sets, code):
    """3.5's lowest option «Đơn đăng ký nhãn hiệu …***» is the 3★ minimum: a product with
    no application at all ticks nothing there and cannot be ranked 3★."""
    cs = sets[code]
    lowest = criterion(cs, "3.5")["options"][0]
    assert lowest["star_min"] == 3 and "Đơn đăng ký nhãn hiệu" in lowest["text"]["vi"]
    r = decide(cs, degrade(cs, {**best(cs), "3.5": "none"}, 70, 90, keep={"3.5"}, level=4))
    assert r.band_stars == 4 and r.stars == 2 and r.capped_by == ("3.5",)
    assert not r.recognised and not r.potential_five_star


def test_none_is_the_lowest_answer_when_the_council_ties(sets):
    cs = sets["01"]
    top = best(cs)
    r = sheets.council_result(cs, {"m1": {**top, "3.5": "none"}, "m2": top}, chair="chair",
                              level="province")
    assert r.consolidated["3.5"] == "none" and r.stars == 2
    assert sheets.consolidate(cs, {"m1": {**top, "2.4": "none"}, "m2": {**top, "2.4": "no"}},
                              "chair")["2.4"] == "none"


# ---------------------------------------------------------------- conditional criteria

def test_every_printed_condition_is_listed():
    """The data lists exactly the criteria under which a set prints «Chỉ áp dụng khi…»."""
    printed = {(code, c["code"]) for code, data in PRINTED.items() for c in criteria(data)
               if "chỉ áp dụng khi" in ((c.get("note") or {}).get("vi") or "").lower()}
    listed = {(c["set"], c["criterion"]) for c in conditions.conditions()}
    assert listed == printed == {(code, "5.2") for code in CODES[:25]}


@pytest.mark.parametrize("code", CODES[:25])
def test_a_story_less_product_earns_nothing_for_the_story_structure(sets, code):
    cs = sets[code]
    assert criterion(cs, "5.1")["options"][0]["text"]["vi"] == "Không có câu chuyện sản phẩm"
    assert cs["conditions"][0]["printed"]["vi"] == "Chỉ áp dụng khi có câu chuyện sản phẩm"
    story_less = {**best(cs), "5.1": "5.1.a", "5.2": "none"}
    assert sheets.score_sheet(cs, story_less).total == 100 - 5 - 2
    for answer in ("5.1.a", "none"):
        with pytest.raises(InvalidInput) as e:
            sheets.score_sheet(cs, {**best(cs), "5.1": answer})
        assert e.value.status == 422
        assert [err["pointer"] for err in e.value.errors] == ["/picks/5.2"]
        assert "Chỉ áp dụng khi có câu chuyện sản phẩm".lower() in e.value.errors[0]["detail"]


def test_the_consolidated_sheet_drops_a_criterion_whose_condition_it_misses(sets):
    """Three members, three answers on 5.1: the lowest, "no story", is consolidated; 5.2,
    rated by the two who saw a story, then earns nothing."""
    cs = sets["01"]
    top = best(cs)
    sheet = {"m1": {**top, "5.1": "5.1.a", "5.2": "none"}, "m2": {**top, "5.1": "5.1.b"},
             "m3": {**top, "5.1": "5.1.c"}}
    consolidated = sheets.consolidate(cs, sheet, "chair")
    assert consolidated["5.1"] == "5.1.a" and consolidated["5.2"] == "none"


# ---------------------------------------------------------------- errata and flags

@pytest.mark.parametrize("entry", errata.errata(), ids=lambda e: f"{e['set']}-{e['option']}")
def test_each_erratum_keeps_the_print_and_applies_the_siblings_value(sets, entry):
    printed = next(o for c in criteria(PRINTED[entry["set"]]) if c["code"] == entry["criterion"]
                   for o in c["options"] if o["code"] == entry["option"])
    assert printed["points"] == entry["printed"]
    c = criterion(PRINTED[entry["set"]], entry["criterion"])
    assert entry["printed"] is None or entry["printed"] > c["max_points"]
    for sibling in entry["siblings"]:
        same = [o for sc in criteria(PRINTED[sibling]) for o in sc["options"]
                if errata.sibling_key(sc, o) == errata.sibling_key(c, printed)]
        assert [o["points"] for o in same] == [entry["applied"]], sibling
    served = next(o for o in criterion(sets[entry["set"]], entry["criterion"])["options"]
                  if o["code"] == entry["option"])
    assert (served["points"], served["printed_points"]) == (entry["applied"], entry["printed"])
    assert entry in sets[entry["set"]]["errata"]
    assert entry["applied"] <= c["max_points"]


def test_the_errata_are_exactly_the_impossible_values():
    impossible = {(code, o["code"]) for code, data in PRINTED.items() for c in criteria(data)
                  for o in c["options"] if o["points"] is None or o["points"] > c["max_points"]}
    assert {(e["set"], e["option"]) for e in errata.errata()} == impossible


def test_values_unlike_every_sibling_set_are_flagged_not_changed(sets):
    flagged = {(code, f["option"], f["field"], f["value"], f["siblings_value"])
               for code, cs in sets.items() for f in cs["flags"]}
    assert flagged == {("07", "3.1.b", "points", 1, 2), ("01", "8.d", "star_min", None, 5),
                       ("10", "3.5.b", "star_min", None, 4),
                       ("06", "6.3.c", "star_min", None, 4),
                       ("06", "6.3.d", "star_min", None, 5),
                       ("14", "6.3.d", "star_min", None, 4)}
    assert criterion(sets["07"], "3.1")["options"][1]["points"] == 1  # flagged, not changed
