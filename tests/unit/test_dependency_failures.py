"""Where a reliable handler sends a failed delivery: a dependency that is away postpones
it without using up an attempt; any other failure counts, and parks it at the last. A
broker gone while a message is settled stops nothing, and a call that met something away
is told from a fault of the code."""
import uuid
from types import SimpleNamespace

import pytest
from kombu.exceptions import OperationalError
from pymongo.errors import AutoReconnect, OperationFailure, ServerSelectionTimeoutError

from nameko.exceptions import RemoteError

from chassis.handlers import ATTEMPTS_HEADER, OUTAGES_HEADER, ReliableEventHandler, \
    consumer_queue, dead_letter_queue, retry_queue, settle
from chassis.rpc import NoAnswer, RequestsConsumer, reply_key, unavailable

QUEUE = consumer_queue("notification", "on_product_submitted", "registration",
                       "product.submitted")
RETRY, PARKED = retry_queue("notification", QUEUE.name).name, dead_letter_queue("notification").name


class Handler(ReliableEventHandler):
    """The handler's decisions, with what it forwards kept instead of published."""

    def __init__(self):  # no container: only what fail() reads
        self.container = SimpleNamespace(service_name="notification")
        self.method_name = "on_product_submitted"
        self.queue, self.max_attempts, self.retry_base_seconds = QUEUE, 5, 1.0
        self.retry_queue = retry_queue("notification", QUEUE.name)
        self.dead_letters = dead_letter_queue("notification")
        self.forwarded = []

    def forward(self, message, attempts, error, queue, extra_headers=None, **options):
        self.forwarded.append({"queue": queue.name, "attempts": attempts,
                               "outages": (extra_headers or {}).get(OUTAGES_HEADER),
                               "delay": options.get("expiration"), "error": error})


def failed(exc, **headers):
    handler = Handler()
    handler.fail(SimpleNamespace(headers=headers), exc)
    [forwarded] = handler.forwarded
    return forwarded


@pytest.mark.parametrize("away", [
    ServerSelectionTimeoutError("127.0.0.1:27017: [Errno 111] Connection refused"),
    AutoReconnect("connection closed"),
    OperationalError("[Errno 111] Connection refused"),
])
def test_a_dependency_away_postpones_without_using_up_an_attempt(away):
    # On its last attempt, a counted failure would park it.
    forwarded = failed(away, **{ATTEMPTS_HEADER: 4})
    assert (forwarded["queue"], forwarded["attempts"], forwarded["outages"]) == (RETRY, 4, 1)
    assert forwarded["error"] == f"{type(away).__module__}.{type(away).__name__}: {away}"


def test_the_postponement_backs_off_on_its_own_count_up_to_30_seconds():
    delays = [failed(AutoReconnect("closed"), **{OUTAGES_HEADER: outages})["delay"]
              for outages in range(8)]
    assert delays == [1, 2, 4, 8, 16, 30, 30, 30]


def test_other_store_errors_count_as_attempts_and_park_at_the_last():
    refused_write = OperationFailure("not authorized", code=13)
    assert failed(refused_write, **{ATTEMPTS_HEADER: 1}) == {
        "queue": RETRY, "attempts": 2, "outages": None, "delay": 2.0,
        "error": "pymongo.errors.OperationFailure: not authorized"}
    assert failed(refused_write, **{ATTEMPTS_HEADER: 4})["queue"] == PARKED


def test_settling_with_a_broker_gone_neither_raises_nor_stops_the_process():
    """An ack on a connection the broker reset (found by the fault suite: it stopped the
    service) is left undone: the broker delivers the message again."""
    def reset(message):
        raise ConnectionResetError(104, "Connection reset by peer")
    settle(reset, SimpleNamespace())


def test_settling_does_not_hide_a_fault_of_our_own():
    def broken(message):
        raise TypeError("a bug, not the broker")
    with pytest.raises(TypeError):
        settle(broken, SimpleNamespace())


@pytest.mark.parametrize("failure", [
    NoAnswer("registration.register_producer gave no answer within 5s"),
    OperationalError("[Errno 111] ECONNREFUSED"),  # the gateway's broker away
    RemoteError("ServerSelectionTimeoutError", "127.0.0.1:27017: Connection refused"),
    RemoteError("AutoReconnect", "connection closed"),  # the callee's store away
    RemoteError("NoAnswer", "evaluation.closing gave no answer"),  # the callee's callee
])
def test_a_call_that_met_something_away_is_unavailable_not_a_fault(failure):
    """The gateway answers these 503 with Retry-After, never 500."""
    assert unavailable(failure)


@pytest.mark.parametrize("failure", [
    RemoteError("KeyError", "'stage'"), RemoteError("OperationFailure", "not authorized"),
    TypeError("a bug")])
def test_a_fault_of_the_code_is_not_unavailability(failure):
    assert not unavailable(failure)


def test_a_request_the_broker_delivers_again_is_dropped_unexecuted():
    """Its first delivery may have run it before the process died: run again, a command
    would be done twice (the fault suite saw a product registered twice)."""
    consumer = RequestsConsumer()
    consumer.container = SimpleNamespace(service_name="registration")
    acknowledged = []
    consumer.queue_consumer = SimpleNamespace(ack_message=acknowledged.append)
    request = SimpleNamespace(
        properties={"reply_to": reply_key("gateway", uuid.uuid4()), "correlation_id": "c-1",
                    "content_type": "application/json"}, headers={},
        delivery_info={"routing_key": "registration.register_product", "redelivered": True})
    answered = []
    consumer.handle_result = lambda *outcome: answered.append(outcome)
    consumer.handle_message({"args": [], "kwargs": {}}, request)
    assert acknowledged == [request] and answered == []  # neither run nor answered
