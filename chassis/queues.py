"""The services' durable queues: each consumer's queue and its ``.retry`` queue are
quorum queues where the broker has them (RabbitMQ 3.8 and newer), classic queues
otherwise; the service's ``dlq.<service>`` is classic (``dead_letter_queue``).

A quorum queue is replicated on a cluster's nodes and counts each message's deliveries:
a consumer queue dead-letters a message delivered more than ``DELIVERY_LIMIT`` times
without being settled (one that kills its consumer each time, or is requeued forever) to
``dlq.<service>``, through the service's ``<service>.requeue`` exchange, at least once.
Its ``.retry`` queue keeps per-message TTLs (the back-off) and dead-letters an expired
message back to the consumer queue, at least once. RabbitMQ dead-letters at least once
only from a queue that refuses publishes when full (``x-overflow: reject-publish``); no
argument here bounds a queue, so it refuses none (policies may: the k8s ones do).

RabbitMQ refuses to declare an existing queue with other arguments (``PRECONDITION_FAILED``),
so a broker that still has the classic queues of an earlier release keeps them: each
declaration first tries the quorum shape on a channel of its own, and where the broker
refuses it because the queue exists with another shape, declares the classic shape
instead, with a warning, until ``python -m scripts.broker migrate-queues`` has moved the
queue (docs/operations.md §5).

``EVENT_QUEUE_TYPE=classic`` makes classic the preferred shape (an existing quorum queue is
kept): the test suite sets it, because its dozens of short-lived vhosts of some 120 queues
each, each quorum queue a Raft log of its own, wedged the single shared development broker
(channels that could not close, its file descriptors exhausted).  The fault suite's broker
node of its own and ``tests/integration/test_queue_shapes.py`` use quorum queues.
"""
import logging
import os
from copy import copy

from amqp.exceptions import PreconditionFailed
from kombu import Queue

from chassis import brokers

log = logging.getLogger(__name__)

QUORUM_SINCE = (3, 8)
# Deliveries of one message, unsettled, before its queue dead-letters it. The broker counts
# a delivery whose consumer died, lost its connection or requeued it; a handler's own
# failures go through the retry queue and count as attempts (EVENT_MAX_ATTEMPTS) instead.
# A queue argument: every declarer must give the same; a policy (`delivery-limit`) can
# only lower it.
DELIVERY_LIMIT = 10
AT_LEAST_ONCE = {"x-dead-letter-strategy": "at-least-once", "x-overflow": "reject-publish"}


def supports_quorum(version):
    """Whether a RabbitMQ of ``version`` (its ``server_properties``' text) has quorum queues."""
    try:
        numbers = tuple(int(part) for part in str(version).split(".")[:2])
    except ValueError:
        return False
    return numbers >= QUORUM_SINCE


class DurableQueue(Queue):
    """A kombu Queue whose ``queue_arguments`` are its quorum shape and whose
    ``classic_arguments`` are its classic one; declared in whichever the broker takes."""

    attrs = Queue.attrs + (("classic_arguments", None),)

    def __init__(self, name, *, quorum_arguments, classic_arguments=None, **options):
        super().__init__(name, durable=True, **options)
        self.queue_arguments = {"x-queue-type": "quorum", **quorum_arguments}
        self.classic_arguments = classic_arguments or {}

    def __copy__(self):
        # kombu copies a queue each time it binds it to a channel.
        shape = self.as_dict()
        shape["quorum_arguments"] = {k: v for k, v in shape.pop("queue_arguments").items()
                                     if k != "x-queue-type"}
        del shape["durable"]
        return self.__class__(**shape)

    def queue_declare(self, nowait=False, passive=False, channel=None):
        channel = channel or self.channel
        if passive or self.takes_quorum(channel):  # passive: the broker compares nothing
            return super().queue_declare(nowait, passive, channel)
        classic = copy(self)
        classic.queue_arguments = self.classic_arguments
        return Queue.queue_declare(classic, nowait, passive, channel)

    def takes_quorum(self, channel):
        """Whether to declare the quorum shape: where the broker has quorum queues, the
        preferred shape (``EVENT_QUEUE_TYPE``) unless the queue exists in the other one
        (an earlier release's classic queue, not yet migrated, is kept)."""
        if not supports_quorum(broker_version(channel)):
            return False
        if os.environ.get("EVENT_QUEUE_TYPE", "quorum") == "classic":
            return self.other_shape(channel, self.classic_arguments) is not None
        refusal = self.other_shape(channel, self.queue_arguments)
        if refusal:
            log.warning("queue %s exists in another shape, kept as it is: migrate it to a "
                        "quorum queue (python -m scripts.broker migrate-queues): %s",
                        self.name, refusal)
        return not refusal

    def other_shape(self, channel, arguments):
        """Declare the shape of ``arguments``; the broker's refusal if the queue exists in
        another shape, else None. On a channel of its own: the broker closes the one it
        refuses."""
        probe = channel.connection.channel()
        try:
            probe.queue_declare(queue=self.name, durable=True, auto_delete=False,
                                arguments=arguments)
        except PreconditionFailed as refusal:
            if "inequivalent arg" not in str(refusal):
                raise
            return str(refusal)
        finally:
            if probe.is_open:
                probe.close()
        return None


def broker_version(channel):
    return (channel.connection.server_properties or {}).get("version", "")


def consumer_queue(service, name, bindings):
    """A consumer's queue, dead-lettering to ``dlq.<service>`` past the delivery limit."""
    return DurableQueue(name, bindings=bindings, quorum_arguments={
        "x-delivery-limit": DELIVERY_LIMIT,
        "x-dead-letter-exchange": brokers.requeue_exchange(service),
        "x-dead-letter-routing-key": dead_letter_name(service), **AT_LEAST_ONCE})


def retry_queue(service, queue_name, exchange):
    """``<queue>.retry``: each message waits its own TTL, then goes back to ``queue_name``."""
    back = {"x-dead-letter-exchange": brokers.requeue_exchange(service),
            "x-dead-letter-routing-key": queue_name}
    name = f"{queue_name}.retry"
    return DurableQueue(name, exchange=exchange, routing_key=name,
                        quorum_arguments={**back, **AT_LEAST_ONCE}, classic_arguments=back)


def dead_letter_queue(service, exchange):
    """``dlq.<service>``: a classic queue. The operator's tool takes parked messages one by
    one with ``basic.get`` and acknowledges the ones it replays or purges just before it
    closes; a quorum queue can drop acknowledgements that arrive as the channel closes
    and deliver those messages again (rabbitmq-server issue 10327)."""
    name = dead_letter_name(service)
    return Queue(name, exchange=exchange, routing_key=name, durable=True)


def dead_letter_name(service):
    return f"dlq.{service}"
