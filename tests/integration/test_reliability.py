"""Nothing done twice, nothing silently dropped: duplicate deliveries, retries with
back-off, dead letters and their replay, all through the real broker and processes."""
import json
import re
import subprocess
import sys
import uuid

import requests
from kombu import Connection
from nameko.amqp.publish import get_producer

from chassis import deadletters, events
from chassis.handlers import ATTEMPTS_HEADER, ERROR_HEADER, ORIGINAL_QUEUE_HEADER
from tests.conftest import publish, wait_until
from tests.e2e.journeys import council_of, criteria_set, lowered_picks, new_producer, \
    new_product, open_evaluation, product_in_stage, score


def duplicates_seen(stack, service, consumer):
    text = requests.get(stack.url(service) + "/metrics", timeout=5).text
    match = re.search(rf'ocop_duplicate_events_total{{consumer="{re.escape(consumer)}",'
                      rf'service="{service}"}} ([0-9.]+)', text)
    return float(match.group(1)) if match else 0.0


def certified_product(api):
    producer = new_producer(api)
    product = new_product(api, producer["id"])
    evaluation = open_evaluation(api, product["id"])
    score(api, evaluation["id"], council_of(lowered_picks(criteria_set(api, "03"), drop=15)))
    return producer, product_in_stage(api, product["id"], "certified")


def inbox(api, producer_id):
    return api.get("/notifications", params={"producer_id": producer_id}).json()


def test_a_redelivered_event_changes_nothing(api, tap, stack, amqp_uri, councils):
    producer, product = certified_product(api)
    subject = f"products/{product['id']}"
    wait_until(lambda: len(inbox(api, producer["id"])) == 4, what="four notifications")
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
    assert len(inbox(api, producer["id"])) == 4
    assert api.get(f"/products/{product['id']}").json()["stage"] == "certified"


def test_the_same_result_resent_as_a_new_event_issues_no_second_certificate(
        api, tap, amqp_uri, councils):
    producer, product = certified_product(api)
    completed = tap.wait_for("evaluation.completed", f"products/{product['id']}")
    resent = {**completed, "id": str(uuid.uuid4())}
    publish(amqp_uri, resent)
    # Notification tells the producer about every distinct event, so its inbox shows
    # when the re-sent one has been through the system.
    wait_until(lambda: len(inbox(api, producer["id"])) == 5, what="the re-sent event")
    certificates = api.get("/certificates", params={"product_id": product["id"]}).json()
    assert len(certificates) == 1


def parked_event(amqp_uri, service, event_id):
    with Connection(amqp_uri) as connection:
        for message in deadletters.parked(connection, service, 1000):
            if json.loads(message.body).get("id") == event_id:
                return {"headers": message.headers, "body": message.body}
    return None


def test_a_failing_event_is_retried_then_dead_lettered_not_lost(stack, amqp_uri):
    poison = events.new_event("evaluation", "evaluation.completed", "products/poison",
                              {"evaluation_id": "e-poison", "product_id": "p-poison"})
    publish(amqp_uri, poison)
    for service in ("certification", "registration", "notification"):
        parked = wait_until(lambda: parked_event(amqp_uri, service, poison["id"]), 30,
                            what=f"the poison event in dlq.{service}")
        assert parked["headers"][ATTEMPTS_HEADER] == 5
        assert "KeyError" in parked["headers"][ERROR_HEADER]
        assert parked["headers"][ORIGINAL_QUEUE_HEADER] == (
            f"evt-evaluation-evaluation.completed--{service}.on_evaluation_completed")
    dead = requests.get(stack.url("certification") + "/metrics", timeout=5).text
    assert re.search(r'ocop_dead_letters\{service="certification"\} [1-9]', dead)


def test_an_operator_replays_a_parked_event(api, amqp_uri, stack):
    """As the operator does it: from inside certification, with its own broker user."""
    product_id = str(uuid.uuid4())
    completed = events.new_event("evaluation", "evaluation.completed",
                                 f"products/{product_id}", {
                                     "evaluation_id": str(uuid.uuid4()),
                                     "product_id": product_id, "producer_id": "producer-x",
                                     "name": "Mật ong U Minh", "producer_name": "HTX U Minh",
                                     "category": "04", "province_code": "96", "level":
                                     "province", "score": 72.5, "stars": 4,
                                     "recognised": True, "rule_version": "26/2026"})
    queue_name = "evt-evaluation-evaluation.completed--certification.on_evaluation_completed"
    with get_producer(amqp_uri) as producer:
        producer.publish(events.encode(completed), exchange="", routing_key="dlq.certification",
                         content_type=events.CONTENT_TYPE, content_encoding="utf-8",
                         headers={ORIGINAL_QUEUE_HEADER: queue_name, ATTEMPTS_HEADER: 5,
                                  ERROR_HEADER: "store unavailable"}, delivery_mode=2)

    certification_uri = stack.amqp_uris["certification"]
    listed = subprocess.run([sys.executable, "-m", "chassis.deadletters", "list", "--service",
                             "certification", "--amqp-uri", certification_uri],
                            capture_output=True, text=True, check=True)
    assert completed["id"] in listed.stdout
    assert api.get("/certificates", params={"product_id": product_id}).json() == []

    subprocess.run([sys.executable, "-m", "chassis.deadletters", "replay", "--service",
                    "certification", "--amqp-uri", certification_uri], check=True,
                   capture_output=True)
    issued = wait_until(lambda: api.get("/certificates", params={"product_id": product_id})
                        .json(), what="the replayed event's certificate")
    assert issued[0]["stars"] == 4 and issued[0]["code"].startswith("OCOP-96-")
    assert parked_event(amqp_uri, "certification", completed["id"]) is None


def test_a_message_that_is_not_an_event_is_parked_and_consuming_goes_on(api, amqp_uri,
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
    producer, product = certified_product(api)  # the consumers are still at work
    assert product["certificate_code"]
