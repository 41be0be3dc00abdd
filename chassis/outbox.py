"""The single-document outbox and its relay.

A state change and the events it causes are written in one atomic update of one
document: pending events ride in the aggregate under ``outbox.<event id>`` and are
counted by ``outbox_pending``. (A map, not an array: the dev store mangles arrays of
sub-documents on ``$push``.)

The relay publishes them on a channel in publisher-confirm mode with a window of
unconfirmed publishes (``OUTBOX_CONFIRM_WINDOW``, default 256): it does not wait for
each confirm before the next publish, as nameko's ``EventDispatcher`` does, but keeps up
to that many in flight and reads the broker's confirms as they come. An event leaves its
aggregate's outbox only once the broker has acknowledged it. Whatever else happens to a
publish — a nack (the broker did not take it: a queue refusing publishes when full), the
connection or the process lost before its confirm — leaves the event in the outbox, and
a later pass publishes it again; the consumers de-duplicate by ``source`` + ``id``. An
event refused while later ones were taken may so arrive after them; consumers rely on
their state machines, not on arrival order.

Events are published ``mandatory``. The broker's topology binds every event the platform
consumes up front (``scripts/broker.py``: each consumer's queue, and notification's
queue for every event of registration, evaluation and certification, declared before
any service starts), so an event that reaches no queue means a broker provisioned wrong
— its queues missing or unbound — not an event nobody wants. Such an event comes back
(``basic.return``, then its ack): it stays in the outbox, marked under
``outbox_unroutable.<event id>`` with the routing key, the number of returns and the
last one's time, is counted in ``ocop_outbox_refused_total{reason="returned"}`` and
``ocop_outbox_unroutable``, shown by ``python -m chassis.outboxes``, and published again
``OUTBOX_UNROUTABLE_RETRY_SECONDS`` (default 30) after its last return, until the
missing binding exists. (An alternate exchange would catch it instead, but in a queue
apart from its consumers, where the mistake hides; the outbox keeps it where the relay
delivers it by itself once the broker is fixed.)

The exception is an event that no part of the platform consumes, published only for
agencies' own queues (a service's ``SUBSCRIBERS_ONLY``, today notification's delivery
reports): with no agency subscribed it has legitimately nowhere to go, so it is published
without ``mandatory`` and the broker drops it, rather than keeping it in the outbox for
ever or filling a queue nobody reads.
"""
import logging
import time
from datetime import datetime

import eventlet
from amqp import Message
from amqp.exceptions import AMQPError
from eventlet.queue import Empty, Full, LightQueue
from kombu import Connection
from kombu.exceptions import OperationalError
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.extensions import DependencyProvider
from nameko.standalone.events import get_event_exchange
from pymongo import UpdateOne
from pymongo.errors import DuplicateKeyError

from chassis import correlation, events
from chassis.handlers import DEPENDENCY_AWAY, failure_text
from chassis.metrics import (OUTBOX_BACKLOG, OUTBOX_OLDEST_AGE, OUTBOX_REFUSED,
                             OUTBOX_UNROUTABLE)
from chassis.mongo import MongoDatabase
from chassis.retries import backoff

log = logging.getLogger(__name__)

PENDING = "outbox_pending"
UNROUTABLE = "outbox_unroutable"
DEFAULT_WINDOW = 256
DEFAULT_UNROUTABLE_RETRY_SECONDS = 30.0
# The broker confirms a publish in milliseconds; this long without one, the connection
# is taken for lost (an alarm blocking publishers, a half-open socket).
CONFIRM_TIMEOUT_SECONDS = 30.0
# What publishing or waiting for confirms raises when the broker or connection is gone.
BROKER_ERRORS = (OSError, OperationalError, AMQPError)
ACKED, NACKED, RETURNED = "acked", "nacked", "returned"
RETRY_MAX_DELAY_SECONDS = 30.0
# Confirmed events are taken out of their outboxes this many at a time (one bulk write per
# collection), while more publishes are in flight.
SETTLE_BATCH = 128


def new_document(document, pending_events):
    """An aggregate to insert together with the events its creation causes."""
    return {**document, "outbox": {e["id"]: e for e in pending_events},
            PENDING: len(pending_events)}


def insert_new(collection, document, pending_events):
    """Insert an aggregate created by an event, with the events its creation causes.
    False if its (deterministic) id exists: the event was redelivered."""
    try:
        collection.insert_one(new_document(document, pending_events))
    except DuplicateKeyError:
        return False
    return True


def update(change, pending_events):
    """A Mongo update document that also carries ``pending_events``."""
    change = {operator: dict(fields) for operator, fields in change.items()}
    change.setdefault("$set", {}).update(
        {f"outbox.{e['id']}": e for e in pending_events})
    increments = change.setdefault("$inc", {})
    increments[PENDING] = increments.get(PENDING, 0) + len(pending_events)
    return change


def resource(document):
    """The document as callers see it: ``id`` for ``_id`` and no pending events."""
    return {"id": document["_id"], **{k: v for k, v in document.items()
                                     if k not in ("_id", "outbox", PENDING, UNROUTABLE)}}


def prepare(collection):
    collection.create_index(PENDING)


class Pending:
    """One event waiting in the outbox of an aggregate of ``collection`` (a name);
    ``unroutable``: the mark of its last return, if the broker returned it."""
    __slots__ = ("collection", "document_id", "event", "unroutable")

    def __init__(self, collection, document_id, event, unroutable=None):
        self.collection, self.document_id = collection, document_id
        self.event, self.unroutable = event, unroutable


class ConfirmWindow:
    """Publishes on one channel in confirm mode with up to ``size`` publishes awaiting
    their confirm, and tells how each one was settled: ``settled()`` hands over
    ``(pending, outcome)`` pairs, outcome ``ACKED``, ``NACKED`` or ``RETURNED`` (acked after
    the broker returned it unroutable), as the confirms arrive.

    Confirms are read from the connection (``drain_events``) on the caller's green thread,
    whenever the window is full and at ``flush()``: nothing here blocks the hub."""

    def __init__(self, connection, size):
        self.connection = connection
        self.size = size
        self.channel = connection.channel()
        self.channel.confirm_select()
        self.channel.events["basic_ack"].add(self.on_ack)
        self.channel.events["basic_nack"].add(self.on_nack)
        self.channel.events["basic_return"].add(self.on_return)
        self.next_tag = 1  # the broker numbers a confirm-mode channel's publishes from 1
        self.unconfirmed = {}  # delivery tag → Pending, in publishing order
        self.returned = set()  # ids of the events the broker returned, not yet acked
        self.outcomes = []

    def publish(self, pending, body, exchange, routing_key, mandatory, **properties):
        while len(self.unconfirmed) >= self.size:
            self.wait_for_confirms()
        self.channel.basic_publish(Message(body, **properties), exchange=exchange,
                                   routing_key=routing_key, mandatory=mandatory)
        self.unconfirmed[self.next_tag] = pending
        self.next_tag += 1

    def flush(self):
        """Wait until every publish so far is confirmed."""
        while self.unconfirmed:
            self.wait_for_confirms()

    def wait_for_confirms(self):
        try:
            self.connection.drain_events(timeout=CONFIRM_TIMEOUT_SECONDS)
        except TimeoutError:  # socket.timeout
            raise OperationalError(f"the broker confirmed none of {len(self.unconfirmed)} "
                                   f"publishes in {CONFIRM_TIMEOUT_SECONDS:.0f}s") from None

    def settled(self):
        outcomes, self.outcomes = self.outcomes, []
        return outcomes

    def settled_count(self):
        return len(self.outcomes)

    def confirmed(self, delivery_tag, multiple):
        if not multiple:
            pending = self.unconfirmed.pop(delivery_tag, None)
            return [pending] if pending else []
        tags = [tag for tag in self.unconfirmed if tag <= delivery_tag]
        return [self.unconfirmed.pop(tag) for tag in tags]

    def on_ack(self, delivery_tag, multiple):
        for pending in self.confirmed(delivery_tag, multiple):
            returned = pending.event["id"] in self.returned
            self.returned.discard(pending.event["id"])
            self.outcomes.append((pending, RETURNED if returned else ACKED))

    def on_nack(self, delivery_tag, multiple):
        for pending in self.confirmed(delivery_tag, multiple):
            self.returned.discard(pending.event["id"])
            self.outcomes.append((pending, NACKED))

    def on_return(self, exc, exchange, routing_key, message):
        # RabbitMQ sends the basic.return of an unroutable mandatory message (312
        # NO_ROUTE) before its basic.ack.
        self.returned.add(message.properties.get("message_id"))


class Relay:
    """Publishes the pending events of ``collections`` of ``database`` to ``exchange``
    (``<service>.events``) and removes each once the broker has acknowledged it.

    Plain Python (no nameko): ``OutboxRelay`` runs it in a service; ``bench/outbox.py``
    and the tests run it on their own."""

    def __init__(self, service, database, collections, amqp_uri, exchange,
                 window=DEFAULT_WINDOW, unroutable_retry=DEFAULT_UNROUTABLE_RETRY_SECONDS,
                 subscribers_only=()):
        self.service, self.database, self.collections = service, database, collections
        self.amqp_uri, self.exchange = amqp_uri, exchange
        self.window, self.unroutable_retry = window, unroutable_retry
        self.subscribers_only = frozenset(subscribers_only)
        self.connection = self.confirms = None

    def pending(self):
        """Every event waiting, oldest first."""
        waiting = [
            Pending(name, document["_id"], event,
                    (document.get(UNROUTABLE) or {}).get(event_id))
            for name in self.collections
            for document in self.database[name].find({PENDING: {"$gt": 0}},
                                                     {"outbox": 1, UNROUTABLE: 1})
            for event_id, event in (document.get("outbox") or {}).items()]
        return sorted(waiting, key=lambda pending: pending.event["time"])

    def due(self, waiting):
        """What to publish now: all but the events returned unroutable too recently."""
        now = time.time()
        return [pending for pending in waiting if pending.unroutable is None
                or now - pending.unroutable["returned_at"] >= self.unroutable_retry]

    def relay_pending(self):
        """One pass: publish what is due, settle each event as its confirm comes. An error
        (the connection lost, no confirm in time, the store away) ends the pass and drops
        the connection: the events not yet acknowledged stay in the outbox for the next
        one. How many were acknowledged."""
        waiting = self.pending()
        self.measure(waiting)
        due = self.due(waiting)
        if not due:
            return 0
        window = self.connected()
        acked, removing = [], None
        try:
            for pending in due:
                self.publish(window, pending)
                # A batch is taken out of the outboxes by a green thread of its own, which
                # runs when the publisher next waits (for confirms; at the latest, the flush).
                if window.settled_count() >= SETTLE_BATCH and (removing is None
                                                                or removing.dead):
                    acked += removing.wait() if removing is not None else []
                    removing = eventlet.spawn(self.settle, window.settled())
            window.flush()
        except Exception:  # the broker's or the store's: publishes left in flight are dropped
            self.close()
            raise
        finally:
            acked += (removing.wait() if removing is not None else []) + self.settle(
                window.settled())
            gone = set(acked)
            self.measure([pending for pending in waiting if pending not in gone])
        return len(acked)

    def connected(self):
        """The confirm window on this relay's connection, connecting first if need be."""
        if self.connection is None:
            connection = Connection(self.amqp_uri)
            try:
                connection.ensure_connection(max_retries=1)
                self.exchange.declare(channel=connection.default_channel)
                self.confirms = ConfirmWindow(connection, self.window)
            except BROKER_ERRORS:
                connection.release()
                raise
            self.connection = connection
        return self.confirms

    def close(self):
        if self.connection is not None:
            try:
                self.connection.release()
            except BROKER_ERRORS:
                pass  # already gone
            self.connection = self.confirms = None

    def publish(self, window, pending):
        event = pending.event
        window.publish(
            pending, events.encode(event).encode("utf-8"), self.exchange.name,
            events.routing_key(event),
            mandatory=events.routing_key(event) not in self.subscribers_only,
            content_type=events.CONTENT_TYPE, content_encoding="utf-8", delivery_mode=2,
            message_id=event["id"], type=event["type"], app_id=self.service,
            timestamp=int(datetime.fromisoformat(event["time"]).timestamp()))

    def settle(self, outcomes):
        """Remove the acknowledged events from their outboxes, mark the returned ones:
        one bulk write per collection. The events acknowledged."""
        writes, acked = {}, []
        for pending, outcome in outcomes:
            if outcome == ACKED:
                acked.append(pending)
                writes.setdefault(pending.collection, []).append(removal(pending))
                self.log_published(pending.event)
            else:
                OUTBOX_REFUSED.labels(self.service, outcome).inc()
                log.warning("the broker %s event %s (%s); it stays in the outbox",
                            outcome, pending.event["id"], events.routing_key(pending.event),
                            extra={"correlation_id": pending.event.get(correlation.ATTRIBUTE)})
                if outcome == RETURNED:
                    pending.unroutable = {"returned_at": time.time()}
                    writes.setdefault(pending.collection, []).append(unroutable_mark(pending))
        for name, operations in writes.items():
            self.database[name].bulk_write(operations, ordered=False)
        return acked

    def log_published(self, event):
        # The business fact, once it is out: ids only, no personal data.
        log.info("%s %s (event %s)", events.routing_key(event), event["subject"], event["id"],
                 extra={"correlation_id": event.get(correlation.ATTRIBUTE)})

    def measure(self, waiting):
        OUTBOX_BACKLOG.labels(self.service).set(len(waiting))
        OUTBOX_UNROUTABLE.labels(self.service).set(
            sum(pending.unroutable is not None for pending in waiting))
        oldest = waiting[0].event["time"] if waiting else None
        OUTBOX_OLDEST_AGE.labels(self.service).set(
            0 if oldest is None else time.time() - datetime.fromisoformat(oldest).timestamp())


def removal(pending):
    """The write that takes an acknowledged event out of its aggregate's outbox."""
    event_id = pending.event["id"]
    return UpdateOne({"_id": pending.document_id, f"outbox.{event_id}": {"$exists": True}},
                     {"$unset": {f"outbox.{event_id}": "", f"{UNROUTABLE}.{event_id}": ""},
                      "$inc": {PENDING: -1}})


def unroutable_mark(pending):
    """The write that records, beside the event, that the broker returned it."""
    event_id = pending.event["id"]
    mark = f"{UNROUTABLE}.{event_id}"
    return UpdateOne({"_id": pending.document_id, f"outbox.{event_id}": {"$exists": True}},
                     {"$set": {f"{mark}.returned_at": time.time(),
                               f"{mark}.routing_key": events.routing_key(pending.event)},
                      "$inc": {f"{mark}.returns": 1}})


class OutboxRelay(DependencyProvider):
    """Runs a ``Relay`` of ``collections`` in the service: it wakes after every worker
    (the usual moment new events exist) and polls every ``OUTBOX_POLL_SECONDS`` for
    anything left behind by a crash or refused by the broker. ``subscribers_only``: the
    service's events that no part of the platform consumes (module docstring)."""

    def __init__(self, *collections, subscribers_only=()):
        self.collections = collections
        self.subscribers_only = subscribers_only
        self.wake_up = LightQueue(maxsize=1)
        self.running = False
        self.loop = None
        self.relay = None

    def setup(self):
        config = self.container.config
        self.poll_seconds = float(config.get("OUTBOX_POLL_SECONDS", 1.0))
        self.mongo = MongoDatabase.of(self.container)

    def start(self):
        config = self.container.config
        self.relay = Relay(
            self.container.service_name, self.mongo.database, self.collections,
            config[AMQP_URI_CONFIG_KEY],
            get_event_exchange(self.container.service_name, config),
            window=int(config.get("OUTBOX_CONFIRM_WINDOW", DEFAULT_WINDOW)),
            unroutable_retry=float(config.get("OUTBOX_UNROUTABLE_RETRY_SECONDS",
                                              DEFAULT_UNROUTABLE_RETRY_SECONDS)),
            subscribers_only=self.subscribers_only)
        self.mongo.prepare_when_reachable("the outbox", self.prepare_collections)
        self.running = True
        self.loop = self.container.spawn_managed_thread(self.run, identifier="outbox-relay")

    def prepare_collections(self):
        for name in self.collections:
            prepare(self.mongo.database[name])

    def stop(self):
        self.running = False
        self.nudge()
        if self.loop is not None:
            with eventlet.Timeout(10, False):
                self.loop.wait()
        if self.relay is not None:
            self.relay.close()

    def worker_teardown(self, worker_ctx):
        self.nudge()

    def nudge(self):
        try:
            self.wake_up.put_nowait(True)
        except Full:
            pass  # a wake-up is already waiting

    def run(self):
        failures = 0
        while self.running:
            try:
                self.relay.relay_pending()
                failures = 0
            except DEPENDENCY_AWAY as exc:  # expected while the broker or store restarts
                failures += 1
                log.warning("outbox relay: the broker or the store is away; trying again in "
                            "%.1fs: %s", self.retry_delay(failures), failure_text(exc))
            except Exception:
                failures += 1
                log.exception("outbox relay failed; retrying")
            self.wait(self.retry_delay(failures) if failures else self.poll_seconds)

    @staticmethod
    def retry_delay(failures):
        return backoff(1.0, failures, RETRY_MAX_DELAY_SECONDS)

    def wait(self, seconds):
        try:
            self.wake_up.get(timeout=seconds)
        except Empty:
            pass
