"""The services' RPC entrypoint: a refusal of bad input (OcopError) is the caller's
concern, so nameko logs it as expected rather than as a failure of the service.

Importing this module also keeps every nameko RPC party in the process (entrypoints,
replies, the gateway's and services' proxies) from declaring the ``nameko-rpc``
exchange: provisioning declares it (``chassis.brokers``), and declaring it would need the
right to configure, and so to delete, the exchange every call travels through."""
import nameko.rpc
from nameko.exceptions import deserialize_to_instance
from nameko.rpc import rpc as nameko_rpc

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
