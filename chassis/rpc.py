"""The services' RPC entrypoint: a refusal of bad input (OcopError) is the caller's
concern, so nameko logs it as expected rather than as a failure of the service."""
from nameko.exceptions import deserialize_to_instance
from nameko.rpc import rpc as nameko_rpc

from chassis.errors import REFUSALS, OcopError

for _refusal in REFUSALS:
    deserialize_to_instance(_refusal)

rpc = nameko_rpc(expected_exceptions=OcopError)
