"""The services' RPC entrypoint: a refusal of bad input (OcopError) is the caller's
concern, so nameko logs it as expected rather than as a failure of the service. And the
proxy one service calls another through, bounded in time."""
import eventlet
from nameko.exceptions import deserialize_to_instance
from nameko.rpc import RpcProxy, rpc as nameko_rpc

from chassis.errors import REFUSALS, OcopError

for _refusal in REFUSALS:
    deserialize_to_instance(_refusal)

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
