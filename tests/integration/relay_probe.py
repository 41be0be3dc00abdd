"""A service of the chassis for tests/integration/test_outbox_relay.py, run with ``nameko
run``: the store and the outbox relay of its ``aggregates``, publishing on
``relayprobe.events``, so that the test can kill it with SIGKILL in the middle of a
window of unconfirmed publishes. (``ping`` only because nameko runs no class without an
entrypoint.)"""
from nameko.rpc import rpc

from chassis.mongo import MongoDatabase
from chassis.outbox import OutboxRelay


class RelayProbe:
    name = "relayprobe"

    db = MongoDatabase()
    relay = OutboxRelay("aggregates")

    @rpc
    def ping(self):
        return "pong"
