"""What an event consumer does when its store goes away or a message cannot be decoded,
and the operator's dead-letter tool on every kind of parked message: through a
notification process of its own, with its own broker vhost and its own MongoDB stand-in,
which the tests stop and start again."""
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid

import pytest
import requests
from kombu import Connection, Exchange, Queue
from nameko.amqp.publish import get_producer
from pymongo import MongoClient

from chassis import brokers, deadletters, events
from chassis.handlers import ATTEMPTS_HEADER, ERROR_HEADER, ORIGINAL_QUEUE_HEADER, \
    consumer_queue, dead_letter_queue, requeue_exchange, retry_queue
from chassis.rpc import reply_key
from scripts import devstack
from tests.conftest import TEST_VHOST, publish, wait_until

SERVICE = "notification"
CONSUMER = "notification.on_product_submitted"
QUEUE = consumer_queue(SERVICE, "on_product_submitted", "registration", "product.submitted")
RPC_EXCHANGE = Exchange(brokers.RPC_EXCHANGE, type="topic", durable=True, no_declare=True)


class Alone:
    """A notification process alone on a vhost, with a store the tests may stop."""

    def __init__(self, stack, mongo, amqp_uri):
        self.stack, self.mongo, self.amqp_uri = stack, mongo, amqp_uri

    @property
    def database(self):
        return MongoClient(self.mongo.uri, serverSelectionTimeoutMS=5000)[f"alone_{SERVICE}"]

    def metric(self, name, **labels):
        text = requests.get(self.stack.ops_url(SERVICE) + "/metrics", timeout=5).text
        wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
        match = re.search(rf"^{name}{{{re.escape(wanted)}}} ([0-9.]+)$", text, re.MULTILINE)
        return float(match.group(1)) if match else 0.0

    def alive(self):
        return (self.stack.processes[SERVICE].poll() is None and requests.get(
            self.stack.ops_url(SERVICE) + "/livez", timeout=5).status_code == 200)

    def parked(self):
        """Each message in dlq.notification, oldest first: its message_id, headers, body."""
        with Connection(self.amqp_uri) as connection:
            # py-amqp hands over the body decoded where its content_encoding can.
            return [{"message_id": m.properties.get("message_id"), "headers": m.headers,
                     "body": m.body if isinstance(m.body, bytes) else m.body.encode()}
                    for m in deadletters.parked(connection, SERVICE, 1000)]

    def parked_as(self, message_id):
        return [m for m in self.parked() if m["message_id"] == message_id]

    def depth(self, queue):
        with Connection(self.amqp_uri) as connection:
            return queue(connection.default_channel).queue_declare(passive=True).message_count

    def delivered(self, event):
        """How many inbox messages ``event`` left for its producer."""
        return self.database.inbox.count_documents({
            "event": f"{event['source']}/{event['id']}",
            "recipient": f"producer:{event['data']['producer_id']}"})

    def deadletters(self, *arguments):
        """Run the operator's tool with notification's own broker credentials."""
        return subprocess.run(
            [sys.executable, "-m", "chassis.deadletters", *arguments, "--service", SERVICE,
             "--amqp-uri", self.stack.amqp_uris[SERVICE]],
            capture_output=True, text=True, timeout=60, cwd=devstack.ROOT,
            env={key: value for key, value in os.environ.items() if key != "PYTHONWARNINGS"})


@pytest.fixture(scope="module")
def alone(tmp_path_factory):
    base = os.environ.get("AMQP_URI", devstack.DEFAULT_AMQP_URI)
    vhost = f"{TEST_VHOST}-alone"
    amqp_uri = devstack.ensure_vhost(base, vhost, fresh=True)
    if amqp_uri == base:
        pytest.skip("needs a vhost of its own, which only a broker administered here gives: "
                    "another notification on the same queues would take the events")
    directory = tmp_path_factory.mktemp("alone")
    mongo = devstack.MongoStandIn(directory / "mongo", devstack.free_port(),
                                  directory / "nx.log").start()
    stack = devstack.Stack(
        amqp_uri, mongo.uri, ports={"gateway": devstack.free_port()},
        ops_ports={SERVICE: devstack.free_port()}, db_prefix="alone_",
        log_dir=directory / "logs", extra_env={"EVENT_RETRY_BASE_SECONDS": "0.05"})
    try:
        stack.start(SERVICE).wait_ready(60)
        yield Alone(stack, mongo, amqp_uri)
    finally:
        stack.stop()
        mongo.stop()
        devstack.drop_vhost(base, vhost)


def submitted():
    product = str(uuid.uuid4())
    return events.new_event("registration", "product.submitted", f"products/{product}", {
        "product_id": product, "producer_id": str(uuid.uuid4()),
        "producer_name": "HTX Nông nghiệp Phú Tân", "name": "Gạo thơm Phú Tân",
        "category": "01", "province_code": "91", "kind": "first", "proposed_on": "2026-11-30",
        "commune_code": "30406", "product_code": "91-30406-1-2026"})


def publish_raw(amqp_uri, body, content_type, message_id=None):
    """A message on the queue's exchange and key that no relay would have published."""
    with get_producer(amqp_uri) as producer:
        producer.publish(body, exchange="registration.events", routing_key="product.submitted",
                         content_type=content_type, content_encoding="utf-8",
                         message_id=message_id, delivery_mode=2, retry=True)


def test_a_store_outage_stops_no_consumer_and_the_event_is_handled_once_it_is_back(alone):
    event = submitted()
    successes = {"service": SERVICE, "entrypoint": "on_product_submitted", "kind": "event",
                 "outcome": "success"}
    postponed_before = alone.metric("ocop_postponed_events_total", service=SERVICE,
                                    consumer=CONSUMER)
    alone.mongo.stop()
    try:
        publish(alone.amqp_uri, event)
        wait_until(lambda: alone.metric("ocop_postponed_events_total", service=SERVICE,
                                        consumer=CONSUMER) > postponed_before,
                   seconds=30, what="the event postponed while the store is away")
        assert alone.alive()
        assert not alone.stack.ready(SERVICE)  # /readyz says the store is away
        assert alone.parked() == []
    finally:
        alone.mongo.start()  # the same data directory and port

    wait_until(lambda: alone.delivered(event), seconds=30, what="the event handled")
    alone.stack.wait_ready(30, names=[SERVICE])
    wait_until(lambda: alone.depth(QUEUE) == alone.depth(retry_queue(SERVICE, QUEUE.name)) == 0,
               seconds=10, what="no delivery of it left")
    assert alone.delivered(event) == 1
    assert alone.database.processed_events.count_documents(
        {"consumer": CONSUMER, "event_id": event["id"]}) == 1
    assert alone.metric("ocop_entrypoint_calls_total", **successes) == 1  # ran once
    assert alone.parked() == []
    assert alone.alive()


@pytest.mark.parametrize("body, content_type, reason", [
    (b'{"id": "not JSON, cut short', events.CONTENT_TYPE,
     "undecodable application/cloudevents+json body: DecodeError: Unterminated string"),
    (b"product submitted", "text/plain",
     "undecodable text/plain body: ContentDisallowed: Refusing to deserialize untrusted "
     "content of type text/plain"),
])
def test_an_undecodable_message_is_parked_with_the_reason_and_consuming_goes_on(
        alone, body, content_type, reason):
    marker = str(uuid.uuid4())
    publish_raw(alone.amqp_uri, body, content_type, message_id=marker)
    [parked] = wait_until(lambda: alone.parked_as(marker),
                          what="the undecodable message in dlq.notification")
    assert parked["body"] == body
    assert parked["headers"][ATTEMPTS_HEADER] == 1
    assert parked["headers"][ERROR_HEADER].startswith(reason)
    assert parked["headers"][ORIGINAL_QUEUE_HEADER] == QUEUE.name
    event = submitted()
    publish(alone.amqp_uri, event)
    wait_until(lambda: alone.delivered(event), what="the next event handled")
    assert alone.alive()


def park_as_the_chassis_does(amqp_uri, event):
    """An event parked after its attempts ran out, as ``ReliableEventHandler.park`` leaves it."""
    with get_producer(amqp_uri) as producer:
        producer.publish(events.encode(event), exchange=requeue_exchange(SERVICE),
                         routing_key=dead_letter_queue(SERVICE).name,
                         content_type=events.CONTENT_TYPE, content_encoding="utf-8",
                         headers={ATTEMPTS_HEADER: 5, ORIGINAL_QUEUE_HEADER: QUEUE.name,
                                  ERROR_HEADER: "AutoReconnect: connection closed"},
                         delivery_mode=2, retry=True)


def lines(output):
    return [json.loads(line) for line in output.splitlines()]


def test_the_dead_letter_tool_lists_shows_replays_and_purges_any_body(alone):
    assert alone.deadletters("purge").returncode == 0  # what earlier tests parked
    a_list, not_json, event = [1, 2, 3], b"\xff\xfe not JSON", submitted()
    publish_raw(alone.amqp_uri, json.dumps(a_list), events.CONTENT_TYPE, message_id="a-list")
    wait_until(lambda: alone.parked_as("a-list"), what="the JSON list parked")
    publish_raw(alone.amqp_uri, not_json, events.CONTENT_TYPE, message_id="not-json")
    wait_until(lambda: alone.parked_as("not-json"), what="the bytes parked")
    park_as_the_chassis_does(alone.amqp_uri, event)
    wait_until(lambda: len(alone.parked()) == 3, what="the event parked")
    refused = {check: alone.metric("ocop_refused_events_total", service=SERVICE,
                                   consumer=CONSUMER, check=check)
               for check in ("envelope", "body")}

    listed = alone.deadletters("list")
    assert listed.returncode == 0, listed.stderr
    assert "Eventlet" not in listed.stdout + listed.stderr
    assert listed.stderr == "3 message(s) parked\n"
    first, second, third = lines(listed.stdout)
    assert first == {"index": 1, "body": "[1, 2, 3]", "content_type": events.CONTENT_TYPE,
                     "queue": QUEUE.name, "attempts": 1,
                     "error": "not a CloudEvent with source, id and type"}
    assert second["index"] == 2 and second["body"] == "\\xff\\xfe not JSON"
    assert second["error"].startswith("undecodable application/cloudevents+json body")
    assert {key: third[key] for key in ("index", "id", "type", "source", "attempts")} == {
        "index": 3, "id": event["id"], "type": event["type"], "source": event["source"],
        "attempts": 5}

    shown = alone.deadletters("show", "1")
    assert shown.returncode == 0 and "Eventlet" not in shown.stdout + shown.stderr
    assert json.loads(shown.stdout)["body"] == a_list
    shown = alone.deadletters("show", "not-json")  # by its message_id
    assert json.loads(shown.stdout)["body_text"] == "\\xff\\xfe not JSON"
    shown = json.loads(alone.deadletters("show", event["id"]).stdout)
    assert shown["body"] == event and shown["headers"][ATTEMPTS_HEADER] == 5
    missing = alone.deadletters("show", "9")
    assert missing.returncode == 1 and missing.stdout == ""
    assert missing.stderr == "error: no parked message '9' among the 3 fetched\n"

    replayed = alone.deadletters("replay", event["id"])
    assert replayed.returncode == 0 and replayed.stderr == "1 message(s) replayed\n"
    wait_until(lambda: alone.delivered(event), what="the replayed event handled")
    assert [m["message_id"] for m in alone.parked()] == ["a-list", "not-json"]

    # Replayed, they fail their checks again: parked anew, each refused once more.
    replayed = alone.deadletters("replay")
    assert replayed.returncode == 0 and replayed.stderr == "2 message(s) replayed\n"
    wait_until(lambda: all(alone.metric("ocop_refused_events_total", service=SERVICE,
                                        consumer=CONSUMER, check=check) == count + 1
                           for check, count in refused.items()), what="both refused again")
    wait_until(lambda: len(alone.parked()) == 2, what="both parked again")
    assert all(m["headers"][ATTEMPTS_HEADER] == 1 for m in alone.parked())

    purged = alone.deadletters("purge", "not-json")
    assert purged.returncode == 0 and purged.stderr == "1 message(s) purged\n"
    assert [m["message_id"] for m in alone.parked()] == ["a-list"]
    assert alone.deadletters("purge").stderr == "1 message(s) purged\n"
    emptied = alone.deadletters("list")
    assert (emptied.stdout, emptied.stderr) == ("", "0 message(s) parked\n")


def test_a_consumer_started_late_and_without_its_store_gets_what_was_published_before(
        tmp_path):
    """Provisioning declares every consumer's queue, so an event published before its
    consumer ever started waits for it; a consumer started while its store is away keeps
    running, not ready, and handles the event once the store is there."""
    base = os.environ.get("AMQP_URI", devstack.DEFAULT_AMQP_URI)
    vhost = f"{TEST_VHOST}-late"
    amqp_uri = devstack.ensure_vhost(base, vhost, fresh=True)
    if amqp_uri == base:
        pytest.skip("needs a vhost of its own, which only a broker administered here gives")
    store_port = devstack.free_port()  # where the store will be, once started
    stack = devstack.Stack(
        amqp_uri, f"mongodb://127.0.0.1:{store_port}", ports={"gateway": devstack.free_port()},
        ops_ports={SERVICE: devstack.free_port()}, db_prefix="late_", log_dir=tmp_path / "logs",
        extra_env={"EVENT_RETRY_BASE_SECONDS": "0.05"})
    mongo = None
    try:
        stack.provision_broker()
        event = submitted()
        publish(amqp_uri, event)
        stack.start(SERVICE)

        def not_ready_for_the_store():
            response = requests.get(stack.ops_url(SERVICE) + "/readyz", timeout=5)
            return response.status_code == 503 and "store" in response.json()["problems"]
        wait_until(lambda: devstack.port_open("127.0.0.1", stack.ops_ports[SERVICE]), 60,
                   what="notification to serve its probes")
        assert not_ready_for_the_store()
        time.sleep(6)  # longer than a store lookup waits (serverSelectionTimeoutMS)
        assert stack.processes[SERVICE].poll() is None and not_ready_for_the_store()

        mongo = devstack.MongoStandIn(tmp_path / "mongo", store_port,
                                      tmp_path / "nx.log").start()
        stack.wait_ready(60, [SERVICE])
        inbox = MongoClient(mongo.uri)[f"late_{SERVICE}"].inbox
        wait_until(lambda: inbox.count_documents(
            {"event": f"{event['source']}/{event['id']}",
             "recipient": f"producer:{event['data']['producer_id']}"}) == 1, 30,
            what="the event published before notification ever started")
    finally:
        stack.stop()
        if mongo:
            mongo.stop()
        devstack.drop_vhost(base, vhost)


def test_the_probes_answer_while_every_worker_waits_for_a_frozen_store(alone):
    """The store frozen (SIGSTOP: connections open, no answer, so a store call waits
    without end) under more RPC requests than the process has workers: every worker
    waits, and /livez, /readyz and /metrics are answered all the same, from the operations
    server's own threads. Once the store thaws, the requests are answered."""
    workers = 10  # nameko's max_workers, which is also the RPC consumer's prefetch
    requests_queue = Queue(f"rpc-{SERVICE}", no_declare=True)
    replies = Queue(f"replies-{uuid.uuid4()}", exchange=RPC_EXCHANGE,
                    routing_key=reply_key("tester", uuid.uuid4()), exclusive=True)
    os.kill(alone.mongo.process.pid, signal.SIGSTOP)
    try:
        with Connection(alone.amqp_uri) as connection:
            replies = replies(connection.channel())
            replies.declare()

            def answered():
                return replies.queue_declare(passive=True).message_count
            with get_producer(alone.amqp_uri) as producer:
                for _ in range(workers + 5):
                    producer.publish(json.dumps({"args": [f"producer:{uuid.uuid4()}"],
                                                 "kwargs": {}}),
                                     exchange=RPC_EXCHANGE, routing_key=f"{SERVICE}.unread",
                                     reply_to=replies.routing_key,
                                     correlation_id=str(uuid.uuid4()),
                                     content_type="application/json")
            # The service holds as many as it has workers, each waiting on the store.
            wait_until(lambda: alone.depth(requests_queue) == 5, 30,
                       what="every worker to hold a request")
            time.sleep(1)
            assert alone.depth(requests_queue) == 5 and answered() == 0

            livez = requests.get(alone.stack.ops_url(SERVICE) + "/livez", timeout=5)
            assert livez.status_code == 200
            readyz = requests.get(alone.stack.ops_url(SERVICE) + "/readyz", timeout=10)
            assert readyz.status_code == 503 and "store" in readyz.json()["problems"]
            metrics = requests.get(alone.stack.ops_url(SERVICE) + "/metrics", timeout=10)
            assert metrics.status_code == 200 and "ocop_dead_letters" in metrics.text
            assert answered() == 0, "the workers were waiting all along"
            os.kill(alone.mongo.process.pid, signal.SIGCONT)
            wait_until(lambda: answered() == workers + 5, 60,
                       what="every request answered once the store thawed")
    finally:
        os.kill(alone.mongo.process.pid, signal.SIGCONT)
    alone.stack.wait_ready(30, [SERVICE])


def test_sigterm_makes_it_unready_then_bounds_the_work_in_flight_which_is_never_lost(alone):
    """On SIGTERM /readyz says so first; then in-flight work gets SHUTDOWN_SECONDS. A
    handler still waiting for its store by then is cut short, and its event, never
    acknowledged, is handled by the next process: once, neither lost nor done twice."""
    stack = alone.stack
    stack.stop(SERVICE)
    stack.start(SERVICE, env={"SHUTDOWN_DRAIN_SECONDS": "1", "SHUTDOWN_SECONDS": "1"})
    stack.wait_ready(60, [SERVICE])
    log = stack.log_dir / f"{SERVICE}.log"
    cut_short = "in-flight work did not finish within 1s"
    cut_before = log.read_text().count(cut_short)
    event = submitted()
    alone.mongo.stop()  # the handler waits up to 5 s for its store: work in flight
    try:
        publish(alone.amqp_uri, event)
        time.sleep(1)
        process = stack.processes.pop(SERVICE)
        process.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        # Answered beside the worker waiting for the absent store (chassis.web).
        readiness = requests.get(stack.ops_url(SERVICE) + "/readyz", timeout=5)
        assert (readiness.status_code, readiness.json()["problems"]) == (
            503, {"shutdown": "stopping"})
        process.wait(30)
    finally:
        alone.mongo.start()
    # Stopped after 1 s unready and 1 s for the work, not once the store lookup gave up.
    assert log.read_text().count(cut_short) == cut_before + 1
    stack.start(SERVICE).wait_ready(60, [SERVICE])
    wait_until(lambda: alone.delivered(event), seconds=30, what="the event handled")
    wait_until(lambda: alone.depth(QUEUE) == alone.depth(retry_queue(SERVICE, QUEUE.name)) == 0,
               seconds=10, what="no delivery of it left")
    assert alone.delivered(event) == 1
    assert alone.parked() == []


def test_every_service_started_without_its_store_runs_unready_then_prepares_its_store(tmp_path):
    """Each service's own preparation (certification's two, its milestone timer firing
    at start meanwhile) waits for the store as the chassis' do: the process keeps running,
    not ready, and is ready with its indexes once the store is there."""
    base = os.environ.get("AMQP_URI", devstack.DEFAULT_AMQP_URI)
    vhost = f"{TEST_VHOST}-unprepared"
    amqp_uri = devstack.ensure_vhost(base, vhost, fresh=True)
    if amqp_uri == base:
        pytest.skip("needs a vhost of its own, which only a broker administered here gives")
    services = ("registration", "evaluation", "certification", "notification")
    store_port = devstack.free_port()
    stack = devstack.Stack(
        amqp_uri, f"mongodb://127.0.0.1:{store_port}", ports={"gateway": devstack.free_port()},
        ops_ports={name: devstack.free_port() for name in services}, db_prefix="unprepared_",
        log_dir=tmp_path / "logs")
    mongo = None
    try:
        stack.provision_broker()
        for name in services:
            stack.start(name)

        def problems(name):
            try:
                response = requests.get(stack.ops_url(name) + "/readyz", timeout=5)
            except requests.RequestException:
                return None
            return response.json().get("problems") if response.status_code == 503 else []
        for name in services:
            wait_until(lambda name=name: problems(name), 60,
                       what=f"{name} to say it is not ready")
        time.sleep(6)  # longer than a store lookup waits (serverSelectionTimeoutMS)
        for name in services:
            assert stack.processes[name].poll() is None, name
            assert "store" in problems(name), name

        mongo = devstack.MongoStandIn(tmp_path / "mongo", store_port,
                                      tmp_path / "nx.log").start()
        stack.wait_ready(90, list(services))
        client = MongoClient(mongo.uri)

        def indexed(service, collection):
            return {tuple(k for k, _ in index["key"].items()) for index in
                    client[f"unprepared_{service}"][collection].list_indexes()}
        assert ("tax_code",) in indexed("registration", "producers")
        assert ("evaluation_id",) in indexed("certification", "certificates")
        assert ("province_code", "certificate_number") in indexed(
            "certification", "imported_certificates")
        for name in services:
            assert ("consumer", "source", "event_id") in indexed(name, "processed_events")
    finally:
        stack.stop()
        if mongo:
            mongo.stop()
        devstack.drop_vhost(base, vhost)
