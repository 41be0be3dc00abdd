"""A central result below 90 handed back to the province (Decision 26/2026 Art. 7.4.g),
through the real processes: the provincial chair either recognises 3★/4★ on that result or
organises the province's own evaluation.  On this branch certification still issues a
certificate on ``evaluation.completed`` by itself; these tests assert evaluation's side."""
import datetime

from services.evaluation.rounds import round_for, vietnam_date
from chassis.events import utc_now
from tests.conftest import wait_until
from tests.e2e.journeys import best_picks, central_evaluation, council_of, criteria_set, \
    lowered_picks, open_evaluation, registered, score, to_the_ministry
from tests.e2e.test_bad_input import assert_problem


def handed_back(api, people, tap):
    """A product An Giang's council scored 100 points, forwarded on the provincial chair's
    approval, scored below 90 by the ministry's council: a 4★ central result, handed back
    to the province."""
    producer, owner, product = registered(api, people)
    rice = criteria_set(api, "03")
    provincial = open_evaluation(owner, product["id"])
    to_the_ministry(people, provincial, council_of(best_picks(rice)))
    decided = score(people, central_evaluation(owner, product["id"]), council_of(lowered_picks(rice, drop=15)))
    assert decided["status"] == "completed" and decided["score"] < 90 and decided["stars"] == 4
    completed = tap.wait_for("evaluation.completed", f"products/{product['id']}")
    assert completed["data"]["level"] == "province" and completed["data"]["recognised"]
    return owner, product, decided


def evaluations_of(owner, product):
    return owner.get("/evaluations", params={"product_id": product["id"]}).json()


def test_the_province_recognises_on_the_central_result(api, people, tap, councils):
    """First option: the result stays completed at the province's level, recognisable
    there; nothing else opens."""
    owner, product, central = handed_back(api, people, tap)
    after = {e["id"]: e for e in evaluations_of(owner, product)}
    assert after[central["id"]]["status"] == "completed"
    assert after[central["id"]]["result"]["level"] == "province"
    assert [e["status"] for e in after.values() if e["level"] == "province"] == ["forwarded"]
    assert not tap.events("evaluation.provincial_evaluation_ordered", f"products/{product['id']}")


def test_the_province_organises_its_own_evaluation(api, people, tap, councils):
    """Second option: the provincial chair orders the province's own evaluation; the central
    result is set aside (no longer ``completed``) and a provincial evaluation opens."""
    owner, product, central = handed_back(api, people, tap)
    order = f"/evaluations/{central['id']}/provincial-evaluation"
    decision = {"note": "Tỉnh tổ chức đánh giá, phân hạng lại theo thẩm quyền"}
    chair = people.calling(["province_authority"], subject="chu-tich-an-giang", province="91")

    assert_problem(people.province_officer("91").post(order, decision), 403)
    assert_problem(people.calling(["province_authority"], province="79").post(order, decision),
                   404)
    assert_problem(chair.post(order, {}), 422, "/note")
    ordered = chair.post(order, decision)
    assert ordered.status_code == 200, ordered.text
    set_aside = ordered.json()
    assert set_aside["status"] == "province_reevaluates"
    assert set_aside["set_aside"]["by"] == "chu-tich-an-giang"
    assert set_aside["set_aside"]["note"] == decision["note"]
    assert_problem(chair.post(order, decision), 409)  # decided once

    event = tap.wait_for("evaluation.provincial_evaluation_ordered", f"products/{product['id']}")
    opened_id = event["data"]["provincial_evaluation_id"]
    assert opened_id == set_aside["set_aside"]["provincial_evaluation_id"]
    assert (event["data"]["evaluation_id"], event["data"]["score"], event["data"]["stars"],
            event["data"]["ordered_by"]) == (central["id"], central["score"], 4,
                                             "chu-tich-an-giang")
    reopened = wait_until(lambda: next((e for e in evaluations_of(owner, product)
                                        if e["id"] == opened_id), None),
                          what="the provincial evaluation to open")
    today = vietnam_date(utc_now())
    assert (reopened["level"], reopened["status"], reopened["scope"]) == (
        "province", "open", "province-91")
    assert reopened["parent_evaluation_id"] == central["id"]
    assert reopened["round"]["id"] == round_for("province", today).id
    assert reopened["proposed_on"] == today.isoformat()
    opened = [e for e in tap.events("evaluation.opened", f"products/{product['id']}")
              if e["data"]["evaluation_id"] == opened_id]
    assert len(opened) == 1 and opened[0]["data"]["level"] == "province"

    # The province's own council decides it: its result, not the ministry's.
    decided = score(people, reopened, council_of(lowered_picks(criteria_set(api, "03"), 25)))
    assert decided["status"] == "completed" and decided["stars"] == 4
    assert decided["result"]["level"] == "province"
    assert datetime.date.fromisoformat(decided["decide_by"]) >= today


def test_only_a_handed_back_result_may_be_evaluated_again(api, people, tap, councils):
    """A central 5★ is the ministry's to recognise; the province has nothing to choose."""
    producer, owner, product = registered(api, people)
    rice = criteria_set(api, "03")
    to_the_ministry(people, open_evaluation(owner, product["id"]), council_of(best_picks(rice)))
    central = central_evaluation(owner, product["id"])
    assert score(people, central, council_of(best_picks(rice)))["stars"] == 5
    chair = people.calling(["province_authority"], province="91")
    refused = assert_problem(chair.post(f"/evaluations/{central['id']}/provincial-evaluation",
                                        {"note": "x"}), 409)
    assert "5★" in refused["detail"]
