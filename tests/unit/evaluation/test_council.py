"""The council regulation (services/evaluation/council.py): quorum, spread of the members'
totals and conflicts of interest, with the Tây Ninh defaults and per-province settings."""
import pytest

from chassis.errors import Conflict, InvalidInput
from services.evaluation.council import CouncilRules, check_decision, check_may_score

MEMBERS = ["chair", "m2", "m3", "m4"]
TAY_NINH = CouncilRules()


def decide(totals, rules=TAY_NINH, members=MEMBERS, interests=None, producer="p1"):
    check_decision(rules, members=members, chair="chair", totals=totals, producer_id=producer,
                   interests=interests)


def refusal(*args, **kw):
    with pytest.raises(Conflict) as e:
        decide(*args, **kw)
    assert e.value.status == 409
    assert e.value.detail == f"{e.value.message_vi} / {e.value.message_en}"
    return e.value


def test_defaults_are_the_tay_ninh_regulation():
    assert (TAY_NINH.quorum, TAY_NINH.chair_required, TAY_NINH.max_spread) == (0.75, True, 10)


def test_a_full_council_within_the_spread_may_decide():
    decide({"chair": 80, "m2": 85, "m3": 90, "m4": 81})


# ---------------------------------------------------------------- quorum

def test_three_of_four_is_exactly_the_quorum():
    decide({"chair": 80, "m2": 85, "m3": 90})


def test_two_of_four_is_no_quorum():
    e = refusal({"chair": 80, "m2": 85})
    assert e.message_vi.startswith("Chưa đủ số thành viên: 2/4 phiếu")
    assert e.message_en == "No quorum: 2 of 4 members submitted, 75% needed"


@pytest.mark.parametrize("present,ok", [(5, False), (6, True), (7, True)])
def test_quorum_of_seven_members(present, ok):
    members = ["chair"] + [f"m{i}" for i in range(2, 8)]
    totals = {m: 80 for m in members[:present]}
    if ok:
        decide(totals, members=members)
    else:
        refusal(totals, members=members)


def test_the_chair_is_required():
    e = refusal({"m2": 80, "m3": 85, "m4": 90})
    assert e.message_en == "The council chair has not submitted a score sheet"


def test_the_chair_may_be_optional_by_regulation():
    decide({"m2": 80, "m3": 85, "m4": 90}, rules=CouncilRules(chair_required=False))


def test_the_chair_counts_as_a_member_even_if_not_listed():
    with pytest.raises(Conflict):
        decide({"chair": 80, "m2": 80}, members=["m2", "m3", "m4"])
    decide({"chair": 80, "m2": 80, "m3": 80}, members=["m2", "m3", "m4"])


def test_a_lower_quorum_by_regulation():
    decide({"chair": 80, "m2": 85}, rules=CouncilRules(quorum=0.5))


# ---------------------------------------------------------------- spread

def test_ten_points_apart_is_tolerated():
    decide({"chair": 80, "m2": 90, "m3": 85})


def test_more_than_ten_points_apart_must_be_rescored():
    e = refusal({"chair": 80, "m2": 90.5, "m3": 85})
    assert "chênh lệch 10.5 điểm" in e.message_vi and "chấm lại" in e.message_vi
    assert e.message_en == ("Members' totals differ by 10.5 points (at most 10): "
                            "the council must discuss and rescore")


def test_spread_limit_is_configurable_or_off():
    refusal({"chair": 80, "m2": 86, "m3": 85}, rules=CouncilRules(max_spread=5))
    decide({"chair": 30, "m2": 95, "m3": 85}, rules=CouncilRules(max_spread=None))


# ---------------------------------------------------------------- members and interests

def test_a_sheet_from_outside_the_council_is_refused():
    e = refusal({"chair": 80, "m2": 85, "m3": 85, "x9": 85})
    assert e.errors[0]["pointer"] == "/sheets/x9"


def test_a_member_with_a_declared_interest_may_not_score():
    interests = {"m3": ["p1", "p7"], "m2": ["p2"]}
    e = refusal({"chair": 80, "m2": 85, "m3": 85}, interests=interests)
    assert "m3" in e.message_vi and "p1" in e.message_en
    assert e.errors[0]["pointer"] == "/sheets/m3"
    decide({"chair": 80, "m2": 85, "m3": 85}, interests=interests, producer="p9")


def test_check_may_score_before_a_sheet_is_recorded():
    check_may_score("m2", "p1", {"m2": ["p2"]})
    check_may_score("m2", "p1", {})
    with pytest.raises(Conflict) as e:
        check_may_score("m2", "p1", {"m2": ("p1",)})
    assert e.value.message_vi.startswith("Thành viên m2 đã khai báo có liên quan")


def test_refusals_come_in_order_outsiders_interest_quorum_spread():
    assert "outside" in refusal({"chair": 0, "x": 99}, interests={"chair": ["p1"]}).message_en
    assert "interest" in refusal({"chair": 0, "m2": 99}, interests={"chair": ["p1"]}).message_en
    assert "quorum" in refusal({"chair": 0, "m2": 99}).message_en


# ---------------------------------------------------------------- rules from configuration

def test_rules_from_a_province_setting():
    assert CouncilRules.from_mapping({}) == TAY_NINH
    rules = CouncilRules.from_mapping({"quorum": 2 / 3, "max_spread": None,
                                       "chair_required": False})
    assert (rules.quorum, rules.max_spread, rules.chair_required) == (2 / 3, None, False)
    assert CouncilRules.from_mapping({"quorum": 1}).quorum == 1


@pytest.mark.parametrize("setting,pointer", [
    ({"quorum": 0}, "/quorum"), ({"quorum": 1.5}, "/quorum"), ({"quorum": "3/4"}, "/quorum"),
    ({"quorum": True}, "/quorum"), ({"max_spread": -1}, "/max_spread"),
    ({"max_spread": "10"}, "/max_spread"), ({"chair_required": "yes"}, "/chair_required"),
    ({"spread": 10}, "/spread")])
def test_wrong_rules_are_refused(setting, pointer):
    with pytest.raises(InvalidInput) as e:
        CouncilRules.from_mapping(setting)
    assert [err["pointer"] for err in e.value.errors] == [pointer]
