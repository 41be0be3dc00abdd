"""The outbox relay against the real broker and store: an event leaves its aggregate's
outbox only once the broker has acknowledged it. Refused (nacked), returned unroutable,
or in flight when the process is killed, it stays and is published again."""
import json
import os
import signal
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
from kombu import Connection, Exchange, Queue
from prometheus_client import REGISTRY
from pymongo import MongoClient

from chassis import events, outbox, outboxes
from scripts import devstack
from tests.conftest import wait_until

ROOT = Path(__file__).resolve().parents[2]
SERVICE = "relayprobe"
EVENT = "thing.happened"
EXCHANGE = Exchange(f"{SERVICE}.events", type="topic", durable=True)


@pytest.fixture(scope="module")
def relay_amqp_uri():
    """A vhost of these tests' own: no topology but what each test declares."""
    base = os.environ.get("AMQP_URI", devstack.DEFAULT_AMQP_URI)
    vhost = f"ocop-relay-{os.getpid()}"
    yield devstack.ensure_vhost(base, vhost, fresh=True)
    devstack.drop_vhost(base, vhost)


@pytest.fixture
def database(mongo_uri):
    client = MongoClient(mongo_uri)
    name = f"relay_{uuid.uuid4().hex[:8]}"
    yield client[name]
    client.drop_database(name)
    client.close()


@pytest.fixture
def broker(relay_amqp_uri):
    with Connection(relay_amqp_uri) as connection:
        channel = connection.channel()
        EXCHANGE(channel).declare()
        declared = []

        def bound_queue(routing_key=EVENT, **arguments):
            queue = Queue(f"relay-test-{uuid.uuid4().hex[:8]}", exchange=EXCHANGE,
                          routing_key=routing_key, durable=True,
                          queue_arguments=arguments)(channel)
            queue.declare()
            declared.append(queue)
            return queue
        yield bound_queue
        for queue in declared:
            queue.delete()


def write_events(collection, count, name=EVENT):
    """``count`` aggregates, each with one event in its outbox: the events."""
    written = [events.new_event(SERVICE, name, f"things/{n}", {"n": n}) for n in range(count)]
    collection.insert_many([outbox.new_document({"_id": f"thing-{n}"}, [event])
                            for n, event in enumerate(written)])
    outbox.prepare(collection)
    return written


def relay_of(database, amqp_uri, **options):
    return outbox.Relay(SERVICE, database, ["aggregates"], amqp_uri, EXCHANGE, **options)


def pending_ids(collection):
    return {event_id for document in collection.find({outbox.PENDING: {"$gt": 0}})
            for event_id in document["outbox"]}


def queued_ids(queue):
    """The event ids of every message in ``queue``, taking them out; repeats included."""
    found = []
    while (message := queue.get(no_ack=True)) is not None:
        found.append(json.loads(message.body)["id"])
    return found


def refused(reason):
    return REGISTRY.get_sample_value("ocop_outbox_refused_total",
                                     {"service": SERVICE, "reason": reason}) or 0


def test_acknowledged_events_leave_the_outbox_and_reach_the_queue(database, relay_amqp_uri,
                                                                  broker):
    queue = broker()
    written = write_events(database.aggregates, 600)
    relay = relay_of(database, relay_amqp_uri, window=50)
    try:
        assert relay.relay_pending() == 600
    finally:
        relay.close()
    assert pending_ids(database.aggregates) == set()
    assert database.aggregates.count_documents({outbox.PENDING: 0}) == 600
    assert sorted(queued_ids(queue)) == sorted(event["id"] for event in written)


def test_a_returned_event_stays_pending_and_the_operator_sees_it(database, relay_amqp_uri,
                                                                  broker, capsys):
    """No queue is bound for the event (a broker provisioned wrong): the broker returns it;
    it stays in the outbox, counted and shown, and goes out once a queue is bound."""
    [event] = write_events(database.aggregates, 1)
    returned_before = refused("returned")
    relay = relay_of(database, relay_amqp_uri, unroutable_retry=3600)
    try:
        assert relay.relay_pending() == 0
        assert pending_ids(database.aggregates) == {event["id"]}
        assert refused("returned") == returned_before + 1
        assert REGISTRY.get_sample_value("ocop_outbox_unroutable", {"service": SERVICE}) == 1
        mark = database.aggregates.find_one()[outbox.UNROUTABLE][event["id"]]
        assert (mark["returns"], mark["routing_key"]) == (1, EVENT)

        outboxes.status(database, ["aggregates"], 10, sys.stdout)
        summary, line = [json.loads(text) for text in capsys.readouterr().out.splitlines()]
        assert (summary["pending"], summary["unroutable"]) == (1, 1)
        assert (line["id"], line["returns"], line["routing_key"]) == (event["id"], 1, EVENT)

        queue = broker()
        assert relay.relay_pending() == 0  # returned too recently to try again
        relay.unroutable_retry = 0
        assert relay.relay_pending() == 1
    finally:
        relay.close()
    assert pending_ids(database.aggregates) == set()
    assert not database.aggregates.find_one().get(outbox.UNROUTABLE)
    assert queued_ids(queue) == [event["id"]]


def test_an_event_for_subscribers_only_is_not_kept_when_none_is_bound(database,
                                                                        relay_amqp_uri):
    """Published without ``mandatory``: with no agency's queue bound, the broker drops it
    and the relay takes it out of the outbox (notification's delivery reports)."""
    write_events(database.aggregates, 3, name="thing.reported")
    relay = relay_of(database, relay_amqp_uri, subscribers_only=["thing.reported"])
    try:
        assert relay.relay_pending() == 3
    finally:
        relay.close()
    assert pending_ids(database.aggregates) == set()


def test_a_nacked_event_stays_pending(database, relay_amqp_uri, broker):
    """The only queue bound is full and refuses publishes: the broker nacks each event,
    and each stays in the outbox until the queue takes it."""
    queue = broker(**{"x-max-length": 1, "x-overflow": "reject-publish"})
    EXCHANGE(queue.channel).publish(queue.channel.prepare_message(b"{}"),
                                    routing_key=EVENT)
    wait_until(lambda: queue.queue_declare(passive=True).message_count == 1)
    written = write_events(database.aggregates, 5)
    nacked_before = refused("nacked")
    relay = relay_of(database, relay_amqp_uri)
    try:
        assert relay.relay_pending() == 0
        assert pending_ids(database.aggregates) == {event["id"] for event in written}
        assert refused("nacked") == nacked_before + 5

        queue.purge()
        assert relay.relay_pending() == 1  # room for one: the others are nacked again
    finally:
        relay.close()
    [taken] = queued_ids(queue)
    assert pending_ids(database.aggregates) == {event["id"] for event in written} - {taken}


def test_a_channel_lost_mid_window_leaves_the_unconfirmed_events_pending(
        database, relay_amqp_uri, broker):
    """The broker closes the relay's channel while publishes are in flight (its exchange
    deleted under it): the pass fails, every event taken out of the outbox is in the
    queue, and the next pass, on a new connection, publishes the rest."""
    queue = broker()
    written = {event["id"] for event in write_events(database.aggregates, 3000)}
    relay = relay_of(database, relay_amqp_uri, window=64)
    failures = []

    def relay_in_background():
        try:
            relay.relay_pending()
        except Exception as exc:  # what the test looks at
            failures.append(exc)
    thread = threading.Thread(target=relay_in_background)
    thread.start()
    try:
        wait_until(lambda: queue.queue_declare(passive=True).message_count >= 300,
                   seconds=60, interval=0.01, what="the relay to publish")
        EXCHANGE(queue.channel).delete()
    finally:
        thread.join(60)
    assert [type(failure).__name__ for failure in failures] == ["NotFound"]
    left = pending_ids(database.aggregates)
    assert left, "the relay finished before its channel was lost: nothing was tested"
    published = queued_ids(queue)
    assert written - left <= set(published)

    EXCHANGE(queue.channel).declare()
    queue.bind_to(EXCHANGE, routing_key=EVENT)
    try:
        while relay.relay_pending():
            pass
    finally:
        relay.close()
    published += queued_ids(queue)
    assert not pending_ids(database.aggregates)
    assert set(published) == written


def start_probe(amqp_uri, mongo_uri, db_name, config, log):
    config.write_text(f"AMQP_URI: '{amqp_uri}'\nMONGO_URI: '{mongo_uri}'\n"
                      f"MONGO_DB: {db_name}\nOUTBOX_POLL_SECONDS: 0.2\n"
                      "OUTBOX_CONFIRM_WINDOW: 64\n")
    with open(log, "ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "nameko", "run", "--config", str(config),
             "tests.integration.relay_probe"], cwd=ROOT, stdout=output,
            stderr=subprocess.STDOUT)


def test_killed_mid_window_nothing_is_lost_and_nothing_left_without_its_ack(
        database, mongo_uri, relay_amqp_uri, broker, tmp_path):
    """The relay's process is killed (SIGKILL) while publishes are in flight: every event
    taken out of the outbox is in the queue (none removed without its ack); started
    again, it publishes the rest, so every event is published at least once."""
    queue = broker()
    written = {event["id"] for event in write_events(database.aggregates, 3000)}
    config, log = tmp_path / "config.yaml", tmp_path / "probe.log"
    probe = start_probe(relay_amqp_uri, mongo_uri, database.name, config, log)
    try:
        wait_until(lambda: queue.queue_declare(passive=True).message_count >= 300,
                   seconds=60, interval=0.01, what="the probe to publish")
        probe.send_signal(signal.SIGKILL)
        probe.wait(10)
    finally:
        probe.kill()
    left = pending_ids(database.aggregates)
    assert left, "the relay finished before it was killed: nothing was tested"
    published = queued_ids(queue)
    assert written - left <= set(published)

    probe = start_probe(relay_amqp_uri, mongo_uri, database.name, config, log)
    try:
        wait_until(lambda: not pending_ids(database.aggregates), seconds=90,
                   what="the restarted relay to empty the outbox")
    finally:
        probe.terminate()
        probe.wait(15)
    published += queued_ids(queue)
    assert set(published) == written
    print(f"{len(written)} events, {len(written) - len(left)} taken out before the kill, "
          f"{len(published) - len(written)} published twice")
