"""Nothing done twice, nothing silently dropped: duplicate deliveries, retries with
back-off and dead letters, all through the real broker and processes."""
import json
import re
import time
import uuid

import requests
from kombu import Connection, Exchange
from nameko.amqp.publish import get_producer

from chassis import deadletters, events
from chassis.handlers import ATTEMPTS_HEADER, ERROR_HEADER
from tests.conftest import publish, wait_until
from tests.e2e.journeys import council_of, criteria_set, lowered_picks, open_evaluation, \
    product_in_stage, recognise, recognition_of, registered, score, vietnam_today


def duplicates_seen(stack, service, consumer):
    text = requests.get(stack.ops_url(service) + "/metrics", timeout=5).text
    match = re.search(rf'ocop_duplicate_events_total{{consumer="{re.escape(consumer)}",'
                      rf'service="{service}"}} ([0-9.]+)', text)
    return float(match.group(1)) if match else 0.0


def certified_product(api, people):
    """A 4★ product, certified on its province's recognition; with its producer and the
    producer's API."""
    producer, owner, product = registered(api, people)
    evaluation = open_evaluation(owner, product["id"])
    recognise(people, score(people, evaluation, council_of(lowered_picks(
        criteria_set(api, "03"), drop=15))))
    return producer, owner, product_in_stage(owner, product["id"], "certified")


# What a certified product's producer is told: dossier forwarded, product submitted,
# evaluation opened and completed, certificate issued.
TOLD_OF_A_CERTIFIED_PRODUCT = 5


def inbox(owner, producer_id):
    return owner.get("/notifications", params={"recipient": f"producer:{producer_id}"}).json()


def test_a_redelivered_event_changes_nothing(api, people, tap, stack, amqp_uri, councils):
    producer, owner, product = certified_product(api, people)
    subject = f"products/{product['id']}"
    wait_until(lambda: len(inbox(owner, producer["id"])) == TOLD_OF_A_CERTIFIED_PRODUCT,
               what="the producer's notifications")
    completed = tap.wait_for("evaluation.completed", subject)
    issued = tap.wait_for("certificate.issued", subject)
    watched = [("certification", "certification.on_evaluation_completed"),
               ("notification", "notification.on_evaluation_completed"),
               ("notification", "notification.on_certificate_issued"),
               ("registration", "registration.on_certificate_issued")]
    before = {w: duplicates_seen(stack, *w) for w in watched}

    publish(amqp_uri, completed)
    publish(amqp_uri, issued)

    for w in watched:
        wait_until(lambda: duplicates_seen(stack, *w) == before[w] + 1, what=f"{w} to see it")
    certificates = api.get("/certificates", params={"product_id": product["id"]}).json()
    assert [c["code"] for c in certificates] == [product["certificate_code"]]
    assert len(inbox(owner, producer["id"])) == TOLD_OF_A_CERTIFIED_PRODUCT
    assert owner.get(f"/products/{product['id']}").json()["stage"] == "certified"


def test_the_same_result_resent_as_a_new_event_issues_no_second_certificate(
        api, people, tap, amqp_uri, councils):
    producer, owner, product = certified_product(api, people)
    completed = tap.wait_for("evaluation.completed", f"products/{product['id']}")
    resent = {**completed, "id": str(uuid.uuid4())}
    publish(amqp_uri, resent)
    # Notification tells the producer about every distinct event, so its inbox shows
    # when the re-sent one has been through the system.
    wait_until(lambda: len(inbox(owner, producer["id"])) == TOLD_OF_A_CERTIFIED_PRODUCT + 1,
               what="the re-sent event")
    certificates = api.get("/certificates", params={"product_id": product["id"]}).json()
    assert len(certificates) == 1


def parked_event(amqp_uri, service, event_id):
    with Connection(amqp_uri) as connection:
        for message in deadletters.parked(connection, service, 1000):
            if (deadletters.event_of(message) or {}).get("id") == event_id:
                return {"headers": message.headers, "body": message.body}
    return None


def test_while_evaluation_cannot_answer_recognition_is_refused_and_can_be_tried_again(
        api, people, tap, stack, councils):
    """Certification checks the result with evaluation before issuing: without an answer
    it issues nothing and says so (503), and the same recognition succeeds once evaluation
    is back."""
    producer, owner, product = registered(api, people)
    evaluation = open_evaluation(owner, product["id"])
    decided = score(people, evaluation, council_of(lowered_picks(criteria_set(api, "03"), 15)))
    chair = people.calling(["province_authority"], province="91")
    decision = {"reference": "9/QĐ-UBND", "date": vietnam_today().isoformat()}
    tap.wait_for("evaluation.completed", f"products/{product['id']}")
    try:
        stack.kill("evaluation")
        stack.kill("certification")
        stack.start("certification", env={"RPC_TIMEOUT_SECONDS": "0.5"})
        stack.wait_ready(names=["certification"])
        refused = recognition_of(chair, decided, decision)
        assert refused.status_code == 503, refused.text
        assert refused.headers["Retry-After"] == "5"
        assert "did not answer" in refused.json()["detail"]
        assert api.get("/certificates", params={"product_id": product["id"]}).json() == []
    finally:
        stack.kill("certification")  # and back with the settings every other test has
        stopped = [name for name in ("evaluation", "certification")
                   if stack.processes[name].poll() is not None]
        stack.start(*stopped).wait_ready(names=stopped)
    recognise(people, decided, reference="9/QĐ-UBND")
    issued = product_in_stage(owner, product["id"], "certified")
    certificates = api.get("/certificates", params={"product_id": product["id"]}).json()
    assert [c["code"] for c in certificates] == [issued["certificate_code"]]


def test_a_message_that_is_not_an_event_is_parked_and_consuming_goes_on(api, people, amqp_uri,
                                                                        councils):
    marker = str(uuid.uuid4())
    with get_producer(amqp_uri) as producer:
        producer.publish(json.dumps({"hello": marker}), routing_key="evaluation.completed",
                         exchange="evaluation.events", content_type=events.CONTENT_TYPE,
                         content_encoding="utf-8", delivery_mode=2)

    def parked():
        with Connection(amqp_uri) as connection:
            return [m.headers for m in deadletters.parked(connection, "certification", 1000)
                    if marker in str(m.body)]
    headers = wait_until(parked, what="the non-event in dlq.certification")[0]
    assert headers[ATTEMPTS_HEADER] == 1 and "not a CloudEvent" in headers[ERROR_HEADER]
    producer, owner, product = certified_product(api, people)  # consumers still at work
    assert product["certificate_code"]


def test_a_malformed_rpc_request_is_dropped_and_the_service_stays_up(stack, amqp_uri, api):
    """nameko would kill the service on a request it cannot answer, and again on every
    restart since the message comes back: the chassis drops it."""
    rpc = Exchange("nameko-rpc", type="topic", durable=True, no_declare=True)
    with get_producer(amqp_uri) as producer:
        for body in ({}, {"args": "x", "kwargs": {}}, []):
            producer.publish(json.dumps(body), exchange=rpc, routing_key="evaluation.closing",
                             content_type="application/json", delivery_mode=2)
        # Well formed, but its reply key is one the service may not publish to.
        producer.publish(json.dumps({"args": ["e"], "kwargs": {}}), exchange=rpc,
                         routing_key="evaluation.closing", reply_to=str(uuid.uuid4()),
                         correlation_id="c", content_type="application/json")
    time.sleep(1)  # time to fail, had the requests not been dropped
    assert stack.processes["evaluation"].poll() is None
    assert stack.ready("evaluation")
    assert api.get("/categories").status_code == 200  # served by evaluation
