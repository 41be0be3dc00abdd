"""The 26 criteria sets of Decision 26/2026/QĐ-TTg (services/evaluation/criteria/sets/*.json).

Checks the generated data against the rules of Annex II and, independently of the extractor's
HTML parsing, against the plain-text rendering of the decision.  Where the annex itself is
inconsistent the data records a ``source_note``; those places are listed here by code, so any
new or vanished exception fails the tests.
"""
import json
import re
import shutil
import string
from pathlib import Path

import pytest

from services.evaluation.criteria import extract

SETS_DIR = Path(extract.__file__).resolve().parent / "sets"
TXT = extract.DEFAULT_HTML.with_suffix(".txt")
CODES = [f"{i:02d}" for i in range(1, 27)]

# ---------------------------------------------------------------- known annex inconsistencies
# criteria printed without any □ option (a 1-point yes/no criterion in the published table)
NO_OPTIONS = {(c, "2.4") for c in CODES[:20]} | {("21", "2.3"), ("22", "2.3")}
# criterion maximum != best option: {(set, criterion): best option points as published}
MAX_MISMATCH = {("04", "7"): 13, ("11", "6.1.1"): 11}
# options whose score cell is blank in the annex (points null)
BLANK_POINTS = {("04", "1.2.a"), ("07", "1.2.a"), ("10", "1.2.a"), ("11", "1.2.a")}
# score cell with two values ('4' and a stray '1'); the first is used
STRAY_SCORE = {("23", "9")}
# option bulleted 'o' instead of '□' (so the □ count of the text is one lower)
ODD_BULLET = {("07", "7.d")}
CRITERIA_WITH_SOURCE_NOTE = (NO_OPTIONS | set(MAX_MISMATCH) | STRAY_SCORE
                             | {(s, o.rsplit(".", 1)[0]) for s, o in BLANK_POINTS | ODD_BULLET})
# set-level notes: heading names the group differently from Annex I; set 26 has no dossier line
SETS_WITH_SOURCE_NOTE = {"07", "08", "18", "19", "20", "26"}
PARTS_WITH_SOURCE_NOTE = {("26", "A")}  # heading "(35 Điểm)" while the score column and sum are 40
KNOCKOUT_OPTIONS = {("16", "6.1.a"), ("16", "6.2.a"), ("16", "6.3.a"), ("16", "6.4.a"),
                    ("19", "6.a")}

SECTORS = {"food": CODES[0:13], "beverage": CODES[13:17], "herbal": CODES[17:20],
           "handicraft": CODES[20:22], "ornamental": CODES[22:25], "tourism": CODES[25:26]}


@pytest.fixture(scope="module")
def sets():
    return {c: json.loads((SETS_DIR / f"{c}.json").read_text(encoding="utf-8")) for c in CODES}


def criteria(data):
    for part in data["parts"]:
        for section in part["sections"]:
            yield from section["criteria"]


def options(data):
    for c in criteria(data):
        yield from c["options"]


# ---------------------------------------------------------------- files and identity

def test_all_26_codes_present_and_nothing_else():
    assert sorted(p.stem for p in SETS_DIR.glob("*.json")) == CODES


def test_check_passes():
    assert extract.main(["--check"]) == 0


def test_check_detects_a_typed_edit(tmp_path):
    out = tmp_path / "sets"
    shutil.copytree(SETS_DIR, out)
    f = out / "05.json"
    f.write_text(f.read_text(encoding="utf-8").replace('"points": 5', '"points": 4', 1), encoding="utf-8")
    assert extract.main(["--check", "--out", str(out)]) == 1


def test_files_are_canonically_rendered(sets):
    for code, data in sets.items():
        text = (SETS_DIR / f"{code}.json").read_text(encoding="utf-8")
        assert text == json.dumps(data, ensure_ascii=False, indent=1) + "\n"


@pytest.mark.parametrize("code", CODES)
def test_identity_and_classification(sets, code):
    d = sets[code]
    assert d["code"] == code and d["rule_version"] == "26/2026"
    assert d["name"]["vi"] and d["name"]["en"]
    sector = next(s for s, codes in SECTORS.items() if code in codes)
    assert d["sector"]["code"] == sector and d["sector"]["vi"] and d["sector"]["en"]
    assert d["group"]["vi"] and d["group"]["en"]
    assert d["lead_ministry"]["vi"] and d["lead_ministry"]["en"]
    assert d["lead_ministry"]["vi"] == "; ".join(m["vi"] for m in d["lead_ministries"])
    assert [p["code"] for p in d["parts"]] == ["A", "B", "C"]


def test_first_set_matches_the_annex(sets):
    d = sets["01"]
    assert d["name"] == {"vi": "Rau, củ, quả, hạt tươi", "en": "Fresh vegetables, tubers, fruits and nuts"}
    assert d["sector"] == {"code": "food", "vi": "Thực phẩm", "en": "Food"}
    assert d["group"] == {"vi": "Thực phẩm tươi sống", "en": "Fresh food"}
    assert d["lead_ministry"]["vi"] == "Bộ Nông nghiệp và Môi trường"
    c11 = d["parts"][0]["sections"][0]["criteria"][0]
    assert c11["code"] == "1.1" and c11["max_points"] == 3
    assert c11["requirement"] == {"vi": "100% sản phẩm được trồng trên địa bàn cấp tỉnh"}
    c13 = d["parts"][0]["sections"][0]["criteria"][2]
    assert [(o["code"], o["points"], o["star_min"]) for o in c13["options"]] == [
        ("1.3.a", 1, None), ("1.3.b", 2, None), ("1.3.c", 3, 5)]
    assert c13["options"][2]["text"]["vi"].startswith("Ứng dụng công nghệ tiên tiến")


# ---------------------------------------------------------------- points

@pytest.mark.parametrize("code", CODES)
def test_parts_and_total(sets, code):
    parts = {p["code"]: p["max_points"] for p in sets[code]["parts"]}
    assert parts == {"A": 40, "B": 25, "C": 35}
    assert sum(parts.values()) == 100


@pytest.mark.parametrize("code", CODES)
def test_part_max_is_sum_of_sections(sets, code):
    for part in sets[code]["parts"]:
        assert part["max_points"] == sum(s["max_points"] for s in part["sections"]), part["code"]


@pytest.mark.parametrize("code", CODES)
def test_section_max_is_sum_of_criteria(sets, code):
    for part in sets[code]["parts"]:
        for s in part["sections"]:
            assert s["max_points"] == sum(c["max_points"] for c in s["criteria"]), s["code"]
            groups = {}
            for c in s["criteria"]:
                if c["group"]:
                    assert c["code"].startswith(c["group"]["code"] + ".")
                    g = groups.setdefault(c["group"]["code"], [c["group"]["max_points"], 0])
                    g[1] += c["max_points"]
            for gcode, (gmax, gsum) in groups.items():
                assert gmax == gsum, gcode


@pytest.mark.parametrize("code", CODES)
def test_criterion_max_is_best_option(sets, code):
    for c in criteria(sets[code]):
        key = (code, c["code"])
        if key in NO_OPTIONS:
            assert c["options"] == [] and c["max_points"] == 1
            continue
        assert c["options"], key
        by_case = {}
        for o in c["options"]:
            if o["points"] is not None:
                by_case.setdefault(o.get("case"), []).append(o["points"])
        for pts in by_case.values():
            if key in MAX_MISMATCH:
                assert max(pts) == MAX_MISMATCH[key] != c["max_points"]
            else:
                assert max(pts) == c["max_points"], key


@pytest.mark.parametrize("code", CODES)
def test_option_points_and_stars(sets, code):
    for c in criteria(sets[code]):
        letters = [o["code"] for o in c["options"]]
        assert letters == [f"{c['code']}.{string.ascii_lowercase[i]}" for i in range(len(letters))]
        for o in c["options"]:
            if (code, o["code"]) in BLANK_POINTS:
                assert o["points"] is None
            else:
                assert type(o["points"]) is int and o["points"] >= 0, (code, o["code"])
            assert o["star_min"] in (3, 4, 5, None)
            assert "*" not in o["text"]["vi"] and o["text"]["vi"].strip() == o["text"]["vi"]
            assert isinstance(o["knockout"], bool)
            assert o["knockout"] == ((code, o["code"]) in KNOCKOUT_OPTIONS)
            if c["cases"]:
                assert o["case"] in {k["code"] for k in c["cases"]}


def test_star_minimums_exist_in_every_set(sets):
    for code, d in sets.items():
        stars = {o["star_min"] for o in options(d)} - {None}
        if code == "26":  # the tourism set marks only 3- and 4-star minimums, all in part A
            assert stars == {3, 4}
            assert all(o["star_min"] is None for p in d["parts"][1:] for s in p["sections"]
                       for c in s["criteria"] for o in c["options"])
        else:
            assert stars == {3, 4, 5}, code


# ---------------------------------------------------------------- nothing lost

def txt_option_counts():
    """□ per set in the plain-text rendering, found without the extractor's HTML parsing."""
    lines = TXT.read_text(encoding="utf-8").splitlines()
    start = next(i for i, l in enumerate(lines) if l.strip() == "PHỤ LỤC II")
    end = next(i for i, l in enumerate(lines) if l.strip() == "PHỤ LỤC III")
    marks = [i for i in range(start, end) if lines[i].strip().startswith("Tên sản phẩm:")]
    assert len(marks) == 26
    bounds = marks + [end]
    return {CODES[k]: sum(l.count("□") for l in lines[bounds[k]:bounds[k + 1]]) for k in range(26)}


def test_no_option_lost(sets):
    counts = txt_option_counts()
    odd = {c: sum(1 for s, _ in ODD_BULLET if s == c) for c in CODES}
    for code in CODES:
        assert sum(1 for _ in options(sets[code])) == counts[code] + odd[code], code


def test_criteria_and_options_totals(sets):
    assert sum(1 for d in sets.values() for _ in criteria(d)) == 787
    assert sum(1 for d in sets.values() for _ in options(d)) == 2535


# ---------------------------------------------------------------- recorded inconsistencies

def test_source_notes_are_exactly_the_known_exceptions(sets):
    crit = {(code, c["code"]) for code, d in sets.items() for c in criteria(d) if c["source_note"]}
    assert crit == CRITERIA_WITH_SOURCE_NOTE
    assert {code for code, d in sets.items() if d["source_note"]} == SETS_WITH_SOURCE_NOTE
    parts = {(code, p["code"]) for code, d in sets.items() for p in d["parts"] if p["source_note"]}
    assert parts == PARTS_WITH_SOURCE_NOTE


def test_knockouts(sets):
    for code, d in sets.items():
        kinds = [k["code"] for k in d["knockouts"]]
        assert kinds.count("dossier") == (0 if code == "26" else 1), code
        for k in d["knockouts"]:
            assert k["effect"] in {"reject", "stop_evaluation", "not_evaluated"}
            assert k["text"]["vi"]
            if k["criterion"] is not None:
                assert k["criterion"] in {c["code"] for c in criteria(d)}
    assert any(k["code"] == "imported_or_unknown_raw_material" for k in sets["07"]["knockouts"])
    assert any(k["code"] == "copy_of_other_product" for k in sets["05"]["knockouts"])
    assert any(k["code"] == "food_safety_contaminant" for k in sets["01"]["knockouts"])
    assert re.match(r"Hồ sơ bị loại khi", sets["01"]["knockouts"][0]["text"]["vi"])
