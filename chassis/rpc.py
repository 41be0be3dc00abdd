"""The services' RPC entrypoint: a refusal of bad input (OcopError) is the caller's
concern, so nameko logs it as expected rather than as a failure of the service. And the
proxy one service calls another through, bounded in time.

Importing this module also keeps every nameko RPC party in the process (entrypoints,
replies, the gateway's and services' proxies) from declaring the ``nameko-rpc``
exchange: provisioning declares it (``chassis.brokers``), and declaring it would need the
right to configure, and so to delete, the exchange every call travels through."""
import eventlet
import nameko.rpc
from nameko.exceptions import deserialize_to_instance
from nameko.rpc import RpcProxy, rpc as nameko_rpc

from chassis.errors import REFUSALS, OcopError

for _refusal in REFUSALS:
    deserialize_to_instance(_refusal)

_declared_rpc_exchange = nameko.rpc.get_rpc_exchange


def provisioned_rpc_exchange(config):
    exchange = _declared_rpc_exchange(config)
    exchange.no_declare = True
    return exchange


nameko.rpc.get_rpc_exchange = provisioned_rpc_exchange

rpc = nameko_rpc(expected_exceptions=OcopError)


class NoAnswer(Exception):
    """An RPC call got no answer in time (the callee is down or overloaded). Transient:
    an event handler that meets it retries the event later instead of parking it."""


class BoundedRpcProxy(RpcProxy):
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
