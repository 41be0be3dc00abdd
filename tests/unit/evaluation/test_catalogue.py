"""The criteria catalogue (services/evaluation/catalogue.py) and its loader check."""
import copy
import json

import pytest

from services.evaluation import catalogue
from services.evaluation.catalogue import CriteriaSetError, validate_criteria_set


@pytest.fixture(scope="module")
def good():
    return catalogue.criteria_set("01")


def broken(good, change):
    data = copy.deepcopy(good)
    change(data)
    return data


def refused(data, source="01.json"):
    with pytest.raises(CriteriaSetError) as e:
        validate_criteria_set(data, source=source)
    assert str(e.value).startswith(f"{source}: ")
    return str(e.value)


def crit(data, code):
    return next(c for p in data["parts"] for s in p["sections"] for c in s["criteria"]
                if c["code"] == code)


# ---------------------------------------------------------------- the running service's API

def test_existing_functions_still_work():
    assert catalogue.RULE_VERSION == "26/2026"
    assert sorted(catalogue.criteria_sets()) == [f"{i:02d}" for i in range(1, 27)]
    assert len(catalogue.categories()) == 26
    assert catalogue.categories()[0]["code"] == "01"
    assert set(catalogue.categories()[0]) == {"code", "name", "sector", "group", "lead_ministry"}
    assert catalogue.criteria_set("26")["code"] == "26"
    assert catalogue.criteria_set("99") is None


@pytest.mark.parametrize("code", [f"{i:02d}" for i in range(1, 27)])
def test_every_shipped_set_passes(code):
    validate_criteria_set(catalogue.criteria_set(code), source=f"{code}.json")


# ---------------------------------------------------------------- malformed sets are named

def test_missing_parts(good):
    assert "parts: missing" in refused(broken(good, lambda d: d.pop("parts")))


def test_parts_not_a_b_c(good):
    message = refused(broken(good, lambda d: d["parts"].pop()))
    assert "parts: codes ['A', 'B'], expected A, B, C" in message


def test_part_maxima_must_be_40_25_35(good):
    def change(d):
        d["parts"][1]["max_points"] = 30
    message = refused(broken(good, change))
    assert "parts[1].max_points: 30, expected 25" in message
    assert "parts[1].max_points: is not the sum of its sections" in message


def test_section_must_sum_its_criteria(good):
    def change(d):
        crit(d, "1.1")["max_points"] = 4
    assert "parts[0].sections[0].max_points: is not the sum of its criteria" in refused(
        broken(good, change))


def test_option_without_points(good):
    def change(d):
        del crit(d, "1.1")["options"][0]["points"]
    assert "parts[0].sections[0].criteria[0] (1.1).options[0] (1.1.a).points: missing" in \
        refused(broken(good, change))


def test_blank_points_need_a_source_note(good):
    def change(d):
        crit(d, "1.1")["options"][0]["points"] = None
    assert "(1.1.a).points: blank, and no source_note" in refused(broken(good, change))

    def noted(d):
        change(d)
        crit(d, "1.1")["source_note"] = "score cell blank in the annex"
    validate_criteria_set(broken(good, noted))


def test_wrong_points_star_and_knockout(good):
    def change(d):
        o = crit(d, "1.3")["options"]
        o[0]["points"], o[1]["star_min"], o[2]["knockout"] = -1, 2, "no"
    message = refused(broken(good, change))
    assert "(1.3.a).points: -1 is not a non-negative integer" in message
    assert "(1.3.b).star_min: 2, expected 3, 4, 5 or null" in message
    assert "(1.3.c).knockout: missing or not a boolean" in message


def test_option_less_criterion_needs_a_source_note(good):
    assert crit(good, "2.4")["options"] == [] and crit(good, "2.4")["source_note"]

    def change(d):
        crit(d, "1.1")["options"] = []
    assert "criteria[0] (1.1).options: no options, and no source_note" in refused(
        broken(good, change))


def test_repeated_codes(good):
    def change(d):
        crit(d, "1.2")["code"] = "1.1"
    assert "criteria[1].code: '1.1' is missing or repeated" in refused(broken(good, change))


def test_case_must_be_declared(good):
    def change(d):
        c = crit(d, "1.1")
        c["cases"] = [{"code": "1", "name": {"vi": "x"}}]
        for o in c["options"]:
            o["case"] = "1"
        c["options"][2]["case"] = "3"
    assert "(1.1.c).case: '3' is not one of ['1']" in refused(broken(good, change))


def test_bad_knockout_and_rule_version(good):
    def change(d):
        d["knockouts"][0]["effect"] = "ignore"
        d["rule_version"] = "148/2023"
    message = refused(broken(good, change))
    assert "knockouts[0]: needs a code, an effect" in message
    assert "rule_version: '148/2023', expected '26/2026'" in message


def test_loading_applies_the_check_and_names_the_file(good, tmp_path, monkeypatch):
    (tmp_path / "01.json").write_text(json.dumps(good), encoding="utf-8")
    bad = broken(good, lambda d: d["parts"][2].update(max_points=36))
    (tmp_path / "02.json").write_text(json.dumps({**bad, "code": "02"}), encoding="utf-8")
    monkeypatch.setattr(catalogue, "SETS_DIR", tmp_path)
    catalogue.criteria_sets.cache_clear()
    try:
        with pytest.raises(CriteriaSetError, match=r"^02\.json: parts\[2\]\.max_points: 36"):
            catalogue.criteria_sets()
    finally:
        monkeypatch.undo()
        catalogue.criteria_sets.cache_clear()
    assert len(catalogue.criteria_sets()) == 26
