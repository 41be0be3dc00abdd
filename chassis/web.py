"""Every process's operations endpoints: ``/livez``, ``/readyz`` and ``/metrics``."""
import json
import logging

from kombu.exceptions import OperationalError
from nameko.amqp.publish import get_connection
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.extensions import DependencyProvider
from nameko.web.handlers import http
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pymongo.errors import PyMongoError
from werkzeug.wrappers import Response

from chassis.handlers import ReliableEventHandler, dead_letter_queue
from chassis.metrics import DEAD_LETTERS, EntrypointMetrics
from chassis.mongo import MongoDatabase

log = logging.getLogger(__name__)


class Operations(DependencyProvider):
    """Checks the broker and, where the service has one, its store."""

    def setup(self):
        self.amqp_uri = self.container.config[AMQP_URI_CONFIG_KEY]
        self.databases = [d for d in self.container.dependencies
                          if isinstance(d, MongoDatabase)]
        self.consumes_events = any(isinstance(e, ReliableEventHandler)
                                   for e in self.container.entrypoints)

    def get_dependency(self, worker_ctx):
        return self

    def failures(self):
        """What keeps this process from serving: an unreachable broker or store."""
        problems = {}
        try:
            with get_connection(self.amqp_uri) as connection:
                connection.ensure_connection(max_retries=1, timeout=2)
        except (OSError, OperationalError) as exc:
            problems["broker"] = str(exc)
        for database in self.databases:
            try:
                database.client.admin.command("ping")
            except PyMongoError as exc:
                problems["store"] = str(exc)
        return problems

    def measure(self):
        """Refresh the gauges read from the broker at scrape time: dead letters."""
        if not self.consumes_events:
            return
        try:
            with get_connection(self.amqp_uri) as connection:
                queue = dead_letter_queue(self.container.service_name)(
                    connection.default_channel)
                _, depth, _ = queue.queue_declare()
        except (OSError, OperationalError):
            log.warning("dead letters not counted: the broker is unreachable")
            return
        DEAD_LETTERS.labels(self.container.service_name).set(depth)


class OperationsEndpoints:
    """Mix into a nameko service class to serve its probes and metrics."""

    operations = Operations()
    entrypoint_metrics = EntrypointMetrics()

    @http("GET", "/livez")
    def livez(self, request):
        return Response("ok\n", mimetype="text/plain")

    @http("GET", "/readyz")
    def readyz(self, request):
        problems = self.operations.failures()
        if problems:
            log.warning("not ready: %s", problems)
        return Response(json.dumps({"ready": not problems, "problems": problems}),
                        status=503 if problems else 200, mimetype="application/json")

    @http("GET", "/metrics")
    def metrics(self, request):
        self.operations.measure()
        self.refresh_gauges()
        return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)

    def refresh_gauges(self):
        """Services with gauges read from their store at scrape time override this."""
