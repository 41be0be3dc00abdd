"""How a gateway process keeps its read model of the public certificates
(``gateway.certificates``) fresh: it follows certification's events.

On start, and again whenever its broker connection was lost, the process

1. subscribes: a queue of its own (``gateway.certificates-<uuid4>``, exclusive to its
   connection and deleted with it) bound to every event of ``certification.events``, so
   that every gateway replica hears every event;
2. then loads the snapshot: every certificate's public record, page by page, through
   certification's RPC (``public_records``); events published meanwhile wait in the queue;
3. then applies the events, in order, as they come: each one names a certificate and
   the revision its change made it (``services.certification.contracts``); unless the
   record kept is already at that revision or later, the record is read again
   (``public_record``: one call per change, never per request) and kept if it is newer.

So a change made while the process was not subscribed — a revocation during a broker
outage — is in the snapshot taken after it subscribed again, and no record ever replaces a
later one. Until the first snapshot is loaded, and while it is loaded again, the process
is not ready (``/readyz``) and its public reads ask certification as before
(``following``: False). Events are checked as every consumer checks them
(``chassis.handlers``: the source is the exchange's, the type and data keep the
publisher's contract); one that fails is dropped with the reason in the log and
``ocop_refused_events_total`` (the gateway parks nothing: it may write to no queue but
its own).
"""
import gc
import logging
import socket
import uuid

import eventlet
from amqp.exceptions import AMQPError
from kombu import Connection, Consumer, Exchange, Queue
from kombu.exceptions import OperationalError
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.containers import WorkerContext
from nameko.extensions import DependencyProvider, Entrypoint

from chassis import brokers, events
from chassis.events import utc_now
from chassis.errors import NotFound
from chassis.handlers import contract_of, is_event, refusal
from chassis.metrics import REFUSED_EVENTS
from chassis.retries import backoff
from chassis.rpc import BoundedCalls, OwnReplyListener, unavailable
from gateway.certificates import DEFAULT_RENDERED_BYTES, PublicCertificates, as_bytes, \
    etag, json_array, list_etag
from gateway.rendered import Rendered
from services.certification.validity import vietnam_day

log = logging.getLogger(__name__)

SOURCE = brokers.GATEWAY_FOLLOWS
CONSUMER = "gateway.following"
# Only the events that describe a certificate: certification also publishes trade
# promotion's, which name no certificate.
CERTIFICATE_EVENTS = "certificate.#"
SNAPSHOT_PAGE = 500  # records per call (at most records.MAX_PAGE)
# Broker heartbeats tell a dead connection from a quiet one.
HEARTBEAT_SECONDS = 30
PREFETCH = 200
RETRY_MAX_DELAY_SECONDS = 10.0


class Following(Entrypoint):
    """What the read model's own RPC calls are made from: no HTTP request's worker."""

    method_name = "following"


class CertificateFollower(DependencyProvider):
    """The public reads of certificates, for every worker: from the process's
    ``PublicCertificates`` while it follows certification's events, otherwise from
    certification itself (the functions the worker passes, over its RPC proxy)."""

    rpc_reply_listener = OwnReplyListener()

    def setup(self):
        config = self.container.config
        self.amqp_uri = config[AMQP_URI_CONFIG_KEY]
        self.timeout = float(config.get("RPC_TIMEOUT_SECONDS", 10))
        self.certificates = PublicCertificates(int(config.get(
            "PUBLIC_CACHE_BYTES", DEFAULT_RENDERED_BYTES)))
        self.following = False
        self.thread = None

    def start(self):
        self.thread = self.container.spawn_managed_thread(self.follow,
                                                          identifier="following certificates")

    def stop(self):
        if self.thread is not None:
            self.thread.kill()

    kill = stop

    def get_dependency(self, worker_ctx):
        return self

    def render(self, kind, code, render, verify):
        """``render(view)`` of the certificate ``code`` today, as a ``Rendered``;
        ``verify(code)`` is certification's view of it."""
        today = vietnam_day(utc_now())
        if self.following:
            return self.certificates.render(kind, code, today, render)
        view = verify(code)
        return Rendered(as_bytes(render(view)), etag(view.get("revision", 0), today))

    def in_force(self, query, limit, cursor, render, listed, followed=True):
        """A page of the list of certified products, each ``render(view)`` (JSON);
        ``listed(query, limit, cursor)`` is certification's page, asked for when this
        process does not follow the certificates yet or ``followed`` is false (a filter
        its read model does not hold)."""
        return self.page(self.certificates.in_force, query, limit, cursor, render, listed,
                         followed)

    def listed(self, query, limit, cursor, render, listed):
        """A page of the list of certificates, as ``in_force``."""
        return self.page(self.certificates.listed, query, limit, cursor, render, listed)

    def page(self, kept, query, limit, cursor, render, listed, followed=True):
        today = vietnam_day(utc_now())
        if self.following and followed:
            return kept(query, limit, cursor, today, render)
        found = listed(query, limit, cursor)
        return Rendered(json_array([as_bytes(render(view)) for view in found["items"]]),
                        list_etag([(v["code"], v.get("revision", 0)) for v in found["items"]],
                                  today), found["next"])

    def keep(self, view):
        """A certificate as a command relayed by this process has just left it: read
        here at once, before its events arrive (a certification process older than
        revisions, during an upgrade, says none: its events will tell)."""
        if "revision" in view:
            self.certificates.apply(view)

    def unready(self):
        """Why the process cannot serve yet (``chassis.web.Operations``); None once the
        snapshot is loaded and the events followed."""
        return None if self.following else "the public certificates are being loaded"

    # The subscription --------------------------------------------------------------------

    def follow(self):
        """Runs as long as the process: whatever breaks the subscription off, the process
        subscribes again (an error here would stop the whole process)."""
        failures = 0
        while True:
            try:
                self.subscribe_and_apply()
            except (OSError, OperationalError, AMQPError) as exc:
                reason = exc
            except Exception as exc:
                if not unavailable(exc):  # certification did not answer in time, or a fault
                    log.exception("following certification's events failed")
                reason = exc
            # A subscription that had loaded is tried again at once; one that keeps failing,
            # less and less often.
            failures = 1 if self.following else failures + 1
            self.following = False
            delay = backoff(0.5, failures, RETRY_MAX_DELAY_SECONDS)
            log.warning("not following certification's events (%r); subscribing again "
                        "and reloading in %.1fs", reason, delay)
            eventlet.sleep(delay)

    def subscribe_and_apply(self):
        queue = Queue(f"{brokers.GATEWAY_FOLLOWING_QUEUE}{uuid.uuid4()}",
                      exchange=Exchange(brokers.events_exchange(SOURCE), type="topic",
                                        no_declare=True),
                      routing_key=CERTIFICATE_EVENTS, durable=False, exclusive=True, auto_delete=True)
        with Connection(self.amqp_uri, heartbeat=HEARTBEAT_SECONDS, transport_options={
                "client_properties": {"connection_name": queue.name}}) as connection:
            connection.ensure_connection(max_retries=1)
            channel = connection.channel()
            with Consumer(channel, queues=[queue], on_message=self.on_message,
                          prefetch_count=PREFETCH):
                loaded = self.load_snapshot(connection)
                # The records loaded live as long as the process: a full collection then
                # walks what requests leave, not tens of thousands of records (a pause of
                # tens of milliseconds each time otherwise).
                gc.freeze()
                self.following = True
                log.info("following certification's events on %s: %d certificates loaded",
                         queue.name, loaded)
                while True:
                    try:
                        connection.drain_events(timeout=1)
                    except socket.timeout:
                        pass
                    connection.heartbeat_check()

    def load_snapshot(self, connection):
        """Every certificate's record, page by page; a snapshot taken again over the
        records kept keeps, of each certificate, the later revision."""
        calls, after, loaded = self.certification(), None, 0
        while True:
            page = calls.public_records(SNAPSHOT_PAGE, after)
            for record in page["items"]:
                self.certificates.apply(record)
            loaded += len(page["items"])
            connection.heartbeat_check()
            after = page["next"]
            if after is None:
                return loaded

    def certification(self):
        worker_ctx = WorkerContext(self.container, None, Following)
        return BoundedCalls(worker_ctx, SOURCE, self.rpc_reply_listener, self.timeout, {})

    # Each event ------------------------------------------------------------------------

    def on_message(self, message):
        """Check the event, bring its certificate up to the event's revision, then
        acknowledge it. While certification does not answer, the event waits (and every
        later one behind it)."""
        event_type = message.delivery_info.get("routing_key", "")
        refused = self.refusal(message, event_type)
        if refused is not None:
            check, reason = refused
            REFUSED_EVENTS.labels(self.container.service_name, CONSUMER, check).inc()
            log.error("dropped an event of %s.events (%s): %s", SOURCE, event_type, reason)
            message.ack()
            return
        event = events.decode(message.body)
        code, revision = event["data"]["code"], event["data"].get("revision")
        failures = 0
        while True:
            try:
                self.catch_up(code, revision)
                break
            except Exception as exc:
                if not unavailable(exc):
                    raise
                failures += 1
                eventlet.sleep(backoff(0.2, failures, RETRY_MAX_DELAY_SECONDS))
        message.ack()

    @staticmethod
    def refusal(message, event_type):
        """(check, reason) when the message is not an event this queue may act on."""
        try:
            event = events.decode(message.body)
        except (TypeError, ValueError) as exc:
            return "body", f"undecodable body: {exc}"
        if not is_event(event):
            return "envelope", "not a CloudEvent with source, id and type"
        try:
            contract = contract_of(SOURCE, event_type)
        except LookupError as exc:
            return "type", str(exc)
        return refusal(event, SOURCE, event_type, contract)

    def catch_up(self, code, revision):
        """The certificate ``code`` as of ``revision`` at least (None: an event from
        before revisions were counted, which cannot say)."""
        if revision is not None and self.certificates.revision(code) >= revision:
            return
        try:
            record = self.certification().public_record(code)
        except NotFound:
            log.warning("certification announced certificate %s but has none", code)
            return
        self.certificates.apply(record)
