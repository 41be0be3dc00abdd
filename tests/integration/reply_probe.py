"""A service of the chassis for tests/integration/test_rpc_deadlines.py, run with ``nameko
run``: its ``vanish`` method deletes the exchange its reply must travel through, so that
sending the reply fails on the real broker (404 NOT_FOUND, as ACCESS_REFUSED would)."""
from kombu import Connection, Exchange
from nameko.dependency_providers import Config

from chassis.rpc import rpc


class ReplyProbe:
    name = "replyprobe"

    config = Config()

    @rpc
    def vanish(self):
        with Connection(self.config["AMQP_URI"]) as connection:
            Exchange(self.config["rpc_exchange"])(connection.channel()).delete()
        return "vanished"

    @rpc
    def ping(self):
        return "pong"
