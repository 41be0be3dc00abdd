"""Reliable, idempotent event handlers.

nameko acknowledges a message even when its handler raises. Here a failed delivery is
instead re-queued with exponential back-off through ``<queue>.retry`` (a queue whose
messages expire back into the handler's queue), and after ``EVENT_MAX_ATTEMPTS`` — or at
once for a permanent error such as invalid data — parked in ``dlq.<service>``, where an
operator can list and replay it (``python -m chassis.deadletters``). A message that never
gets that far — its consumer dies or loses the broker each time it is delivered — is
dead-lettered there by the broker itself, past its quorum queue's delivery limit
(``chassis.queues``).

Before a handler runs, the event must show it is what the queue promises: its ``source``
is ``/ocop/<service>`` of the exchange it arrived on, its ``type`` is the one the handler is
bound to, and its ``data`` keeps the publisher's contract (``services/<service>/contracts.py``).
Anything else — forged or malformed — is parked in ``dlq.<service>`` at once with the reason,
never applied, and counted in ``ocop_refused_events_total``.

All of that goes through the service's own direct exchange ``<service>.requeue``, to
which each of its consumer, retry and dead-letter queues is bound by its own name: a
service needs no right on the default exchange, which would reach every queue
(``chassis.brokers``). For the same reason a consumer never declares the source's
``<source>.events`` exchange; provisioning has declared it.

Each handled event is recorded under a unique (consumer, source, id), so a duplicate
delivery is acknowledged without running the handler again. Handlers keep their own
writes idempotent too (deterministic ids, state guards), which covers a crash between
the handler's write and the record.

A failure that says a dependency is away — the store unreachable (in the duplicate
check, the record, or the handler itself), the broker refusing a re-publish — is no
fault of the message: it is postponed through ``<queue>.retry`` with its own back-off,
not counted as an attempt and never dead-lettered for it, and the process lives on.
A message the broker will not take back is requeued after a pause (or, the connection
lost, delivered again by the broker).

Messages reach the handler undecoded: one whose body cannot be decoded (not JSON, or a
content type the service does not accept) is parked with the reason, where kombu
would have acknowledged and dropped it.
"""
import importlib
import logging
import traceback

import eventlet
from amqp.exceptions import AMQPError, MessageNacked, RecoverableConnectionError
from kombu import Exchange, binding
from kombu.exceptions import OperationalError
from marshmallow import ValidationError
from nameko.amqp.publish import get_producer
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.events import SERVICE_POOL, EventHandler
from nameko.extensions import SharedExtension
from nameko.messaging import QueueConsumer
from pymongo.errors import ConnectionFailure, DuplicateKeyError, PyMongoError

from chassis import brokers, events, queues
from chassis.errors import OcopError
from chassis.metrics import DUPLICATE_EVENTS, POSTPONED_EVENTS, REFUSED_EVENTS
from chassis.mongo import MongoDatabase
from chassis.retries import backoff

log = logging.getLogger(__name__)

ATTEMPTS_HEADER = "x-ocop-attempts"
ORIGINAL_QUEUE_HEADER = "x-ocop-original-queue"
ERROR_HEADER = "x-ocop-error"
# How many times the message was postponed because a dependency was away: its back-off.
OUTAGES_HEADER = "x-ocop-outages"
PERMANENT_ERRORS = (ValidationError, OcopError)
# The store or the broker unreachable: nothing the message did.
DEPENDENCY_AWAY = (ConnectionFailure, OperationalError, RecoverableConnectionError,
                   ConnectionError)
# What publishing can raise when the broker is away or will not take a message (a
# publisher confirm's nack: a full dead-letter queue).
BROKER_ERRORS = (OSError, OperationalError, AMQPError, MessageNacked)
OUTAGE_MAX_DELAY_SECONDS = 30.0
RETRY_MAX_DELAY_SECONDS = 300.0
# Bounded, where kombu's default retries forever and would hold the message with it.
REPUBLISH_RETRY_POLICY = {"max_retries": 3, "interval_start": 0.5, "interval_step": 1,
                          "interval_max": 2}
# The AMQP properties a message keeps wherever it is re-published (retry, park, replay).
KEPT_PROPERTIES = ("message_id", "correlation_id", "type", "app_id", "timestamp")


def kept_properties(message):
    return {name: message.properties[name] for name in KEPT_PROPERTIES
            if message.properties.get(name) is not None}


def settle(settling, message):
    """Acknowledge or requeue ``message`` with ``settling`` (the queue consumer's
    ``ack_message`` or ``requeue_message``). The broker gone meanwhile, it cannot be told,
    and need not be: it delivers an unsettled message again once a consumer is back. An
    error here would stop the whole process."""
    try:
        settling(message)
    except BROKER_ERRORS as exc:
        log.warning("could not settle a message with the broker (it will be delivered "
                    "again): %s", failure_text(exc))


def requeue_exchange(service_name):
    return Exchange(brokers.requeue_exchange(service_name), type="direct", durable=True)


def consumer_queue(service_name, method_name, source_service, event_type):
    """The queue of one event handler, as nameko names it, bound to the source's events
    exchange (never declared here: provisioning has) and to the requeue exchange."""
    name = f"evt-{source_service}-{event_type}--{service_name}.{method_name}"
    source = Exchange(brokers.events_exchange(source_service), type="topic", durable=True,
                      no_declare=True)
    return queues.consumer_queue(service_name, name, bindings=[
        binding(source, routing_key=event_type),
        binding(requeue_exchange(service_name), routing_key=name)])


def dead_letter_queue(service_name):
    return queues.dead_letter_queue(service_name, requeue_exchange(service_name))


def retry_queue(service_name, queue_name):
    return queues.retry_queue(service_name, queue_name, requeue_exchange(service_name))


class ProcessedEvents(SharedExtension):
    """The record of events each consumer of this service has handled."""

    def setup(self):
        self.mongo = MongoDatabase.of(self.container)

    @property
    def collection(self):
        # Extensions are set up concurrently: the database exists only once all are.
        return self.mongo.database["processed_events"]

    def start(self):
        self.mongo.prepare_when_reachable("the record of handled events", lambda: (
            self.collection.create_index(
                [("consumer", 1), ("source", 1), ("event_id", 1)], unique=True)))

    def seen(self, consumer, event):
        return self.collection.find_one(key(consumer, event), {"_id": 1}) is not None

    def record(self, consumer, event):
        try:
            self.collection.insert_one(
                {**key(consumer, event), "type": event.get("type"), "at": events.timestamp()})
        except DuplicateKeyError:
            pass


def is_event(body):
    return isinstance(body, dict) and all(isinstance(body.get(attribute), str)
                                          for attribute in ("source", "id", "type"))


def contract_of(source_service, event_type):
    """The marshmallow schema of ``event_type``'s data, as its publisher declares it."""
    module = f"services.{source_service}.contracts"
    try:
        published = getattr(importlib.import_module(module), "PUBLISHED", {})
    except ModuleNotFoundError as exc:
        if not module.startswith(exc.name):
            raise  # a module the contracts import is missing: that error, not this one
        published = {}
    if event_type not in published:
        raise LookupError(f"{source_service} publishes no contract for {event_type}: "
                          f"declare it in services/{source_service}/contracts.py")
    return published[event_type]


def refusal(event, source_service, event_type, contract):
    """Which check a CloudEvent fails on the queue of ``source_service``'s ``event_type``,
    and why; None if it may be handled."""
    source = f"/ocop/{source_service}"
    if event["source"] != source:
        return "source", f"source {event['source']!r} did not publish on {source_service}.events"
    expected = f"{events.TYPE_PREFIX}{event_type}{events.TYPE_VERSION}"
    if event["type"] != expected:
        return "type", f"type {event['type']!r} arrived where {expected!r} is consumed"
    errors = contract().validate(event.get("data"))
    if errors:
        return "data", f"data breaks the contract {contract.__name__}: {errors}"
    return None


def key(consumer, event):
    return {"consumer": consumer, "source": event["source"], "event_id": event["id"]}


class UndecodedQueueConsumer(QueueConsumer):
    """The reliable handlers' consumer, a connection apart from RPC's: it hands each
    delivery over with its body undecoded, for kombu would acknowledge and drop a body it
    cannot decode before any handler saw it."""

    def get_consumers(self, consumer_cls, channel):
        def undecoding(queues, callbacks, accept):
            [deliver] = callbacks  # this consumer's handle_message, bound to one handler
            # With on_message, kombu checks nothing and decodes nothing; ``accept`` is
            # still set on each message, for its decode() to enforce.
            return consumer_cls(queues=queues, accept=accept,
                                on_message=lambda message: deliver(message.body, message))
        return super().get_consumers(undecoding, channel)


class ReliableEventHandler(EventHandler):
    """Use as ``@handle_event("evaluation", "evaluation.completed")``; the handler
    receives the whole CloudEvent."""

    processed = ProcessedEvents()
    queue_consumer = UndecodedQueueConsumer()

    def __init__(self, source_service, event_type, **kwargs):
        super().__init__(source_service, event_type, handler_type=SERVICE_POOL,
                         reliable_delivery=True, requeue_on_error=False, **kwargs)

    def setup(self):
        super().setup()
        service_name = self.container.service_name
        # nameko's queue, of the same name, would declare the source's exchange.
        self.queue = consumer_queue(service_name, self.method_name, self.source_service,
                                    self.event_type)
        config = self.container.config
        self.amqp_uri = config[AMQP_URI_CONFIG_KEY]
        self.max_attempts = int(config.get("EVENT_MAX_ATTEMPTS", 5))
        self.retry_base_seconds = float(config.get("EVENT_RETRY_BASE_SECONDS", 1.0))
        self.retry_queue = retry_queue(service_name, self.queue.name)
        self.dead_letters = dead_letter_queue(service_name)
        self.contract = contract_of(self.source_service, self.event_type)

    @property
    def consumer(self):
        return f"{self.container.service_name}.{self.method_name}"

    def handle_message(self, undecoded_body, message):
        """Runs in a thread of its own, where an error would stop the process: each
        delivery ends acknowledged, retried, postponed or parked."""
        try:
            event = message.decode()
        except Exception as exc:  # kombu's refusal of the content type, or the decoder's
            self.refuse(message, "body", f"undecodable {message.content_type} body: "
                                         f"{type(exc).__name__}: {exc}")
            return
        refused = (("envelope", "not a CloudEvent with source, id and type")
                   if not is_event(event) else
                   refusal(event, self.source_service, self.event_type, self.contract))
        if refused is not None:
            self.refuse(message, *refused)
            return
        try:
            seen = self.processed.seen(self.consumer, event)
        except PyMongoError as exc:
            self.fail(message, exc)
            return
        if seen:
            log.info("duplicate %s %s ignored by %s", event["source"], event["id"], self.consumer)
            DUPLICATE_EVENTS.labels(self.container.service_name, self.consumer).inc()
            settle(self.queue_consumer.ack_message, message)
            return
        super().handle_message(event, message)

    def handle_result(self, message, worker_ctx, result=None, exc_info=None):
        if exc_info is not None:
            self.fail(message, exc_info[1])
            return result, exc_info
        try:
            self.processed.record(self.consumer, worker_ctx.args[0])
        except PyMongoError as exc:
            # Handled but not recorded: handled again later, which the handlers' own
            # idempotence makes harmless.
            self.fail(message, exc)
        else:
            settle(self.queue_consumer.ack_message, message)
        return result, exc_info

    def refuse(self, message, check, reason):
        """Never applied, and no retry can make it right: park it for an operator."""
        REFUSED_EVENTS.labels(self.container.service_name, self.consumer, check).inc()
        self.park(message, attempts=1, error=reason[:2000])

    def fail(self, message, exc):
        """Postpone the message if a dependency is away, else count the attempt."""
        if isinstance(exc, DEPENDENCY_AWAY):
            self.postpone(message, exc)
        else:
            self.defer(message, exc)

    def postpone(self, message, exc):
        """Try again later without counting an attempt: the message is not at fault."""
        headers = message.headers or {}
        outages = int(headers.get(OUTAGES_HEADER, 0)) + 1
        delay = backoff(self.retry_base_seconds, outages, OUTAGE_MAX_DELAY_SECONDS)
        error = failure_text(exc)
        POSTPONED_EVENTS.labels(self.container.service_name, self.consumer).inc()
        log.warning("%s postponed %.1fs, a dependency is away (not counted as an attempt): %s",
                    self.queue.name, delay, error)
        self.forward(message, int(headers.get(ATTEMPTS_HEADER, 0)), error, self.retry_queue,
                     extra_headers={OUTAGES_HEADER: outages}, expiration=delay)

    def defer(self, message, exc):
        """Schedule a retry, or park the message; only then is the original acked."""
        attempts = int((message.headers or {}).get(ATTEMPTS_HEADER, 0)) + 1
        error = failure_text(exc)
        if isinstance(exc, PERMANENT_ERRORS) or attempts >= self.max_attempts:
            self.park(message, attempts, error)
            return
        delay = backoff(self.retry_base_seconds, attempts, RETRY_MAX_DELAY_SECONDS)
        log.warning("%s attempt %d failed, retrying in %.1fs: %s",
                    self.queue.name, attempts, delay, error)
        self.forward(message, attempts, error, self.retry_queue, expiration=delay)

    def park(self, message, attempts, error):
        log.error("%s dead-lettered after %d attempt(s): %s", self.queue.name, attempts, error)
        self.forward(message, attempts, error, self.dead_letters)

    def forward(self, message, attempts, error, queue, extra_headers=None, **options):
        """Publish the message to ``queue`` (confirmed by the broker), then acknowledge
        it. If the broker will not take it, the message goes back to its own queue after
        a pause, or, the connection lost, the broker delivers it again."""
        headers = {**(message.headers or {}), **(extra_headers or {}),
                   ATTEMPTS_HEADER: attempts, ORIGINAL_QUEUE_HEADER: self.queue.name,
                   ERROR_HEADER: error}
        try:
            with get_producer(self.amqp_uri) as producer:
                producer.publish(message.body, content_type=message.content_type,
                                 content_encoding=message.content_encoding, headers=headers,
                                 exchange=queue.exchange, routing_key=queue.name,
                                 declare=[queue], delivery_mode=2, retry=True,
                                 retry_policy=REPUBLISH_RETRY_POLICY,
                                 **kept_properties(message), **options)
        except BROKER_ERRORS as exc:
            log.warning("%s: the broker did not take the message for %s, requeued in %.1fs: "
                        "%s", self.queue.name, queue.name, self.retry_base_seconds,
                        failure_text(exc))
            eventlet.sleep(self.retry_base_seconds)
            settle(self.queue_consumer.requeue_message, message)
            return
        settle(self.queue_consumer.ack_message, message)


def failure_text(exc):
    return "".join(traceback.format_exception_only(exc)).strip()[:2000]


handle_event = ReliableEventHandler.decorator
