"""The services' RPC entrypoint: a refusal of bad input (OcopError) is the caller's
concern, so nameko logs it as expected rather than as a failure of the service."""
from nameko.rpc import rpc as nameko_rpc

from chassis.errors import OcopError

rpc = nameko_rpc(expected_exceptions=OcopError)
