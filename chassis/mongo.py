"""The Mongo dependency: one client per service process, one database per service."""
from nameko.extensions import DependencyProvider
from pymongo import MongoClient


class MongoDatabase(DependencyProvider):
    """Gives each worker the service's own database (config ``MONGO_URI``, ``MONGO_DB``).

    ``prepare`` is called once at start with the database, to create indexes.
    """

    def __init__(self, prepare=None):
        self.prepare = prepare
        self.client = None
        self.database = None

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
            self.prepare(self.database)

    def stop(self):
        self.client.close()

    def kill(self):
        self.client.close()

    def get_dependency(self, worker_ctx):
        return self.database
