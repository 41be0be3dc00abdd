"""Councils at work through the real processes: the province → central path to 5★, a
central result handed back to the province, star minimums, knock-outs, the advisory
review, and the council regulation."""
from datetime import timedelta

from chassis import events
from chassis.events import rfc3339, utc_now
from tests.conftest import publish, wait_until
from tests.e2e.journeys import MEMBERS, best_picks, council_of, criteria_set, \
    lowered_picks, new_producer, new_product, open_evaluation, product_in_stage, score, \
    set_up_council
from tests.e2e.test_bad_input import assert_problem


def central_evaluation(api, product_id):
    return wait_until(lambda: next((e for e in api.get("/evaluations", params={
        "product_id": product_id}).json() if e["level"] == "central"), None),
        what="the central evaluation to open")


def forwarded_product(api, tap):
    producer = new_producer(api)
    product = new_product(api, producer["id"])
    evaluation = open_evaluation(api, product["id"])
    forwarded = score(api, evaluation["id"], council_of(best_picks(criteria_set(api, "03"))))
    assert forwarded["status"] == "forwarded" and forwarded["score"] == 100.0
    event = tap.wait_for("evaluation.forwarded", f"products/{product['id']}")
    assert event["data"]["to_level"] == "central"
    central = central_evaluation(api, product["id"])
    assert central["parent_evaluation_id"] == evaluation["id"]
    assert central["round"]["id"].startswith("central-")
    return producer, product, central


def test_province_forwards_a_potential_five_star_and_the_ministry_recognises_it(
        api, tap, councils):
    producer, product, central = forwarded_product(api, tap)
    decided = score(api, central["id"], council_of(best_picks(criteria_set(api, "03"))))
    assert decided["status"] == "completed" and decided["stars"] == 5
    certified = product_in_stage(api, product["id"], "certified")
    certificate = api.get(f"/certificates/{certified['certificate_code']}").json()
    assert certificate["stars"] == 5 and certificate["level"] == "central"


def test_a_central_result_below_90_is_recognised_by_the_province(api, tap, councils):
    producer, product, central = forwarded_product(api, tap)
    decided = score(api, central["id"],
                    council_of(lowered_picks(criteria_set(api, "03"), drop=15)))
    assert decided["stars"] == 4 and decided["score"] < 90
    completed = tap.wait_for("evaluation.completed", f"products/{product['id']}")
    assert completed["data"]["level"] == "province" and completed["data"]["recognised"]
    certified = product_in_stage(api, product["id"], "certified")
    certificate = api.get(f"/certificates/{certified['certificate_code']}").json()
    assert certificate["stars"] == 4 and certificate["level"] == "province"


def test_an_unmet_star_minimum_caps_a_high_total(api, councils):
    rice = criteria_set(api, "03")
    starred = next(c for part in rice["parts"] for s in part["sections"]
                   for c in s["criteria"] if any(o["star_min"] == 5 for o in c["options"]))
    below = min((o for o in starred["options"] if not o["knockout"]),
                key=lambda o: o["points"] or 0)
    picks = {**best_picks(rice), starred["code"]: below["code"]}
    producer = new_producer(api)
    product = new_product(api, producer["id"])
    evaluation = open_evaluation(api, product["id"])
    decided = score(api, evaluation["id"], council_of(picks))
    assert decided["score"] >= 90 and decided["result"]["band_stars"] == 5
    assert decided["stars"] == 4 and starred["code"] in decided["result"]["capped_by"]
    assert decided["status"] == "completed"
    assert product_in_stage(api, product["id"], "certified")["stars"] == 4


def test_a_knocked_out_dossier_is_rejected_with_its_reason(api, tap, councils):
    producer = new_producer(api)
    product = new_product(api, producer["id"])
    evaluation = open_evaluation(api, product["id"])
    decided = score(api, evaluation["id"], council_of(best_picks(criteria_set(api, "03"))),
                    decision={"knockouts": ["dossier"]})
    assert decided["status"] == "rejected" and decided["stars"] is None
    rejected = tap.wait_for("evaluation.rejected", f"products/{product['id']}")
    assert rejected["data"]["reason"]["vi"] and rejected["data"]["reason"]["en"]
    assert product_in_stage(api, product["id"], "rejected")["rejection_reason"]["codes"] == [
        "dossier"]
    assert api.get("/certificates", params={"product_id": product["id"]}).json() == []


def test_the_advisory_group_sends_the_dossier_back_for_completion(api, tap, councils):
    producer = new_producer(api)
    product = new_product(api, producer["id"])
    evaluation = open_evaluation(api, product["id"])
    reviews = f"/evaluations/{evaluation['id']}/reviews"
    assert_problem(api.post(reviews, {"member": "chair", "kind": "site_visit", "note": "x"}),
                   422, "/member")
    visited = api.post(reviews, {"member": "advisor-1", "kind": "site_visit",
                                 "note": "Khảo sát vùng nguyên liệu"})
    assert visited.status_code == 201 and visited.json()["status"] == "open"
    returned = api.post(reviews, {"member": "advisor-1", "kind": "completion",
                                  "note": "Bổ sung giấy chứng nhận ATTP"}).json()
    assert returned["status"] == "returned" and len(returned["reviews"]) == 2
    requested = wait_until(lambda: (lambda kinds: kinds if len(kinds) == 2 else None)(
        sorted(e["data"]["review_kind"] for e in tap.events("evaluation.review_requested",
                                                     f"products/{product['id']}"))),
        what="both review requests")
    assert requested == ["completion", "site_visit"]
    product_in_stage(api, product["id"], "returned")
    inbox = wait_until(lambda: [m for m in api.get("/notifications", params={
        "producer_id": producer["id"]}).json() if "ATTP" in m["text"]["vi"]],
        what="the completion request in the inbox")
    assert "complete the dossier" in inbox[0]["text"]["en"]

    again = api.post(f"/products/{product['id']}/submission")
    assert again.status_code == 202
    reopened = wait_until(lambda: [e for e in api.get("/evaluations", params={
        "product_id": product["id"]}).json() if e["status"] == "open"])
    assert reopened[0]["id"] != evaluation["id"]


def test_the_council_regulation_quorum_spread_and_interests(api, tap):
    set_up_council(api, "province-80", rules={"quorum": 0.75, "max_spread": 10})
    producer = new_producer(api, province_code="80")
    product = new_product(api, producer["id"])
    evaluation = open_evaluation(api, product["id"])
    assert api.post("/councils/province-80/interests", {
        "member": "member-4", "producer_id": producer["id"]}).status_code == 201
    rice = criteria_set(api, "03")
    sheets = f"/evaluations/{evaluation['id']}/scores"
    decision = f"/evaluations/{evaluation['id']}/decision"

    assert_problem(api.post(sheets, {"member": "member-4", "picks": best_picks(rice)}), 409,
                   "/sheets/member-4")
    for member in MEMBERS[:2]:
        assert api.post(sheets, {"member": member, "picks": best_picks(rice)}).status_code == 201
    no_quorum = assert_problem(api.post(decision), 409)
    assert "2/4" in no_quorum["detail"]

    low = lowered_picks(rice, drop=15)
    assert api.post(sheets, {"member": "member-3", "picks": low}).status_code == 201
    spread = assert_problem(api.post(decision), 409)
    assert "chấm lại" in spread["detail"] and "rescore" in spread["detail"]
    assert tap.wait_for("evaluation.sheet_submitted", f"products/{product['id']}")

    rescored = api.http.put(f"{api.base}{sheets}/member-3", json={"picks": best_picks(rice)},
                            timeout=10)
    assert rescored.status_code == 200
    assert rescored.json()["sheets"]["member-3"]["total"] == 100
    decided = api.post(decision).json()
    assert decided["status"] == "forwarded"
    assert decided["result"]["council"]["rules"]["max_spread"] == 10


def test_a_re_rating_is_decided_on_every_members_written_opinion(api, amqp_uri, councils):
    """The certificate is made to expire in 150 days, inside the re-rating window, by the
    event certification would have published for one issued some 32 months ago."""
    producer = new_producer(api)
    product = new_product(api, producer["id"])
    open_evaluation(api, product["id"])
    expires = utc_now() + timedelta(days=150)
    issued = events.new_event("certification", "certificate.issued",
                              f"products/{product['id']}", {
                                  "code": "OCOP-91-2023-00042", "product_id": product["id"],
                                  "producer_id": producer["id"], "evaluation_id": "earlier",
                                  "stars": 4, "issued_at": rfc3339(expires - timedelta(
                                      days=3 * 365)), "expires_at": rfc3339(expires)})
    publish(amqp_uri, issued)
    product_in_stage(api, product["id"], "certified")

    assert_problem(api.post(f"/products/{product['id']}/submission", {"kind": "first"}), 409,
                   "/kind")
    resubmitted = api.post(f"/products/{product['id']}/submission", {"kind": "re_rating"})
    assert resubmitted.status_code == 202, resubmitted.text
    evaluation = wait_until(lambda: next((e for e in api.get("/evaluations", params={
        "product_id": product["id"]}).json() if e["kind"] == "re_rating"), None),
        what="the re-rating evaluation")
    assert evaluation["procedure"] == "written"
    rice = criteria_set(api, "03")
    sheets = f"/evaluations/{evaluation['id']}/scores"
    good, lower = lowered_picks(rice, drop=15), lowered_picks(rice, drop=30)
    for member in MEMBERS[:3]:
        assert api.post(sheets, {"member": member, "picks": good}).status_code == 201
    missing = assert_problem(api.post(f"/evaluations/{evaluation['id']}/decision"), 409)
    assert "member-4" in missing["detail"]
    assert api.post(sheets, {"member": "member-4", "picks": lower}).status_code == 201
    assert_problem(api.post(f"/evaluations/{evaluation['id']}/decision"), 409)
    api.http.put(f"{api.base}{sheets}/member-4", json={"picks": good}, timeout=10)
    decided = api.post(f"/evaluations/{evaluation['id']}/decision").json()
    assert decided["status"] == "completed" and decided["stars"] == 4


def test_a_sheet_stops_counting_when_its_member_declares_an_interest(api):
    set_up_council(api, "province-01")
    producer = new_producer(api, province_code="01")
    product = new_product(api, producer["id"])
    evaluation = open_evaluation(api, product["id"])
    picks = lowered_picks(criteria_set(api, "03"), drop=15)
    sheets = f"/evaluations/{evaluation['id']}/scores"
    for member in MEMBERS[:3]:
        assert api.post(sheets, {"member": member, "picks": picks}).status_code == 201
    assert api.post("/councils/province-01/interests", {
        "member": "member-3", "producer_id": producer["id"]}).status_code == 201
    assert_problem(api.post(f"/evaluations/{evaluation['id']}/decision"), 409)  # 2 of 4
    assert api.post(sheets, {"member": "member-4", "picks": picks}).status_code == 201
    decided = api.post(f"/evaluations/{evaluation['id']}/decision").json()
    assert decided["status"] == "completed" and decided["stars"] == 4
    assert decided["result"]["council"]["sheets_not_counted"] == ["member-3"]
