"""No command runs after its caller was told it failed: an RPC request expires with its
caller's timeout, in the queue (the broker) and on delivery (the service), and the gateway
answers 503 with Retry-After. A reply that cannot be sent does not stop the service."""
import json
import subprocess
import sys
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from kombu import Connection, Exchange, Queue
from nameko.amqp.publish import get_producer
from prometheus_client.parser import text_string_to_metric_families

from chassis.identity import CONTEXT_KEY, Identity
from chassis.rpc import DEADLINE_HEADER, BoundedCalls, NoAnswer, OwnReplyListener, reply_key
from tests.conftest import UNLIMITED, Api, gateway_of_its_own, wait_until
from tests.e2e.journeys import producer_registration
from tests.e2e.test_bad_input import assert_problem

ROOT = Path(__file__).resolve().parents[2]
RPC = Exchange("nameko-rpc", type="topic", durable=True, no_declare=True)


def metric(stack, service, name, **labels):
    text = requests.get(stack.ops_url(service) + "/metrics", timeout=5).text
    return sum(sample.value for family in text_string_to_metric_families(text)
               for sample in family.samples
               if sample.name == name and labels.items() <= sample.labels.items())


def reply_queue(channel, exchange=RPC):
    """A queue for the replies of a caller named ``tester``, and its reply key."""
    key = reply_key("tester", uuid.uuid4())
    queue = Queue(f"replies-{key}", exchange=exchange, routing_key=key, exclusive=True)(channel)
    queue.declare()
    return queue, key


def send_request(amqp_uri, routing_key, reply_to, args=(), exchange=RPC, headers=None):
    with get_producer(amqp_uri) as producer:
        producer.publish(json.dumps({"args": list(args), "kwargs": {}}), exchange=exchange,
                         routing_key=routing_key, reply_to=reply_to,
                         correlation_id=str(uuid.uuid4()), content_type="application/json",
                         headers=headers or {})


def test_a_call_that_gets_no_answer_leaves_a_request_that_expires_with_it(stack, amqp_uri):
    """A service that never answers: the call raises NoAnswer and stops waiting for the
    reply; its request, still queued, is expired by the broker (which dead-letters it here
    to show it) and carries the deadline the service would check."""
    silent = f"silent{uuid.uuid4().hex[:8]}"
    expired = Queue(f"expired-{silent}", durable=False)
    queued = Queue(f"rpc-{silent}", exchange=RPC, routing_key=f"{silent}.*", durable=False,
                   queue_arguments={"x-dead-letter-exchange": "",
                                    "x-dead-letter-routing-key": expired.name})
    with Connection(amqp_uri) as connection:
        channel = connection.channel()
        expired, queued = expired(channel), queued(channel)
        expired.declare()
        queued.declare()
        try:
            listener = OwnReplyListener()
            listener.routing_key = reply_key("tester", uuid.uuid4())
            worker = SimpleNamespace(container=SimpleNamespace(config={"AMQP_URI": amqp_uri}),
                                     context_data={CONTEXT_KEY: "the caller"})
            called = datetime.now(timezone.utc)
            with pytest.raises(NoAnswer, match=rf"{silent}\.close gave no answer within 0\.3s"):
                BoundedCalls(worker, silent, listener, 0.3, {}).close("e-1")
            assert listener._reply_events == {}  # nobody waits for that reply any more

            request = wait_until(lambda: expired.get(no_ack=True), seconds=5,
                                 what="the request to expire")
            assert json.loads(request.body)["args"] == ["e-1"]
            assert request.headers["x-death"][0]["reason"] == "expired"
            assert request.headers["x-death"][0]["original-expiration"] == "300"
            deadline = datetime.fromisoformat(request.headers[DEADLINE_HEADER])
            assert called + timedelta(seconds=0.3) <= deadline <= called + timedelta(seconds=1)
            assert request.headers[f"nameko.{CONTEXT_KEY}"] == "the caller"
        finally:
            queued.delete()
            expired.delete()


def test_a_request_delivered_after_its_deadline_is_dropped_unexecuted(stack, amqp_uri, api):
    """The broker does not expire a request already delivered to a consumer (its prefetch):
    the service checks the deadline itself, and neither runs nor answers a late request."""
    registration = producer_registration()
    expired_before = metric(stack, "registration", "ocop_expired_rpc_requests_total",
                            method="register_producer")
    with Connection(amqp_uri) as connection:
        replies, key = reply_queue(connection.channel())
        late = datetime.now(timezone.utc) - timedelta(seconds=1)
        send_request(amqp_uri, "registration.register_producer", key, [registration],
                     headers={f"nameko.{CONTEXT_KEY}": Identity.anonymous("127.0.0.1")
                              .to_context(), DEADLINE_HEADER: late.isoformat()})
        wait_until(lambda: metric(stack, "registration", "ocop_expired_rpc_requests_total",
                                  method="register_producer") == expired_before + 1,
                   what="registration to drop the late request")
        assert replies.get(no_ack=True) is None
    # Had the request run, its tax code would now be taken (409).
    assert api.post("/producers", registration).status_code == 201


@pytest.fixture(scope="module")
def impatient(amqp_uri, mongo_uri, issuer, stack, tmp_path_factory):
    """A gateway of its own, whose calls give up after a second."""
    with gateway_of_its_own(amqp_uri, mongo_uri, tmp_path_factory.mktemp("logs"), {
            **issuer.gateway_settings(), **UNLIMITED, "RPC_TIMEOUT_SECONDS": "1"}) as url:
        yield url


def test_a_command_answered_503_is_not_carried_out_when_its_service_returns(
        impatient, api, stack):
    registration = producer_registration()
    try:
        stack.kill("registration")
        refused = Api(impatient).post("/producers", registration)
        assert_problem(refused, 503)
        assert int(refused.headers["Retry-After"]) > 0
    finally:
        stack.start("registration").wait_ready(names=["registration"])
    # Had the command run when registration came back, its tax code would be taken (409).
    assert api.post("/producers", registration).status_code == 201


@pytest.fixture
def reply_probe(amqp_uri, tmp_path):
    """tests/integration/reply_probe.py as a process, on an exchange of its own."""
    exchange = Exchange(f"rpc-{uuid.uuid4().hex[:8]}", type="topic", durable=False)
    config = tmp_path / "config.yaml"
    config.write_text(f"AMQP_URI: '{amqp_uri}'\nrpc_exchange: {exchange.name}\n")
    log = tmp_path / "reply_probe.log"
    with Connection(amqp_uri) as connection:
        channel = connection.channel()
        exchange(channel).declare()
        requests_queue = Queue("rpc-replyprobe", exchange=exchange, routing_key="replyprobe.*",
                               durable=True)(channel)
        requests_queue.declare()  # as the probe declares it, so that it can be counted now
        with open(log, "wb") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "nameko", "run", "--config", str(config),
                 "tests.integration.reply_probe"], cwd=ROOT, stdout=output,
                stderr=subprocess.STDOUT)
        try:
            wait_until(lambda: consumers(requests_queue), what="the probe to consume")
            yield SimpleNamespace(process=process, log=log, exchange=exchange,
                                  channel=channel, requests=requests_queue)
        finally:
            process.terminate()
            process.wait(15)
            requests_queue.delete()
            exchange(channel).delete()


def consumers(queue):
    return queue.queue_declare(passive=True).consumer_count


def test_a_reply_that_cannot_be_sent_does_not_stop_the_service(amqp_uri, reply_probe):
    """The broker refuses the reply (its exchange is gone): the service logs it,
    acknowledges the request (it has run: run again, it would repeat its command) and
    goes on serving."""
    replies, key = reply_queue(reply_probe.channel, reply_probe.exchange)
    send_request(amqp_uri, "replyprobe.vanish", key, exchange=reply_probe.exchange)
    wait_until(lambda: "could not send the reply to replyprobe.vanish"
               in reply_probe.log.read_text(), what="the failed reply to be logged")
    assert reply_probe.process.poll() is None

    reply_probe.exchange(reply_probe.channel).declare()  # back, with its bindings
    reply_probe.requests.queue_bind()
    replies.queue_bind()
    send_request(amqp_uri, "replyprobe.ping", key, exchange=reply_probe.exchange)
    answer = wait_until(lambda: replies.get(no_ack=True), what="the probe's answer")
    assert json.loads(answer.body) == {"result": "pong", "error": None}

    reply_probe.process.terminate()
    reply_probe.process.wait(15)
    # Unacknowledged, the request would be back in the queue now that its consumer is gone.
    assert reply_probe.requests.queue_declare(passive=True).message_count == 0
