"""Councils at work through the real processes: the province → central path to 5★, a
central result handed back to the province, star minimums, knock-outs, the advisory
review, and the council regulation."""
from datetime import timedelta

from chassis import events
from chassis.events import rfc3339, utc_now
from tests.conftest import publish, wait_until
from tests.e2e.journeys import MEMBERS, best_picks, council_of, criteria_set, decide, \
    lowered_picks, open_evaluation, product_in_stage, registered, score, set_up_council, \
    submit_sheets
from tests.e2e.test_bad_input import assert_problem


def central_evaluation(owner, product_id):
    return wait_until(lambda: next((e for e in owner.get("/evaluations", params={
        "product_id": product_id}).json() if e["level"] == "central"), None),
        what="the central evaluation to open")


def forwarded_product(api, people, tap):
    producer, owner, product = registered(api, people)
    evaluation = open_evaluation(owner, product["id"])
    forwarded = score(people, evaluation, council_of(best_picks(criteria_set(api, "03"))))
    assert forwarded["status"] == "forwarded" and forwarded["score"] == 100.0
    event = tap.wait_for("evaluation.forwarded", f"products/{product['id']}")
    assert event["data"]["to_level"] == "central"
    central = central_evaluation(owner, product["id"])
    assert central["parent_evaluation_id"] == evaluation["id"]
    assert central["round"]["id"].startswith("central-") and central["scope"] == "central"
    return owner, product, central


def test_province_forwards_a_potential_five_star_and_the_ministry_recognises_it(
        api, people, tap, councils):
    owner, product, central = forwarded_product(api, people, tap)
    decided = score(people, central, council_of(best_picks(criteria_set(api, "03"))))
    assert decided["status"] == "completed" and decided["stars"] == 5
    certified = product_in_stage(owner, product["id"], "certified")
    certificate = api.get(f"/certificates/{certified['certificate_code']}").json()
    assert certificate["stars"] == 5 and certificate["level"] == "central"


def test_a_central_result_below_90_is_recognised_by_the_province(api, people, tap, councils):
    owner, product, central = forwarded_product(api, people, tap)
    decided = score(people, central,
                    council_of(lowered_picks(criteria_set(api, "03"), drop=15)))
    assert decided["stars"] == 4 and decided["score"] < 90
    completed = tap.wait_for("evaluation.completed", f"products/{product['id']}")
    assert completed["data"]["level"] == "province" and completed["data"]["recognised"]
    certified = product_in_stage(owner, product["id"], "certified")
    certificate = api.get(f"/certificates/{certified['certificate_code']}").json()
    assert certificate["stars"] == 4 and certificate["level"] == "province"


def test_an_unmet_star_minimum_caps_a_high_total(api, people, councils):
    rice = criteria_set(api, "03")
    starred = next(c for part in rice["parts"] for s in part["sections"]
                   for c in s["criteria"] if any(o["star_min"] == 5 for o in c["options"]))
    below = min((o for o in starred["options"] if not o["knockout"]),
                key=lambda o: o["points"] or 0)
    picks = {**best_picks(rice), starred["code"]: below["code"]}
    producer, owner, product = registered(api, people)
    evaluation = open_evaluation(owner, product["id"])
    decided = score(people, evaluation, council_of(picks))
    assert decided["score"] >= 90 and decided["result"]["band_stars"] == 5
    assert decided["stars"] == 4 and starred["code"] in decided["result"]["capped_by"]
    assert decided["status"] == "completed"
    assert product_in_stage(owner, product["id"], "certified")["stars"] == 4


def test_a_knocked_out_dossier_is_rejected_with_its_reason(api, people, tap, councils):
    producer, owner, product = registered(api, people)
    evaluation = open_evaluation(owner, product["id"])
    decided = score(people, evaluation, council_of(best_picks(criteria_set(api, "03"))),
                    decision={"knockouts": ["dossier"]})
    assert decided["status"] == "rejected" and decided["stars"] is None
    rejected = tap.wait_for("evaluation.rejected", f"products/{product['id']}")
    assert rejected["data"]["reason"]["vi"] and rejected["data"]["reason"]["en"]
    assert product_in_stage(owner, product["id"], "rejected")["rejection_reason"]["codes"] == [
        "dossier"]
    assert api.get("/certificates", params={"product_id": product["id"]}).json() == []


def test_the_advisory_group_sends_the_dossier_back_for_completion(api, people, tap, councils):
    producer, owner, product = registered(api, people)
    evaluation = open_evaluation(owner, product["id"])
    reviews = f"/evaluations/{evaluation['id']}/reviews"
    advisor = people.advisor("advisor-1")
    # Advising is the advisory group's act: the chair, signed in as a member, may not.
    assert_problem(people.member("chair").post(reviews, {"kind": "site_visit", "note": "x"}),
                   403)
    # An advisory member who is not in this council's group is out of its scope.
    assert_problem(people.advisor("stranger").post(reviews, {"kind": "site_visit",
                                                             "note": "x"}), 404)
    visited = advisor.post(reviews, {"kind": "site_visit", "note": "Khảo sát vùng nguyên liệu"})
    assert visited.status_code == 201 and visited.json()["status"] == "open"
    returned = advisor.post(reviews, {"kind": "completion",
                                      "note": "Bổ sung giấy chứng nhận ATTP"}).json()
    assert returned["status"] == "returned" and len(returned["reviews"]) == 2
    assert {r["member"] for r in returned["reviews"].values()} == {"advisor-1"}
    requested = wait_until(lambda: (lambda kinds: kinds if len(kinds) == 2 else None)(
        sorted(e["data"]["review_kind"] for e in tap.events("evaluation.review_requested",
                                                     f"products/{product['id']}"))),
        what="both review requests")
    assert requested == ["completion", "site_visit"]
    product_in_stage(owner, product["id"], "returned")
    inbox = wait_until(lambda: [m for m in owner.get("/notifications", params={
        "recipient": f"producer:{producer['id']}"}).json() if "ATTP" in m["text"]["vi"]],
        what="the completion request in the inbox")
    assert "complete the dossier" in inbox[0]["text"]["en"]

    again = owner.post(f"/products/{product['id']}/submission")
    assert again.status_code == 202
    reopened = wait_until(lambda: [e for e in owner.get("/evaluations", params={
        "product_id": product["id"]}).json() if e["status"] == "open"])
    assert reopened[0]["id"] != evaluation["id"]


def test_the_council_regulation_quorum_spread_and_interests(api, people, tap):
    set_up_council(people, "province-80", rules={"quorum": 0.75, "max_spread": 10})
    producer, owner, product = registered(api, people, "80")
    evaluation = open_evaluation(owner, product["id"])
    member = {name: people.member(name, "province-80") for name in MEMBERS}
    declared = member["member-4"].post("/councils/province-80/interests",
                                       {"producer_id": producer["id"]})
    assert declared.status_code == 201
    assert declared.json()["interests"] == {"member-4": [producer["id"]]}
    assert "interests" not in api.get("/councils/province-80").json()  # public: no producers
    rice = criteria_set(api, "03")
    sheets = f"/evaluations/{evaluation['id']}/scores"
    decision = f"/evaluations/{evaluation['id']}/decision"

    assert_problem(member["member-4"].post(sheets, {"picks": best_picks(rice)}), 409,
                   "/sheets/member-4")
    for name in MEMBERS[:2]:
        assert member[name].post(sheets, {"picks": best_picks(rice)}).status_code == 201
    no_quorum = assert_problem(member["chair"].post(decision), 409)
    assert "2/4" in no_quorum["detail"]

    low = lowered_picks(rice, drop=15)
    assert member["member-3"].post(sheets, {"picks": low}).status_code == 201
    spread = assert_problem(member["chair"].post(decision), 409)
    assert "chấm lại" in spread["detail"] and "rescore" in spread["detail"]
    assert tap.wait_for("evaluation.sheet_submitted", f"products/{product['id']}")

    # Only the member may rescore their sheet, and only the chair records the decision.
    assert_problem(member["chair"].put(f"{sheets}/member-3", {"picks": low}), 403)
    assert_problem(member["member-2"].post(decision), 403)
    rescored = member["member-3"].put(f"{sheets}/member-3", {"picks": best_picks(rice)})
    assert rescored.status_code == 200
    assert rescored.json()["sheets"]["member-3"]["total"] == 100
    decided = member["chair"].post(decision).json()
    assert decided["status"] == "forwarded"
    assert decided["result"]["council"]["rules"]["max_spread"] == 10


def test_the_secretary_may_record_the_decision(api, people):
    set_up_council(people, "province-01", secretary="secretary")
    producer, owner, product = registered(api, people, "01")
    evaluation = open_evaluation(owner, product["id"])
    submit_sheets(people, evaluation, council_of(lowered_picks(criteria_set(api, "03"), 15)))
    decided = decide(people, evaluation, chair="secretary")
    assert decided.status_code == 200 and decided.json()["stars"] == 4


def test_a_re_rating_is_decided_on_every_members_written_opinion(api, people, amqp_uri,
                                                                 councils):
    """The certificate is made to expire in 150 days, inside the re-rating window, by the
    event certification would have published for one issued some 32 months ago."""
    producer, owner, product = registered(api, people)
    open_evaluation(owner, product["id"])
    expires = utc_now() + timedelta(days=150)
    issued = events.new_event("certification", "certificate.issued",
                              f"products/{product['id']}", {
                                  "code": "OCOP-91-2023-00042", "product_id": product["id"],
                                  "producer_id": producer["id"], "evaluation_id": "earlier",
                                  "stars": 4, "issued_at": rfc3339(expires - timedelta(
                                      days=3 * 365)), "expires_at": rfc3339(expires)})
    publish(amqp_uri, issued)
    product_in_stage(owner, product["id"], "certified")

    assert_problem(owner.post(f"/products/{product['id']}/submission", {"kind": "first"}), 409,
                   "/kind")
    resubmitted = owner.post(f"/products/{product['id']}/submission", {"kind": "re_rating"})
    assert resubmitted.status_code == 202, resubmitted.text
    evaluation = wait_until(lambda: next((e for e in owner.get("/evaluations", params={
        "product_id": product["id"]}).json() if e["kind"] == "re_rating"), None),
        what="the re-rating evaluation")
    assert evaluation["procedure"] == "written"
    rice = criteria_set(api, "03")
    sheets = f"/evaluations/{evaluation['id']}/scores"
    good, lower = lowered_picks(rice, drop=15), lowered_picks(rice, drop=30)
    submit_sheets(people, evaluation, council_of(good))
    missing = assert_problem(decide(people, evaluation), 409)
    assert "member-4" in missing["detail"]
    submit_sheets(people, evaluation, {"member-4": lower})
    assert_problem(decide(people, evaluation), 409)
    people.member("member-4").put(f"{sheets}/member-4", {"picks": good})
    decided = decide(people, evaluation).json()
    assert decided["status"] == "completed" and decided["stars"] == 4


def test_a_sheet_stops_counting_when_its_member_declares_an_interest(api, people):
    set_up_council(people, "province-01")
    producer, owner, product = registered(api, people, "01")
    evaluation = open_evaluation(owner, product["id"])
    picks = lowered_picks(criteria_set(api, "03"), drop=15)
    submit_sheets(people, evaluation, council_of(picks))
    assert people.member("member-3", "province-01").post("/councils/province-01/interests", {
        "producer_id": producer["id"]}).status_code == 201
    assert_problem(decide(people, evaluation), 409)  # 2 of 4
    submit_sheets(people, evaluation, {"member-4": picks})
    decided = decide(people, evaluation).json()
    assert decided["status"] == "completed" and decided["stars"] == 4
    assert decided["result"]["council"]["sheets_not_counted"] == ["member-3"]
