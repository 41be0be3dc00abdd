"""The Mongo dependency: one client per service process, one database per service."""
import logging

import eventlet
from nameko.extensions import DependencyProvider
from pymongo import MongoClient
from pymongo.errors import ConnectionFailure

from chassis.retries import backoff

log = logging.getLogger(__name__)

PREPARE_MAX_DELAY_SECONDS = 5.0


class MongoDatabase(DependencyProvider):
    """Gives each worker the service's own database (config ``MONGO_URI``, ``MONGO_DB``).

    ``prepare`` is called with the database once the process has started, to create
    indexes; so are the chassis' own preparations (``prepare_when_reachable``). A store
    that is away then does not stop the process: each preparation is tried again with
    back-off until the store answers, and until then ``/readyz`` says so.
    """

    def __init__(self, prepare=None):
        self.prepare = prepare
        self.client = None
        self.database = None
        self.unprepared = set()  # what waits for the store
        self.preparing = []

    @classmethod
    def of(cls, container):
        """The service's database, for the chassis' own extensions (relay, event log)."""
        for dependency in container.dependencies:
            if isinstance(dependency, cls):
                return dependency
        raise LookupError(f"{container.service_name} declares no {cls.__name__}")

    def setup(self):
        config = self.container.config
        self.client = MongoClient(
            config["MONGO_URI"], tz_aware=True, serverSelectionTimeoutMS=5000,
            connect=False)
        self.database = self.client[config["MONGO_DB"]]

    def start(self):
        if self.prepare:
            self.prepare_when_reachable("the service's indexes",
                                        lambda: self.prepare(self.database))

    def prepare_when_reachable(self, what, prepare):
        """Run ``prepare()`` in the background until the store has answered it."""
        self.unprepared.add(what)

        def attempt():
            failures = 0
            while True:
                try:
                    prepare()
                except ConnectionFailure as exc:
                    failures += 1
                    delay = backoff(0.5, failures, PREPARE_MAX_DELAY_SECONDS)
                    log.warning("%s not prepared, the store is away; trying again in %.1fs: "
                                "%s", what, delay, exc)
                    eventlet.sleep(delay)
                else:
                    self.unprepared.discard(what)
                    return
        self.preparing.append(
            self.container.spawn_managed_thread(attempt, identifier=f"preparing {what}"))

    def stop(self):
        for thread in self.preparing:  # before the client they use is closed
            thread.kill()
        self.client.close()

    def kill(self):
        self.client.close()

    def get_dependency(self, worker_ctx):
        return self.database
