"""The fault suite's own system: a RabbitMQ node and a MongoDB stand-in of its own (both
killed and restarted by the tests), the services and the gateway on them, kept up by
``make run``'s Supervisor, and clients whose every request is recorded."""
import threading
import time
import uuid
from collections import Counter

import pytest
from pymongo import MongoClient

from scripts import devstack
from tests.conftest import UNLIMITED, People
from tests.e2e.journeys import criteria_set, lowered_picks, set_up_council
from tests.faults.driver import Recorder, persist, recording_api
from tests.faults.node import RabbitNode



@pytest.fixture(scope="package")
def node():
    reason = RabbitNode.usable()
    if reason:
        pytest.skip(f"the fault suite needs a RabbitMQ node of its own: {reason}")
    rabbit = RabbitNode()
    try:
        yield rabbit.start()
    finally:
        rabbit.remove()


@pytest.fixture(scope="package")
def store(tmp_path_factory):
    """The MongoDB stand-in, on a port and data directory the tests restart it on."""
    directory = tmp_path_factory.mktemp("faults-mongo")
    mongo = devstack.MongoStandIn(directory / "data", devstack.free_port(),
                                  directory / "nx-27017.log").start()
    yield mongo
    mongo.stop()


class System:
    """The stack under faults. A Supervisor, as ``make run`` has, starts again whatever
    exits; ``kill`` and ``down`` record which exits were the tests' doing."""

    def __init__(self, node, store, stack, people, api):
        self.node, self.store, self.stack = node, store, stack
        self.people, self.api = people, api
        self.recorder = people.recorder
        self.lock = threading.Lock()
        self.restarts = []
        self.caused = Counter()  # exits the tests caused, by process
        self.supervisor = devstack.Supervisor(stack, say=self.said, first_delay=0.5,
                                              max_delay=4, stable_after=20)
        self.supervising = True
        self.thread = threading.Thread(target=self.supervise, daemon=True)
        self.thread.start()

    def said(self, line):
        self.restarts.append(line)

    def supervise(self):
        while self.supervising:
            with self.lock:
                self.supervisor.check()
            time.sleep(0.2)

    def exits(self):
        """Exits the supervisor saw, by process."""
        return Counter(line.split()[0] for line in self.restarts if " exited with code " in line)

    def unexpected_exits(self):
        return self.exits() - self.caused

    def kill(self, name):
        """kill -9 one process; the supervisor starts it again."""
        with self.lock:
            self.caused[name] += 1
            self.stack.kill(name)

    def down(self, name):
        """kill -9 one process and keep it down (out of the supervisor's sight)."""
        with self.lock:
            self.stack.kill(name)
            self.stack.processes.pop(name)

    def up(self, name, env=None):
        """Start ``name`` again (with ``env`` over its settings), supervised."""
        with self.lock:
            self.stack.start(name, env=env)
            self.supervisor.started[name] = time.monotonic()
        self.stack.wait_ready(120, [name])

    def database(self, name):
        return MongoClient(self.store.uri, tz_aware=True)[f"{self.stack.db_prefix}{name}"]

    def all_ready(self, seconds=120):
        """Every process ready; one that has exited is waited for: it is restarted."""
        def ready(name):
            try:
                return self.stack.ready(name)
            except devstack.StackError:
                return False
        for name in devstack.PROCESSES:
            devstack.wait_for(lambda: ready(name), seconds, f"{name} to be ready")

    def close(self):
        self.supervising = False
        self.thread.join(5)
        self.stack.stop()


class RecordingPeople(People):
    def __init__(self, base_url, issuer, recorder):
        super().__init__(base_url, issuer, api=recording_api(recorder))
        self.recorder = recorder


@pytest.fixture(scope="package")
def quorum_queues():
    """Quorum queues, as in production: this node is the suite's own (chassis/queues.py).
    For the services, and for the topology this process declares before they start."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EVENT_QUEUE_TYPE", "quorum")
        yield


@pytest.fixture(scope="package")
def system(node, store, issuer, tmp_path_factory, quorum_queues):
    ports, ops_ports = devstack.free_ports()
    stack = devstack.Stack(
        node.amqp_uri, store.uri, ports=ports, ops_ports=ops_ports,
        db_prefix=f"faults_{uuid.uuid4().hex[:8]}_", log_dir=tmp_path_factory.mktemp("logs"),
        rabbitmq_node=node.name,
        extra_env={"EVENT_QUEUE_TYPE": "quorum",
                   "EVENT_RETRY_BASE_SECONDS": "0.1", "OUTBOX_POLL_SECONDS": "0.5",
                   "RPC_TIMEOUT_SECONDS": "5", **issuer.gateway_settings(), **UNLIMITED})
    stack.start().wait_ready(120)
    people = RecordingPeople(stack.gateway_url, issuer, Recorder())
    running = System(node, store, stack, people, people.anonymous())
    try:
        persist(people.recorder, lambda: set_up_council(people, "province-91"))
        yield running
    finally:
        running.close()
        print(f"\nfault suite logs: {stack.log_dir}")


@pytest.fixture(scope="package")
def picks(system):
    """A 4-star sheet: recognised, so every journey ends certified."""
    return persist(system.recorder, lambda: lowered_picks(criteria_set(system.api, "03"),
                                                          drop=15))
