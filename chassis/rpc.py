"""The services' RPC entrypoint: a refusal of bad input (OcopError) is the caller's
concern, so nameko logs it as expected rather than as a failure of the service. And the
proxy one service calls another through, bounded in time.

Importing this module also keeps every nameko RPC party in the process (entrypoints,
replies, the gateway's and services' proxies) from declaring the ``nameko-rpc``
exchange: provisioning declares it (``chassis.brokers``), and declaring it would need the
right to configure, and so to delete, the exchange every call travels through."""
import logging
import re
import uuid

import eventlet
import nameko.rpc
from kombu import Queue
from nameko.exceptions import deserialize_to_instance
from nameko.rpc import (
    RPC_REPLY_QUEUE_TEMPLATE, RPC_REPLY_QUEUE_TTL, ReplyListener, Rpc, RpcConsumer, RpcProxy)

from chassis.brokers import ANY_REPLY_KEY
from chassis.errors import REFUSALS, OcopError

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


def reply_key(process, reply_id):
    """The routing key of the replies to one process: ``reply.<process>.<uuid>``. Only that
    process may bind it (``chassis.brokers``), so no one else can copy its replies."""
    return f"reply.{process}.{reply_id}"


class RequestsConsumer(RpcConsumer):
    """nameko's consumer of RPC requests, which kills its service on a request it cannot
    answer (no ``reply_to``, or one the broker will not let it publish to) and so, the
    message coming back, on every restart: such a request is logged and dropped instead."""

    def handle_message(self, body, message):
        properties = message.properties
        if not (isinstance(body, dict) and isinstance(body.get("args"), (list, tuple))
                and isinstance(body.get("kwargs"), dict)
                and REPLY_KEY.fullmatch(str(properties.get("reply_to")))
                and properties.get("correlation_id")
                and properties.get("content_type")):
            log.error("dropped a malformed RPC request on %s",
                      message.delivery_info.get("routing_key"))
            self.queue_consumer.ack_message(message)
            return
        super().handle_message(body, message)


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


class ServiceRpcProxy(RpcProxy):
    """The proxy every process calls another's RPC through."""

    rpc_reply_listener = OwnReplyListener()


class NoAnswer(Exception):
    """An RPC call got no answer in time (the callee is down or overloaded). Transient:
    an event handler that meets it retries the event later instead of parking it."""


class BoundedRpcProxy(ServiceRpcProxy):
    """nameko's RpcProxy, whose calls give up after ``RPC_TIMEOUT_SECONDS`` (nameko's
    would wait for ever) and raise NoAnswer."""

    def setup(self):
        super().setup()
        self.timeout = float(self.container.config.get("RPC_TIMEOUT_SECONDS", 10))

    def get_dependency(self, worker_ctx):
        return BoundedCalls(super().get_dependency(worker_ctx), self.target_service,
                            self.timeout)


class BoundedCalls:
    def __init__(self, proxy, service, timeout):
        self.proxy, self.service, self.timeout = proxy, service, timeout

    def __getattr__(self, method):
        remote = getattr(self.proxy, method)

        def call(*args, **kwargs):
            deadline = eventlet.Timeout(self.timeout)
            try:
                return remote(*args, **kwargs)
            except eventlet.Timeout as timeout:
                if timeout is not deadline:
                    raise
                raise NoAnswer(f"{self.service}.{method} gave no answer within "
                               f"{self.timeout:g}s") from None
            finally:
                deadline.cancel()
        return call
