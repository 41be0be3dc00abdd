"""A forged event is never obeyed: through the real broker and processes, an event whose
source, type or data is not what its queue promises is parked by every consumer, and
certification certifies, on recognition, only what the evaluation service confirms it
closed."""
import re
import uuid

import pytest
import requests

from chassis import events
from chassis.handlers import ATTEMPTS_HEADER, ERROR_HEADER
from tests.conftest import publish, wait_until
from tests.e2e.journeys import council_of, criteria_set, lowered_picks, open_evaluation, \
    recognise, recognition_of, registered, score, vietnam_today
from tests.e2e.test_certificate_life import stack_result
from tests.integration.test_reliability import inbox, parked_event

CONSUMERS = ("certification", "registration", "notification")  # of evaluation.completed


def refused(stack, service, check):
    text = requests.get(stack.ops_url(service) + "/metrics", timeout=5).text
    match = re.search(rf'ocop_refused_events_total{{check="{check}",consumer="{service}'
                      rf'.on_evaluation_completed",service="{service}"}} ([0-9.]+)', text)
    return float(match.group(1)) if match else 0.0


@pytest.fixture(scope="module")
def target(api, people, councils):
    """A real producer's product that no council has rated: what a forger would want 5★;
    with the producer's API, which reads what became of it."""
    producer, owner, product = registered(api, people)
    data = {"evaluation_id": str(uuid.uuid4()), "product_id": product["id"],
            "producer_id": producer["id"], "name": product["name"],
            "producer_name": producer["name"], "category": "03", "province_code": "91",
            "level": "province", "kind": "first", "round_id": "province-2026-1",
            "score": 96.5, "stars": 5, "recognised": True, "rule_version": "26/2026",
            "capped_by": []}
    return producer, owner, product, data


def forged_completed(summary, **envelope):
    return {**events.new_event("evaluation", "evaluation.completed",
                               f"products/{summary['product_id']}", summary), **envelope}


def refusals(stack, check):
    return {service: refused(stack, service, check) for service in CONSUMERS}


def assert_parked_everywhere(stack, amqp_uri, forged, check, reason, before):
    """Parked by every consumer with ``reason``, each counting one more refusal."""
    for service in CONSUMERS:
        parked = wait_until(lambda: parked_event(amqp_uri, service, forged["id"]),
                            what=f"the forged event in dlq.{service}")
        assert parked["headers"][ATTEMPTS_HEADER] == 1
        assert reason in parked["headers"][ERROR_HEADER]
        assert refused(stack, service, check) == before[service] + 1


def delivered(owner, producer_id, event):
    """The producer's inbox messages that ``event`` caused."""
    return [m for m in inbox(owner, producer_id)
            if m["id"] == f"{event['source']}/{event['id']}"]


def assert_nothing_certified(owner, tap, product_id):
    assert owner.get("/certificates", params={"product_id": product_id}).json() == []
    assert tap.events("certificate.issued", f"products/{product_id}") == []
    assert owner.get(f"/products/{product_id}").json()["stage"] == "registered"


@pytest.mark.parametrize("forgery, check, reason", [
    # Published on evaluation.events, as only evaluation may, but saying it is someone else's.
    ({"source": "/ocop/registration"}, "source",
     "source '/ocop/registration' did not publish on evaluation.events"),
    ({"type": "vn.gov.ocop.evaluation.forwarded.v1"}, "type",
     "type 'vn.gov.ocop.evaluation.forwarded.v1' arrived where "
     "'vn.gov.ocop.evaluation.completed.v1' is consumed"),
    ({"data": "stars=5"}, "data", "data breaks the contract EvaluationCompletedSchema"),
])
def test_a_forged_envelope_is_parked_by_every_consumer_and_never_applied(
        tap, stack, amqp_uri, target, forgery, check, reason):
    producer, owner, product, data = target
    forged = forged_completed(data, **forgery)
    before = refusals(stack, check)
    publish(amqp_uri, forged, on="evaluation", routing_key="evaluation.completed")
    assert_parked_everywhere(stack, amqp_uri, forged, check, reason, before)
    assert_nothing_certified(owner, tap, product["id"])
    assert delivered(owner, producer["id"], forged) == []


@pytest.mark.parametrize("breach", [
    {"stars": "5"}, {"recognised": "yes"}, {"score": 140}, {"province_code": None}])
def test_data_that_breaks_the_publishers_contract_is_parked(tap, stack, amqp_uri, target,
                                                           breach):
    producer, owner, product, data = target
    forged = forged_completed({**data, **breach})
    before = refusals(stack, "data")
    publish(amqp_uri, forged)
    assert_parked_everywhere(stack, amqp_uri, forged, "data", "EvaluationCompletedSchema",
                             before)
    assert_nothing_certified(owner, tap, product["id"])
    assert delivered(owner, producer["id"], forged) == []


def test_a_result_for_an_evaluation_that_never_existed_is_not_recognised(people, tap,
                                                                         amqp_uri, target):
    producer, owner, product, data = target
    forged = forged_completed(data)
    publish(amqp_uri, forged)
    chair = people.calling(["province_authority"], province="91")
    refused = recognition_of(chair, {"id": data["evaluation_id"]}, {
        "reference": "1/QĐ-UBND", "date": vietnam_today().isoformat()})
    assert refused.status_code == 409
    assert f"No evaluation {data['evaluation_id']} exists" in refused.json()["detail"]
    assert_nothing_certified(owner, tap, product["id"])
    assert not [m for m in inbox(owner, producer["id"])
                if m["event_type"] == "vn.gov.ocop.certificate.issued.v1"]


def test_a_result_other_than_the_councils_is_not_certified(api, people, tap, amqp_uri,
                                                           stack, mongo_uri, councils):
    """An inflated copy of a genuine result changes nothing: the result is kept once, and
    the certificate says what the council decided."""
    producer, owner, product = registered(api, people)
    evaluation = open_evaluation(owner, product["id"])
    decided = score(people, evaluation, council_of(lowered_picks(criteria_set(api, "03"), 15)))
    subject = f"products/{product['id']}"
    genuine = tap.wait_for("evaluation.completed", subject)
    wait_until(lambda: stack_result(stack, mongo_uri, decided["id"]),
               what="the genuine result kept")
    inflated = {**genuine, "id": str(uuid.uuid4()),
                "data": {**genuine["data"], "stars": 5, "score": 97.25}}
    publish(amqp_uri, inflated)
    certificate = recognise(people, decided)
    assert (certificate["stars"], certificate["score"]) == (genuine["data"]["stars"],
                                                            genuine["data"]["score"])
    assert tap.wait_for("certificate.issued", subject)["data"]["stars"] == certificate["stars"]
    assert len(tap.events("certificate.issued", subject)) == 1
