"""A stack of a bench's own: its MongoDB stand-in, RabbitMQ vhost, token issuer and the
five processes, gone when the bench ends."""
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from gateway.tokens import DevelopmentIssuer
from scripts import devstack
from tests.conftest import UNLIMITED


class BenchStack(NamedTuple):
    stack: devstack.Stack
    mongo: devstack.MongoStandIn
    issuer: DevelopmentIssuer
    amqp_uri: str  # the vhost's, as its administrator
    directory: Path  # the stand-in's data files, the logs
    db_prefix: str  # of each service's database


@contextmanager
def bench_stack(vhost, seed=None, ready_within=90, processes=(), settings=None):
    """Start a stack on a fresh ``vhost`` without rate limits; stop and remove it all
    after. ``seed(mongo_uri, db_prefix)`` writes into the services' stores before they
    start; ``processes``: those to start (default: every one), the others can be started
    later with ``stack.start``; ``settings`` are added to every process's."""
    devstack.ensure_rabbitmq(devstack.DEFAULT_AMQP_URI)
    amqp_uri = devstack.ensure_vhost(devstack.DEFAULT_AMQP_URI, vhost, fresh=True)
    with tempfile.TemporaryDirectory() as directory:
        directory = Path(directory)
        mongo = devstack.MongoStandIn(directory, devstack.free_port(),
                                      directory / "nx.log").start()
        issuer = DevelopmentIssuer(directory / "identity")
        db_prefix = f"bench_{uuid.uuid4().hex[:6]}_"
        ports, ops_ports = devstack.free_ports()
        stack = devstack.Stack(amqp_uri, mongo.uri, db_prefix=db_prefix, ports=ports,
                               ops_ports=ops_ports, log_dir=directory / "log",
                               extra_env={**issuer.gateway_settings(), **UNLIMITED,
                                          **(settings or {})})
        try:
            if seed:
                seed(mongo.uri, db_prefix)
            stack.start(*processes).wait_ready(ready_within)
            yield BenchStack(stack, mongo, issuer, amqp_uri, directory, db_prefix)
        finally:
            stack.stop()
            mongo.stop()
            devstack.drop_vhost(devstack.DEFAULT_AMQP_URI, vhost)
