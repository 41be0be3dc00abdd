"""The broker users of chassis.brokers, tried against the real RabbitMQ: what each may not
do is refused by the broker itself."""
import json
import os
import subprocess
import sys
import uuid

import pytest
from amqp.exceptions import AccessRefused
from kombu import Connection, Exchange, Queue

from chassis import brokers, events
from chassis.rpc import reply_key
from scripts import broker, devstack
from tests.conftest import TEST_VHOST, publish

AGENCY = "test-agency"


@pytest.fixture(scope="module")
def admin_uri():
    """A vhost of this module's own, apart from the running stack, whose queues would
    otherwise receive the requests these tests send."""
    base = os.environ.get("AMQP_URI", devstack.DEFAULT_AMQP_URI)
    if not broker.administers_locally(base):
        pytest.skip("needs a broker this machine administers with rabbitmqctl")
    vhost = f"{TEST_VHOST}-users"
    uri = devstack.ensure_vhost(base, vhost, fresh=True)
    broker.declare_topology(uri)
    yield uri
    devstack.drop_vhost(base, vhost)


@pytest.fixture(scope="module")
def users(admin_uri):
    """AMQP URIs of a user per process and of an agency, made for this module only."""
    local = broker.LocalUsers(admin_uri, {**brokers.grants(),
                                          "agency": brokers.agency_grant(AGENCY)})
    yield local.create()
    local.delete()


def send(uri, exchange, routing_key):
    """Publish with confirms on a connection of its own: a refusal closes the channel."""
    with Connection(uri, transport_options={"confirm_publish": True}) as connection:
        connection.Producer().publish("{}", exchange=exchange, routing_key=routing_key,
                                      content_type="application/json")


def event_of(service):
    return events.new_event(service, "product.submitted", f"products/{uuid.uuid4()}", {})


def test_a_service_publishes_on_its_own_exchange_only(users):
    send(users["registration"], brokers.events_exchange("registration"), "product.submitted")
    with pytest.raises(AccessRefused):
        send(users["registration"], brokers.events_exchange("evaluation"),
             "evaluation.completed")
    with pytest.raises(AccessRefused):
        send(users["certification"], brokers.requeue_exchange("registration"),
             "dlq.registration")


def test_no_service_reaches_a_queue_through_the_default_exchange(users):
    for service in brokers.SERVICES:
        with pytest.raises(AccessRefused):
            send(users[service], "", f"dlq.{service}")


def test_rpc_requests_only_where_granted(users):
    rpc = Exchange(brokers.RPC_EXCHANGE, type="topic", durable=True, no_declare=True)
    send(users["gateway"], rpc, "evaluation.list_categories")
    send(users["certification"], rpc, "evaluation.closing")
    send(users["evaluation"], rpc, reply_key("gateway", uuid.uuid4()))  # a reply
    with pytest.raises(AccessRefused):
        send(users["registration"], rpc, "evaluation.list_categories")
    with pytest.raises(AccessRefused):
        send(users["certification"], rpc, "evaluation.set_council")


def test_a_service_cannot_listen_to_another_services_calls(users):
    with Connection(users["notification"]) as connection:
        own = Queue("rpc-notification", exchange=Exchange(brokers.RPC_EXCHANGE, no_declare=True),
                    routing_key="registration.*", durable=True)
        with pytest.raises(AccessRefused):
            own(connection.channel()).declare()


def test_no_one_copies_the_replies_to_another_process(users):
    """A caller's replies (personal data among them) reach only the caller: the
    certification user may not bind the gateway's reply key to a queue of its own."""
    reply_id = uuid.uuid4()
    rpc = Exchange(brokers.RPC_EXCHANGE, no_declare=True)
    with Connection(users["certification"]) as connection:
        own = Queue(f"rpc.reply-certification-{reply_id}", exchange=rpc,
                    routing_key=reply_key("certification", reply_id), auto_delete=True)
        own(connection.channel()).declare()
        copy = Queue(f"rpc.reply-certification-{reply_id}", exchange=rpc,
                     routing_key=reply_key("gateway", uuid.uuid4()), auto_delete=True)
        with pytest.raises(AccessRefused):
            copy(connection.channel()).declare()


def test_the_gateway_publishes_no_event(users):
    for service in brokers.SERVICES:
        with pytest.raises(AccessRefused):
            send(users["gateway"], brokers.events_exchange(service), "product.submitted")


def test_the_gateway_follows_certifications_events_on_its_own_queue_only(users, admin_uri):
    """Each gateway process hears every certificate event (its read model) on an exclusive
    queue of its own; it may bind no other exchange, and no other queue name."""
    certification = Exchange(brokers.events_exchange("certification"), type="topic",
                             no_declare=True)
    following = Queue(f"{brokers.GATEWAY_FOLLOWING_QUEUE}{uuid.uuid4()}",
                      exchange=certification, routing_key="#", exclusive=True,
                      auto_delete=True)
    with Connection(users["gateway"]) as connection:
        feed = connection.SimpleQueue(following)
        event = events.new_event("certification", "certificate.revoked",
                                 f"products/{uuid.uuid4()}", {})
        publish(admin_uri, event)
        message = feed.get(timeout=10)
        assert events.decode(message.body)["id"] == event["id"]
        message.ack()
        feed.close()
    refusals = [
        lambda channel: Queue(f"{brokers.GATEWAY_FOLLOWING_QUEUE}{uuid.uuid4()}",
                              exchange=Exchange(brokers.events_exchange("registration"),
                                                no_declare=True),
                              routing_key="#", exclusive=True)(channel).declare(),
        lambda channel: Queue(f"gateway.spy-{uuid.uuid4()}", exchange=certification,
                              routing_key="#", exclusive=True)(channel).declare(),
        lambda channel: channel.basic_get("dlq.certification"),
        lambda channel: send(users["gateway"], certification, "certificate.revoked"),
    ]
    for refused in refusals:
        with Connection(users["gateway"]) as connection:
            with pytest.raises(AccessRefused):
                refused(connection.channel())


def test_an_agency_consumes_its_own_queue_and_nothing_else(users, admin_uri):
    source = Exchange(brokers.events_exchange("registration"), type="topic", no_declare=True)
    with Connection(users["agency"]) as connection:
        feed = connection.SimpleQueue(Queue(f"agency.{AGENCY}.products", exchange=source,
                                            routing_key="product.*", auto_delete=True))
        event = event_of("registration")
        publish(admin_uri, event)
        message = feed.get(timeout=10)
        assert events.decode(message.body)["id"] == event["id"]
        message.ack()
        feed.close()

    with Connection(admin_uri) as connection:  # another agency's queue, with an event in it
        Queue("agency.other.products", exchange=source, routing_key="#", durable=True)(
            connection.channel()).declare()
    publish(admin_uri, event_of("registration"))
    refusals = [
        lambda channel: channel.basic_get("agency.other.products"),
        lambda channel: Queue("agency.other.more", exchange=source, routing_key="#",
                              auto_delete=True)(channel).declare(),
        lambda channel: channel.basic_get("dlq.certification"),
        lambda channel: send(users["agency"], source, "product.submitted"),
        lambda channel: send(users["agency"], "", f"agency.{AGENCY}.products"),
    ]
    for refused in refusals:
        with Connection(users["agency"]) as connection:
            with pytest.raises(AccessRefused):
                refused(connection.channel())


def test_the_agency_command_prints_working_read_only_credentials(admin_uri):
    name = f"t{uuid.uuid4().hex[:8]}"
    created = subprocess.run([sys.executable, "-m", "scripts.broker", "agency", name,
                              "--amqp-uri", admin_uri], capture_output=True, text=True,
                             check=True)
    issued = json.loads(created.stdout)
    try:
        assert issued["queues"] == f"agency.{name}.*"
        uri = broker.with_credentials(admin_uri, issued["username"], issued["password"])
        with Connection(uri) as connection:
            Queue(f"agency.{name}.certificates", auto_delete=True, routing_key="#",
                  exchange=Exchange("certification.events", no_declare=True))(
                connection.channel()).declare()
        with pytest.raises(AccessRefused):
            send(uri, brokers.events_exchange("certification"), "certificate.issued")
    finally:
        broker.delete_locally([issued["username"]])
