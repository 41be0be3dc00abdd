"""The services' durable queues on the real RabbitMQ: quorum queues with a delivery limit,
declared up front (an event published before its consumer ever ran waits for it), an
earlier release's classic queues kept until the operator migrates them, messages and all.
Each test has a vhost of its own, provisioned as ``scripts.broker`` does."""
import json
import os
import subprocess
import sys
import uuid

import pytest
from kombu import Connection, Queue

from chassis import brokers, events
from chassis.handlers import consumer_queue, dead_letter_queue, retry_queue
from chassis.queues import DELIVERY_LIMIT, supports_quorum
from scripts import broker, devstack
from tests.conftest import TEST_VHOST, publish, wait_until

SERVICE = "notification"
QUEUE = consumer_queue(SERVICE, "on_product_submitted", "registration", "product.submitted")
RETRY = retry_queue(SERVICE, QUEUE.name)
PARKED = dead_letter_queue(SERVICE)


@pytest.fixture(autouse=True)
def quorum_queues(monkeypatch):
    """The shape under test: the suite's own default is classic (tests/conftest.py)."""
    monkeypatch.setenv("EVENT_QUEUE_TYPE", "quorum")


@pytest.fixture
def vhost_uri(request):
    base = os.environ.get("AMQP_URI", devstack.DEFAULT_AMQP_URI)
    if not broker.administers_locally(base):
        pytest.skip("needs a broker this machine administers with rabbitmqctl")
    vhost = f"{TEST_VHOST}-{request.node.name[:40]}"
    uri = devstack.ensure_vhost(base, vhost, fresh=True)
    with Connection(uri) as connection:
        if not supports_quorum(connection.default_channel.connection
                               .server_properties["version"]):
            pytest.skip("this RabbitMQ has no quorum queues")
    yield uri
    devstack.drop_vhost(base, vhost)


def queue_types(uri):
    listed = subprocess.run(
        ["rabbitmqctl", "-q", "list_queues", "-p", broker.vhost_of(uri), "name", "type"],
        capture_output=True, text=True, check=True).stdout.splitlines()
    return dict(line.split("\t") for line in listed[1:])


def depth(uri, queue):
    with Connection(uri) as connection:
        return connection.default_channel.queue_declare(queue.name, passive=True).message_count


def submitted():
    return events.new_event("registration", "product.submitted", f"products/{uuid.uuid4()}",
                            {"product_id": str(uuid.uuid4())})


def deadletters(uri, *arguments):
    return subprocess.run(
        [sys.executable, "-m", "chassis.deadletters", *arguments, "--service", SERVICE,
         "--amqp-uri", uri], capture_output=True, text=True, timeout=60, cwd=devstack.ROOT)


def test_a_message_that_keeps_killing_its_consumer_is_dead_lettered_and_replayable(vhost_uri):
    broker.declare_topology(vhost_uri)
    types = queue_types(vhost_uri)
    assert (types[QUEUE.name], types[RETRY.name], types[PARKED.name]) == (
        "quorum", "quorum", "classic")
    event = submitted()
    publish(vhost_uri, event)
    with Connection(vhost_uri) as connection:
        # A consumer that dies holding the message, each time it is delivered.
        for delivery in range(DELIVERY_LIMIT + 1):
            channel = connection.channel()
            message = channel.basic_get(QUEUE.name)
            assert message is not None, f"delivery {delivery + 1} never came"
            assert json.loads(message.body)["id"] == event["id"]
            channel.close()
        assert connection.channel().basic_get(QUEUE.name) is None
    assert depth(vhost_uri, PARKED) == 1

    listed = deadletters(vhost_uri, "list")
    assert listed.returncode == 0, listed.stderr
    [line] = [json.loads(line) for line in listed.stdout.splitlines()]
    assert (line["id"], line["queue"]) == (event["id"], QUEUE.name)
    assert "delivery limit" in line["error"]

    replayed = deadletters(vhost_uri, "replay", event["id"])
    assert replayed.returncode == 0, replayed.stderr
    assert depth(vhost_uri, PARKED) == 0
    with Connection(vhost_uri) as connection:
        message = connection.default_channel.basic_get(QUEUE.name, no_ack=True)
    assert json.loads(message.body)["id"] == event["id"]
    assert not {"x-death", "x-first-death-reason"} & set(message.headers or {}), \
        "a replay starts afresh"


def earlier_release(uri):
    """The topology as the release before quorum queues declared it: classic queues."""
    with Connection(uri) as connection:
        channel = connection.default_channel
        broker.declare_topology_exchanges(channel)
        for queue in broker.consumer_queues():
            classic = Queue(queue.name, durable=True, bindings=queue.bindings,
                            exchange=queue.exchange, routing_key=queue.routing_key,
                            queue_arguments=getattr(queue, "classic_arguments", None))
            classic(channel).declare()


def test_classic_queues_are_kept_until_migrated_with_their_messages(vhost_uri):
    earlier_release(vhost_uri)
    waiting, parked = submitted(), submitted()
    publish(vhost_uri, waiting)
    with Connection(vhost_uri) as connection:
        connection.Producer().publish(events.encode(parked), exchange=PARKED.exchange,
                                      routing_key=PARKED.name,
                                      content_type=events.CONTENT_TYPE)

    # The new release's provisioning and services declare them all the same.
    broker.declare_topology(vhost_uri)
    assert set(queue_types(vhost_uri).values()) == {"classic"}

    with Connection(vhost_uri) as connection, connection.Consumer(
            [Queue(QUEUE.name, no_declare=True)], callbacks=[], accept=["json"]):
        with pytest.raises(broker.StillConsumed, match=QUEUE.name):
            broker.migrate_queues(vhost_uri, report=lambda line: None)
    assert queue_types(vhost_uri)[QUEUE.name] == "classic"

    broker.migrate_queues(vhost_uri, report=lambda line: None)
    classic = {name for name, kind in queue_types(vhost_uri).items() if kind == "classic"}
    assert classic == {dead_letter_queue(service).name for service in brokers.SERVICES}
    assert depth(vhost_uri, QUEUE) == 1 and depth(vhost_uri, PARKED) == 1
    publish(vhost_uri, submitted())
    assert depth(vhost_uri, QUEUE) == 2, "the quorum queue has the classic one's bindings"
    assert broker.migrate_queues(vhost_uri, report=lambda line: None) == []
    broker.declare_topology(vhost_uri)


def test_a_retry_expires_back_into_its_quorum_consumer_queue(vhost_uri):
    broker.declare_topology(vhost_uri)
    with Connection(vhost_uri) as connection:
        connection.Producer().publish(events.encode(submitted()), exchange=RETRY.exchange,
                                      routing_key=RETRY.name, expiration=0.2,
                                      content_type=events.CONTENT_TYPE)
    wait_until(lambda: depth(vhost_uri, QUEUE) == 1, 10, what="the retry to come back")
    assert depth(vhost_uri, RETRY) == 0
