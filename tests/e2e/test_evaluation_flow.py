"""Councils at work through the real processes: the province → central path to 5★, a
central result handed back to the province, star minimums, knock-outs, the advisory
review, and the council regulation."""
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from chassis import events
from chassis.events import rfc3339, utc_now
from tests.conftest import publish, wait_until
from tests.e2e.journeys import MEMBERS, approval_of, best_picks, central_evaluation, \
    council_of, criteria_set, decide, file_dossier, lowered_picks, open_evaluation, \
    product_in_stage, propose, province_chair, recognise, recognition_of, registered, score, \
    set_up_council, submit_sheets, to_the_ministry, vietnam_today
from tests.e2e.test_bad_input import assert_problem


def forwarded_product(api, people, tap):
    producer, owner, product = registered(api, people)
    evaluation = open_evaluation(owner, product["id"])
    forwarded = to_the_ministry(people, evaluation,
                                council_of(best_picks(criteria_set(api, "03"))))
    assert forwarded["score"] == 100.0
    event = tap.wait_for("evaluation.forwarded", f"products/{product['id']}")
    assert event["data"]["to_level"] == "central"
    central = central_evaluation(owner, product["id"])
    assert central["parent_evaluation_id"] == evaluation["id"]
    assert central["round"]["id"].startswith("central-") and central["scope"] == "central"
    return owner, product, central


def test_a_potential_five_star_goes_to_the_ministry_only_on_the_provincial_chairs_approval(
        api, people, tap, councils):
    """Art. 7.3.e: the council's 90 points or more wait for the chair's approval decision;
    only the province's own chair approves it, on a date from the council's day to today;
    the approval forwards it and opens the central evaluation."""
    _, owner, product = registered(api, people)
    evaluation = open_evaluation(owner, product["id"])
    subject = f"products/{product['id']}"
    decided = score(people, evaluation, council_of(best_picks(criteria_set(api, "03"))))
    assert decided["status"] == "awaiting_approval" and decided["score"] == 100.0
    requested = tap.wait_for("evaluation.approval_requested", subject)
    assert (requested["data"]["score"], requested["data"]["capped_by"]) == (100.0, [])
    office = people.province_officer("91")
    # The province was told of the submission before: the approval's notice is another.
    told = wait_until(lambda: [m for m in office.get("/notifications", params={
        "recipient": "province:91", "limit": 200}).json() if m["subject"] == subject
        and m["event_type"] == "vn.gov.ocop.evaluation.approval_requested.v1"],
        what="the province told")
    assert "Art. 7.3.e" in told[0]["text"]["en"]
    # Waiting: not forwarded, no central evaluation; scoring and deciding are over.
    assert [e["status"] for e in owner.get("/evaluations", params={
        "product_id": product["id"]}).json()] == ["awaiting_approval"]
    assert_problem(decide(people, evaluation), 409)

    today = vietnam_today()
    body = {"reference": "456/QĐ-UBND", "date": today.isoformat()}
    assert_problem(approval_of(people, evaluation, body, by=province_chair(people, "79")), 404)
    assert_problem(approval_of(people, evaluation, body, by=office), 403)
    assert_problem(approval_of(people, evaluation, body, by=people.member("chair")), 403)
    for date_, says in (((today + timedelta(days=1)), "in the future"),
                        ((today - timedelta(days=1)), "before the council's decision")):
        refused = assert_problem(approval_of(people, evaluation, {
            **body, "date": date_.isoformat()}), 422, "/date")
        assert says in refused["detail"]
    assert_problem(approval_of(people, evaluation, {"date": today.isoformat()}), 422,
                   "/reference")
    assert_problem(approval_of(people, evaluation, {**body, "approved": False}), 422,
                   "/reason")
    unchanged = owner.get("/evaluations", params={"product_id": product["id"]}).json()
    assert [(e["status"], e.get("approval")) for e in unchanged] == [
        ("awaiting_approval", None)]
    assert not tap.events("evaluation.forwarded", subject)

    approved = approval_of(people, evaluation, body)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "forwarded"
    assert {k: approved.json()["approval"][k] for k in ("approved", "reference", "date",
                                                        "by")} == {
        "approved": True, "reference": "456/QĐ-UBND", "date": today.isoformat(),
        "by": "chair-91"}
    forwarded = tap.wait_for("evaluation.forwarded", subject)["data"]
    assert (forwarded["approval_reference"], forwarded["approval_date"],
            forwarded["approved_by"]) == ("456/QĐ-UBND", today.isoformat(), "chair-91")
    assert central_evaluation(owner, product["id"])["parent_evaluation_id"] == evaluation["id"]
    assert_problem(approval_of(people, evaluation, body), 409)  # decided once


def test_a_potential_five_star_the_chair_does_not_approve_goes_nowhere(
        api, people, tap, councils):
    """Art. 7.3.e gives the chair the decision, so also the refusal: the result is closed
    with the decision and its reason; nothing goes to the ministry, nothing is recognised,
    and the product may be filed again."""
    producer, owner, product = registered(api, people)
    evaluation = open_evaluation(owner, product["id"])
    subject = f"products/{product['id']}"
    assert score(people, evaluation, council_of(best_picks(criteria_set(api, "03"))))[
        "status"] == "awaiting_approval"
    refused = approval_of(people, evaluation, {
        "approved": False, "reference": "457/QĐ-UBND", "date": vietnam_today().isoformat(),
        "reason": "Vùng nguyên liệu chưa ổn định"})
    assert refused.status_code == 200, refused.text
    assert refused.json()["status"] == "not_approved"
    assert refused.json()["approval"]["reason"] == "Vùng nguyên liệu chưa ổn định"
    event = tap.wait_for("evaluation.approval_refused", subject)["data"]
    assert (event["reference"], event["refused_by"]) == ("457/QĐ-UBND", "chair-91")
    assert product_in_stage(owner, product["id"], "not_ranked")
    told = wait_until(lambda: [m for m in owner.get("/notifications", params={
        "recipient": f"producer:{producer['id']}", "limit": 200}).json()
        if m["event_type"].endswith("approval_refused.v1")], what="the producer told")
    assert "Vùng nguyên liệu chưa ổn định" in told[0]["text"]["vi"]
    assert_problem(approval_of(people, evaluation), 409)
    assert [e["status"] for e in owner.get("/evaluations", params={
        "product_id": product["id"]}).json()] == ["not_approved"]
    assert not tap.events("evaluation.forwarded", subject)
    # Certification never had a result to recognise.
    assert_problem(province_chair(people).post(f"/evaluations/{evaluation['id']}/recognition",
                                               {"reference": "458/QĐ-UBND",
                                                "date": vietnam_today().isoformat()}), 404)


def test_province_forwards_a_potential_five_star_the_ministry_recognises_and_revokes_it(
        api, people, tap, councils):
    owner, product, central = forwarded_product(api, people, tap)
    decided = score(people, central, council_of(best_picks(criteria_set(api, "03"))))
    assert decided["status"] == "completed" and decided["stars"] == 5
    decision = {"reference": "88/QĐ-BNNMT", "date": vietnam_today().isoformat()}
    # 5★ is the minister's to recognise, not the province's chair.
    chair = people.calling(["province_authority"], province=product["province_code"])
    assert recognition_of(chair, central, decision).status_code == 403
    recognise(people, decided, reference="88/QĐ-BNNMT")
    certified = product_in_stage(owner, product["id"], "certified")
    certificate = api.get(f"/certificates/{certified['certificate_code']}").json()
    assert certificate["stars"] == 5 and certificate["level"] == "central"
    assert certificate["code"].startswith(f"OCOP-TW-{vietnam_today().year}-")
    # And only the minister revokes it (Art. 8.2.b).
    revocation = f"/certificates/{certificate['code']}/revocation"
    misuse = {"ground": "mark_misused", "finding_reference": "7/KL-QLTT",
              "finding_date": vietnam_today().isoformat()}
    assert_problem(chair.post(revocation, misuse), 403)
    revoked = people.calling(["central_authority"]).post(revocation, misuse)
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["status"] == "revoked" and not revoked.json()["revocation"]["late"]
    product_in_stage(owner, product["id"], "revoked")


def test_a_central_result_below_90_is_recognised_by_the_province(api, people, tap, councils):
    owner, product, central = forwarded_product(api, people, tap)
    decided = score(people, central,
                    council_of(lowered_picks(criteria_set(api, "03"), drop=15)))
    assert decided["stars"] == 4 and decided["score"] < 90
    completed = tap.wait_for("evaluation.completed", f"products/{product['id']}")
    assert completed["data"]["level"] == "province" and completed["data"]["recognised"]
    # Handed back: the province's chair recognises it at 4★ (Art. 7.4.g), not the minister.
    decision = {"reference": "310/QĐ-UBND", "date": vietnam_today().isoformat()}
    minister = people.calling(["central_authority"])
    assert recognition_of(minister, central, decision).status_code == 403
    other_chair = people.calling(["province_authority"], province="79")
    assert recognition_of(other_chair, central, decision).status_code == 403
    recognised = recognise(people, decided, reference="310/QĐ-UBND")
    assert recognised["code"].startswith(f"OCOP-91-{vietnam_today().year}-")
    certified = product_in_stage(owner, product["id"], "certified")
    certificate = api.get(f"/certificates/{certified['certificate_code']}").json()
    assert certificate["stars"] == 4 and certificate["level"] == "province"
    assert certificate["recognition"]["reference"] == "310/QĐ-UBND"


def test_an_unmet_star_minimum_caps_a_high_total(api, people, tap, councils):
    """90 points or more is a potential 5★ (Art. 7.3.e: «đạt từ 90 trở lên»): forwarded on
    the chair's approval even though a 5★ minimum caps it at 4★; the ministry's council,
    finding the same, hands it back to the province."""
    rice = criteria_set(api, "03")
    starred = next(c for part in rice["parts"] for s in part["sections"]
                   for c in s["criteria"] if any(o["star_min"] == 5 for o in c["options"]))
    below = min((o for o in starred["options"] if not o["knockout"]),
                key=lambda o: o["points"])
    picks = {**best_picks(rice), starred["code"]: below["code"]}
    producer, owner, product = registered(api, people)
    evaluation = open_evaluation(owner, product["id"])
    decided = to_the_ministry(people, evaluation, council_of(picks))
    assert decided["score"] >= 90 and decided["result"]["band_stars"] == 5
    assert decided["stars"] == 4 and starred["code"] in decided["result"]["capped_by"]
    assert tap.wait_for("evaluation.forwarded", f"products/{product['id']}")["data"][
        "stars"] == 4
    central = score(people, central_evaluation(owner, product["id"]), council_of(picks))
    assert central["status"] == "completed" and central["score"] >= 90
    assert central["stars"] == 4 and central["result"]["level"] == "province"
    assert central["result"]["recognised"]
    recognise(people, central)
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

    assert propose(owner, product["id"])["stage"] == "submitted"
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
    etag = member["member-3"].get(f"{sheets}/member-3").headers["ETag"]
    rescored = member["member-3"].put(f"{sheets}/member-3", {"picks": best_picks(rice)},
                                      headers={"If-Match": etag})
    assert rescored.status_code == 200
    assert rescored.json()["sheets"]["member-3"]["total"] == 100
    decided = member["chair"].post(decision).json()
    assert decided["status"] == "awaiting_approval"
    assert decided["result"]["council"]["rules"]["max_spread"] == 10


def test_the_secretary_may_record_the_decision(api, people):
    set_up_council(people, "province-01", secretary="secretary")
    producer, owner, product = registered(api, people, "01")
    evaluation = open_evaluation(owner, product["id"])
    submit_sheets(people, evaluation, council_of(lowered_picks(criteria_set(api, "03"), 15)))
    decided = decide(people, evaluation, chair="secretary")
    assert decided.status_code == 200 and decided.json()["stars"] == 4


def re_rating(api, people, amqp_uri, owner, producer, product):
    """The certificate is made to expire in 150 days, inside the re-rating window, by the
    event certification would have published for one issued some 32 months ago; the
    producer files the re-rating: its evaluation, decided on written opinions."""
    open_evaluation(owner, product["id"])
    expires = utc_now() + timedelta(days=150)
    issued_on = (expires - timedelta(days=3 * 365)).date()
    issued = events.new_event("certification", "certificate.issued",
                              f"products/{product['id']}", {
                                  "code": "OCOP-91-2023-00042", "product_id": product["id"],
                                  "producer_id": producer["id"], "evaluation_id": "earlier",
                                  "product_code": None, "province_code": "91",
                                  "category": "03", "stars": 4, "score": 80.0,
                                  "level": "province", "rule_version": "26/2026",
                                  "recognition_reference": "12/QĐ-UBND",
                                  "recognition_date": issued_on.isoformat(),
                                  "issued_on": issued_on.isoformat(),
                                  "expires_on": expires.date().isoformat(),
                                  "renewal_opens_on": (expires - timedelta(days=180)).date()
                                  .isoformat(),
                                  "renewal_closes_on": (expires - timedelta(days=120)).date()
                                  .isoformat(),
                                  "issued_at": rfc3339(expires - timedelta(days=3 * 365)),
                                  "expires_at": rfc3339(expires)})
    publish(amqp_uri, issued)
    product_in_stage(owner, product["id"], "certified")
    assert_problem(file_dossier(owner, product["id"], "first"), 409, "/kind")
    propose(owner, product["id"], "re_rating")
    evaluation = wait_until(lambda: next((e for e in owner.get("/evaluations", params={
        "product_id": product["id"]}).json() if e["kind"] == "re_rating"), None),
        what="the re-rating evaluation")
    assert evaluation["procedure"] == "written"
    return evaluation


def test_a_re_rating_is_decided_on_every_members_written_opinion(api, people, amqp_uri, tap,
                                                                 councils):
    """Art. 7.6.d, g: every member's written opinion; a meeting only when they differ; its
    own 45 days, not a round."""
    producer, owner, product = registered(api, people)
    evaluation = re_rating(api, people, amqp_uri, owner, producer, product)
    assert evaluation["round"] is None
    assert date.fromisoformat(evaluation["decide_by"]) == date.fromisoformat(
        evaluation["proposed_on"]) + timedelta(days=45)
    rice = criteria_set(api, "03")
    sheets = f"/evaluations/{evaluation['id']}/scores"
    good, lower = lowered_picks(rice, drop=15), lowered_picks(rice, drop=30)
    submit_sheets(people, evaluation, council_of(good))
    missing = assert_problem(decide(people, evaluation), 409)
    assert "member-4" in missing["detail"]
    submit_sheets(people, evaluation, {"member-4": lower})
    # The written opinions differ by more than the regulation's 10 points: the council meets.
    meeting = decide(people, evaluation)
    assert meeting.status_code == 200, meeting.text
    assert meeting.json()["status"] == "open" and meeting.json()["procedure"] == "meeting"
    assert "meets" in meeting.json()["meeting"]["reason"]["en"]
    called = tap.wait_for("evaluation.meeting_called", f"products/{product['id']}")
    assert called["data"]["round_id"] is None
    assert_problem(decide(people, evaluation), 409)  # the meeting's spread rule: rescore
    member_4 = people.member("member-4")
    rescored = member_4.put(f"{sheets}/member-4", {"picks": good}, headers={
        "If-Match": member_4.get(f"{sheets}/member-4").headers["ETag"]})
    assert rescored.status_code == 200, rescored.text
    decided = decide(people, evaluation).json()
    assert decided["status"] == "completed" and decided["stars"] == 4


def test_written_opinions_that_agree_decide_without_a_meeting(api, people, amqp_uri, tap,
                                                              councils):
    producer, owner, product = registered(api, people)
    evaluation = re_rating(api, people, amqp_uri, owner, producer, product)
    submit_sheets(people, evaluation, {m: lowered_picks(criteria_set(api, "03"), drop=15)
                                       for m in MEMBERS})
    decided = decide(people, evaluation).json()
    assert decided["status"] == "completed" and decided["procedure"] == "written"
    assert not tap.events("evaluation.meeting_called", f"products/{product['id']}")


def test_the_chair_calls_the_meeting_when_the_content_is_complex(api, people, amqp_uri, tap,
                                                                councils):
    """Art. 7.6.d «hoặc có nội dung phức tạp cần thảo luận»: the council's chair — no other
    member — calls a re-rating's meeting with the reason, before any opinion arrives; the
    council then decides as a meeting does, without waiting for every member's opinion."""
    producer, owner, product = registered(api, people)
    evaluation = re_rating(api, people, amqp_uri, owner, producer, product)
    meeting = f"/evaluations/{evaluation['id']}/meeting"
    reason = {"reason": "Quy mô sản xuất thay đổi lớn, cần thảo luận"}
    chair = people.member("chair")
    assert_problem(people.member("member-2").post(meeting, reason), 403)
    assert_problem(chair.post(meeting, {"reason": ""}), 422, "/reason")
    assert chair.get(f"/evaluations/{evaluation['id']}").json()["procedure"] == "written"
    called = chair.post(meeting, reason)
    assert called.status_code == 200, called.text
    assert (called.json()["status"], called.json()["procedure"]) == ("open", "meeting")
    assert (called.json()["meeting"]["ground"], called.json()["meeting"]["called_by"]) == (
        "complex_content", "chair")
    event = tap.wait_for("evaluation.meeting_called", f"products/{product['id']}")["data"]
    assert (event["ground"], event["called_by"]) == ("complex_content", "chair")
    assert "Quy mô sản xuất thay đổi lớn" in event["reason"]["vi"]
    assert "Complex content" in event["reason"]["en"]
    assert_problem(chair.post(meeting, reason), 409)  # it meets already
    submit_sheets(people, evaluation, council_of(lowered_picks(criteria_set(api, "03"), 15)))
    decided = decide(people, evaluation).json()  # 3 of 4: the meeting's quorum
    assert (decided["status"], decided["stars"]) == ("completed", 4)


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


def test_a_five_star_re_rating_goes_to_the_ministry_on_the_province_offices_report(
        api, people, amqp_uri, tap, councils):
    """Art. 6.3.b, 7.6.e: no provincial council scores a 5★ re-rating; the province office
    reports and the ministry's council decides it on written opinions, within 45 days."""
    producer, owner, product = registered(api, people)
    rice = criteria_set(api, "03")
    provincial = open_evaluation(owner, product["id"])
    to_the_ministry(people, provincial, council_of(best_picks(rice)))
    central = central_evaluation(owner, product["id"])
    decided = score(people, central, council_of(best_picks(rice)))
    assert decided["stars"] == 5
    # Recognised by a decision of some 32 months ago: its certificate expires in 150 days,
    # inside the re-rating window.
    recognise(people, decided, on=vietnam_today() - relativedelta(months=36) +
              timedelta(days=150))
    product_in_stage(owner, product["id"], "certified")
    propose(owner, product["id"], "re_rating")
    evaluation = wait_until(lambda: next((e for e in owner.get("/evaluations", params={
        "product_id": product["id"]}).json() if e["kind"] == "re_rating"), None),
        what="the re-rating evaluation")
    assert (evaluation["level"], evaluation["procedure"]) == ("province", "office_report")
    refused = assert_problem(people.member("chair").post(
        f"/evaluations/{evaluation['id']}/scores", {"picks": best_picks(rice)}), 409)
    assert "6.3.b" in refused["detail"]

    report = f"/evaluations/{evaluation['id']}/office-report"
    assert_problem(people.calling(["province_authority"], province="91").post(
        report, {"report": "x"}), 403)
    reported = people.province_officer("91").post(report, {
        "report": "Sản phẩm duy trì các tiêu chí 5 sao; đề nghị Bộ đánh giá lại"})
    assert reported.status_code == 200, reported.text
    assert reported.json()["status"] == "forwarded" and reported.json()["score"] is None
    forwarded = wait_until(lambda: [
        e for e in tap.events("evaluation.forwarded", f"products/{product['id']}")
        if e["data"]["evaluation_id"] == evaluation["id"]], what="the re-rating forwarded")
    assert forwarded[0]["data"]["office_report"].startswith("Sản phẩm duy trì")
    assert forwarded[0]["data"]["score"] is None and forwarded[0]["data"]["round_id"] is None
    again = wait_until(lambda: next((e for e in owner.get("/evaluations", params={
        "product_id": product["id"]}).json() if e["parent_evaluation_id"] == evaluation["id"]),
        None), what="the ministry's re-rating")
    assert (again["level"], again["kind"], again["procedure"], again["round"]) == (
        "central", "re_rating", "written", None)
    assert date.fromisoformat(again["decide_by"]) == date.fromisoformat(
        again["proposed_on"]) + timedelta(days=45)
    submit_sheets(people, again, {m: best_picks(rice) for m in MEMBERS})
    decided = decide(people, again).json()
    assert decided["status"] == "completed" and decided["stars"] == 5
    assert decided["result"]["level"] == "central"


def test_the_annex_as_the_council_sees_and_applies_it(api, people, tap, councils):
    """Through the API: the errata, conditions and flags served with a set; a sheet that
    contradicts a printed condition refused naming the criterion; "none" accepted; and a
    note that stops evaluation recorded by its criterion."""
    beans = criteria_set(api, "04")
    assert [(e["option"], e["printed"], e["applied"]) for e in beans["errata"]] == [
        ("7.c", 13, 3), ("1.2.a", None, 0)]
    assert beans["conditions"][0]["criterion"] == "5.2" and beans["flags"] == []
    assert criteria_set(api, "07")["flags"][0]["option"] == "3.1.b"

    rice = criteria_set(api, "03")
    producer, owner, product = registered(api, people)
    evaluation = open_evaluation(owner, product["id"])
    sheets = f"/evaluations/{evaluation['id']}/scores"
    story_less = {**best_picks(rice), "5.1": "5.1.a"}
    refused = assert_problem(people.member("chair").post(sheets, {"picks": story_less}), 422,
                             "/picks/5.2")
    assert "câu chuyện" in refused["errors"][0]["detail"]
    submit_sheets(people, evaluation, council_of({**story_less, "5.2": "none"}))
    decided = decide(people, evaluation, {"knockouts": ["6.1"]})
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "rejected"
    rejected = tap.wait_for("evaluation.rejected", f"products/{product['id']}")
    assert rejected["data"]["reason"]["criteria"] == {"food_safety_contaminant": "6.1"}
    assert rejected["data"]["reason"]["vi"].startswith("Tiêu chí 6.1: ")
