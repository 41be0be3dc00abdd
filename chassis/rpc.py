"""The services' RPC entrypoint: a refusal of bad input (OcopError) is the caller's
concern, so nameko logs it as expected rather than as a failure of the service; a request
whose caller has given up is dropped unexecuted, and a reply that cannot be sent is logged
instead of stopping the service. And the proxy every process calls another through,
bounded in time.

Importing this module also keeps every nameko RPC party in the process (entrypoints,
replies, the gateway's and services' proxies) from declaring the ``nameko-rpc``
exchange: provisioning declares it (``chassis.brokers``), and declaring it would need the
right to configure, and so to delete, the exchange every call travels through."""
import logging
import re
import uuid
from datetime import datetime, timedelta, timezone

import eventlet
import nameko.rpc
from kombu import Queue
from nameko.constants import HEADER_PREFIX
from nameko.exceptions import RemoteError, UnknownService, deserialize_to_instance
from nameko.rpc import (
    RPC_REPLY_QUEUE_TEMPLATE, RPC_REPLY_QUEUE_TTL, MethodProxy, ReplyListener, Rpc,
    RpcConsumer, RpcProxy)

from chassis.brokers import ANY_REPLY_KEY
from chassis.errors import REFUSALS, OcopError
from chassis.handlers import DEPENDENCY_AWAY, settle
from chassis.metrics import EXPIRED_REQUESTS, REDELIVERED_REQUESTS, UNSENT_REPLIES

log = logging.getLogger(__name__)

for _refusal in REFUSALS:
    deserialize_to_instance(_refusal)

_declared_rpc_exchange = nameko.rpc.get_rpc_exchange


def provisioned_rpc_exchange(config):
    exchange = _declared_rpc_exchange(config)
    exchange.no_declare = True
    return exchange


nameko.rpc.get_rpc_exchange = provisioned_rpc_exchange

REPLY_KEY = re.compile(ANY_REPLY_KEY)
# The context data (header ``nameko.rpc_deadline``) of every request: the moment, in UTC
# and ISO 8601, its caller stops waiting for the answer.
DEADLINE_KEY = "rpc_deadline"
DEADLINE_HEADER = f"{HEADER_PREFIX}.{DEADLINE_KEY}"


def reply_key(process, reply_id):
    """The routing key of the replies to one process: ``reply.<process>.<uuid>``. Only that
    process may bind it (``chassis.brokers``), so no one else can copy its replies."""
    return f"reply.{process}.{reply_id}"


class RequestsConsumer(RpcConsumer):
    """nameko's consumer of RPC requests, with four differences:

    - a request it cannot answer (no ``reply_to``, or one the broker will not let it
      publish to) would kill the service, and, the message coming back, on every restart:
      it is logged and dropped instead;
    - a request whose caller has given up (its deadline has passed) is acknowledged and
      dropped unexecuted, without a reply: the broker expires such a request while it is
      queued, this catches one already delivered (the consumer's prefetch, a redelivery);
    - a request the broker delivers again (its consumer died or lost the connection
      before acknowledging it) is dropped unexecuted: its first delivery may have run it
      already, and a command must not run twice. Its caller gets no answer, answers its
      own client 503, and a retry is a new request;
    - a reply that cannot be sent (the broker connection lost, access refused) would kill
      the service: it is logged and the request acknowledged."""

    def handle_message(self, body, message):
        properties = message.properties
        routing_key = message.delivery_info.get("routing_key")
        deadline = deadline_of(message)
        if not (isinstance(body, dict) and isinstance(body.get("args"), (list, tuple))
                and isinstance(body.get("kwargs"), dict)
                and REPLY_KEY.fullmatch(str(properties.get("reply_to")))
                and properties.get("correlation_id")
                and properties.get("content_type")
                and deadline is not MALFORMED):
            log.error("dropped a malformed RPC request on %s", routing_key)
            settle(self.queue_consumer.ack_message, message)
            return
        now = datetime.now(timezone.utc)
        if deadline is not None and deadline <= now:
            log.info("dropped the RPC request %s unexecuted: its caller gave up %.1fs ago",
                     routing_key, (now - deadline).total_seconds())
            EXPIRED_REQUESTS.labels(self.container.service_name,
                                    self.method_label(routing_key)).inc()
            settle(self.queue_consumer.ack_message, message)
            return
        if message.delivery_info.get("redelivered"):
            log.warning("dropped the redelivered RPC request %s unexecuted: its first "
                        "delivery may have run it", routing_key)
            REDELIVERED_REQUESTS.labels(self.container.service_name,
                                        self.method_label(routing_key)).inc()
            settle(self.queue_consumer.ack_message, message)
            return
        super().handle_message(body, message)

    def method_label(self, routing_key):
        """The method a request names, if the service has it: anyone who may call the
        service chooses the routing key, and would otherwise choose the metric's labels."""
        method = str(routing_key).rpartition(".")[2]
        return method if any(p.method_name == method for p in self._providers) else "unknown"

    def handle_result(self, message, result, exc_info):
        """Acknowledged, not requeued, when the reply cannot be sent: the request has run,
        and run again it would repeat its command. Its caller gets no answer in time."""
        try:
            return super().handle_result(message, result, exc_info)
        except Exception:
            routing_key = message.delivery_info.get("routing_key")
            log.exception("could not send the reply to %s (correlation id %s); the request "
                          "is acknowledged, its caller will time out", routing_key,
                          message.properties.get("correlation_id"))
            UNSENT_REPLIES.labels(self.container.service_name,
                                  self.method_label(routing_key)).inc()
            settle(self.queue_consumer.ack_message, message)
            return result, exc_info


MALFORMED = object()


def deadline_of(message):
    """The request's deadline (an aware datetime), None when it has none, MALFORMED when
    its header cannot be read as one."""
    header = (message.headers or {}).get(DEADLINE_HEADER)
    if header is None:
        return None
    try:
        deadline = datetime.fromisoformat(header)
    except (TypeError, ValueError):
        return MALFORMED
    return deadline if deadline.tzinfo else MALFORMED


def deadline_after(seconds):
    return (datetime.now(timezone.utc) + timedelta(seconds=seconds)).isoformat()


class CheckedRpc(Rpc):
    rpc_consumer = RequestsConsumer()


rpc = CheckedRpc.decorator(expected_exceptions=OcopError)


class OwnReplyListener(ReplyListener):
    """nameko's reply listener, with replies routed under ``reply_key``."""

    def setup(self):
        reply_id = uuid.uuid4()
        process = self.container.service_name
        self.routing_key = reply_key(process, reply_id)
        self.queue = Queue(RPC_REPLY_QUEUE_TEMPLATE.format(process, reply_id),
                           exchange=nameko.rpc.get_rpc_exchange(self.container.config),
                           routing_key=self.routing_key,
                           queue_arguments={"x-expires": RPC_REPLY_QUEUE_TTL})
        self.queue_consumer.register_provider(self)

    def forget(self, correlation_id):
        """No longer wait for the reply to ``correlation_id`` (nameko waits for ever)."""
        self._reply_events.pop(correlation_id, None)


class NoAnswer(Exception):
    """An RPC call got no answer in time (the callee is down or overloaded). Transient:
    an event handler that meets it retries the event later instead of parking it."""


def _with_subclasses(classes):
    for cls in classes:
        yield cls
        yield from _with_subclasses(cls.__subclasses__())


def unavailable(exc):
    """True when a call failed because something was away, not because of the request:
    no answer in time, no such service listening, the broker unreachable from here, or,
    raised in the callee and carried back as a RemoteError, its store or broker
    unreachable or its own call unanswered. Worth trying again later."""
    if isinstance(exc, (NoAnswer, UnknownService, *DEPENDENCY_AWAY)):
        return True
    return isinstance(exc, RemoteError) and exc.exc_type in AWAY_NAMES


# A RemoteError names the class the callee raised, not the class itself.
AWAY_NAMES = frozenset(cls.__name__ for cls in _with_subclasses((NoAnswer, *DEPENDENCY_AWAY)))


class BoundedRpcProxy(RpcProxy):
    """The proxy every process calls another's RPC through: nameko's, whose calls would wait
    for ever, bounded by ``RPC_TIMEOUT_SECONDS``. A call that gets no answer by then raises
    NoAnswer, and its request, carrying that deadline, is not run afterwards: the broker
    expires it while it is queued (AMQP ``expiration``), the callee drops it if delivered
    late (``RequestsConsumer``)."""

    rpc_reply_listener = OwnReplyListener()

    def setup(self):
        super().setup()
        self.timeout = float(self.container.config.get("RPC_TIMEOUT_SECONDS", 10))

    def get_dependency(self, worker_ctx):
        return BoundedCalls(worker_ctx, self.target_service, self.rpc_reply_listener,
                            self.timeout, self.options)


class BoundedCalls:
    def __init__(self, worker_ctx, service, reply_listener, timeout, options):
        self.worker_ctx, self.service, self.reply_listener = worker_ctx, service, reply_listener
        self.timeout, self.options = timeout, options

    def __getattr__(self, method):
        def call(*args, **kwargs):
            reply = AwaitedReply(self.reply_listener)
            remote = ExpiringMethodProxy(self.worker_ctx, self.service, method, reply,
                                         self.timeout, **self.options)
            try:
                with eventlet.Timeout(self.timeout, NoAnswer(
                        f"{self.service}.{method} gave no answer within {self.timeout:g}s")):
                    return remote(*args, **kwargs)
            finally:
                reply.forget()  # answered, or not: nobody waits for it any more
        return call


class ExpiringMethodProxy(MethodProxy):
    """nameko's method proxy, whose requests expire when their caller stops waiting."""

    def __init__(self, worker_ctx, service, method, reply_listener, timeout, **options):
        super().__init__(worker_ctx, service, method, reply_listener, expiration=timeout,
                         **options)
        self.timeout = timeout

    def get_message_headers(self, worker_ctx):
        return {**super().get_message_headers(worker_ctx),
                self._get_header_name(DEADLINE_KEY): deadline_after(self.timeout)}


class AwaitedReply:
    """The reply listener as one call sees it, which remembers the call's correlation id
    so that the call can stop waiting for its reply."""

    def __init__(self, listener):
        self.listener, self.correlation_id = listener, None

    @property
    def routing_key(self):
        return self.listener.routing_key

    def get_reply_event(self, correlation_id):
        self.correlation_id = correlation_id
        return self.listener.get_reply_event(correlation_id)

    def forget(self):
        if self.correlation_id is not None:
            self.listener.forget(self.correlation_id)
