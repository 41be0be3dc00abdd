"""The single-document outbox and its relay.

A state change and the events it causes are written in one atomic update of one
document: pending events ride in the aggregate under ``outbox.<event id>`` and are
counted by ``outbox_pending``. (A map, not an array: the dev store mangles arrays of
sub-documents on ``$push``.) The relay publishes them under publisher confirms and only
then removes each one, so a crash at any point re-publishes rather than loses; the
consumers de-duplicate by ``source`` + ``id``.
"""
import logging
import time
from datetime import datetime

import eventlet
from eventlet.queue import Empty, Full, LightQueue
from nameko.extensions import DependencyProvider
from nameko.amqp.publish import get_producer
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.standalone.events import get_event_exchange
from pymongo.errors import DuplicateKeyError

from chassis import correlation, events
from chassis.metrics import OUTBOX_BACKLOG, OUTBOX_OLDEST_AGE
from chassis.mongo import MongoDatabase

log = logging.getLogger(__name__)

PENDING = "outbox_pending"


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
                                     if k not in ("_id", "outbox", PENDING)}}


def prepare(collection):
    collection.create_index(PENDING)


class OutboxRelay(DependencyProvider):
    """Publishes the pending events of ``collections`` to ``<service>.events``.

    Wakes after every worker (the usual moment new events exist) and polls every
    ``OUTBOX_POLL_SECONDS`` for anything left behind by a crash.
    """

    def __init__(self, *collections):
        self.collections = collections
        self.wake_up = LightQueue(maxsize=1)
        self.running = False
        self.loop = None

    def setup(self):
        config = self.container.config
        self.amqp_uri = config[AMQP_URI_CONFIG_KEY]
        self.poll_seconds = float(config.get("OUTBOX_POLL_SECONDS", 1.0))
        self.exchange = get_event_exchange(self.container.service_name, config)
        self.mongo = MongoDatabase.of(self.container)

    def start(self):
        for name in self.collections:
            prepare(self.mongo.database[name])
        self.running = True
        self.loop = self.container.spawn_managed_thread(self.run, identifier="outbox-relay")

    def stop(self):
        self.running = False
        self.nudge()
        if self.loop is not None:
            with eventlet.Timeout(10, False):
                self.loop.wait()

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
                self.relay_pending()
                failures = 0
            except Exception:
                failures += 1
                log.exception("outbox relay failed; retrying")
            self.wait(min(30, 0.5 * 2 ** failures) if failures else self.poll_seconds)

    def wait(self, seconds):
        try:
            self.wake_up.get(timeout=seconds)
        except Empty:
            pass

    def relay_pending(self):
        pending = [
            (self.mongo.database[name], document["_id"], event)
            for name in self.collections
            for document in self.mongo.database[name].find({PENDING: {"$gt": 0}}, {"outbox": 1})
            for event in (document.get("outbox") or {}).values()]
        pending.sort(key=lambda item: item[2]["time"])
        self.measure(pending)
        if not pending:
            return
        with get_producer(self.amqp_uri) as producer:
            for collection, document_id, event in pending:
                self.publish(producer, event)
                collection.update_one(
                    {"_id": document_id, f"outbox.{event['id']}": {"$exists": True}},
                    {"$unset": {f"outbox.{event['id']}": ""}, "$inc": {PENDING: -1}})
        self.measure([])

    def measure(self, pending):
        service = self.container.service_name
        OUTBOX_BACKLOG.labels(service).set(len(pending))
        oldest = pending[0][2]["time"] if pending else None
        OUTBOX_OLDEST_AGE.labels(service).set(
            0 if oldest is None else time.time() - datetime.fromisoformat(oldest).timestamp())

    def publish(self, producer, event):
        producer.publish(
            events.encode(event), exchange=self.exchange, routing_key=events.routing_key(event),
            content_type=events.CONTENT_TYPE, content_encoding="utf-8", delivery_mode=2,
            message_id=event["id"], type=event["type"], app_id=self.container.service_name,
            timestamp=int(datetime.fromisoformat(event["time"]).timestamp()),
            declare=[self.exchange], retry=True)
        # The business fact, once it is out: ids only, no personal data.
        log.info("%s %s (event %s)", events.routing_key(event), event["subject"], event["id"],
                 extra={"correlation_id": event.get(correlation.ATTRIBUTE)})
