"""Prometheus metrics: RED per entrypoint, expired RPC requests and unsent replies, outbox
backlog, age and refusals, dead letters."""
import time

from nameko.events import EventHandler
from nameko.extensions import DependencyProvider
from nameko.rpc import Rpc
from nameko.web.handlers import HttpRequestHandler
from prometheus_client import Counter, Gauge, Histogram

from chassis.errors import OcopError

ENTRYPOINT_CALLS = Counter(
    "ocop_entrypoint_calls_total", "Entrypoint calls by outcome",
    ["service", "entrypoint", "kind", "outcome"])
ENTRYPOINT_DURATION = Histogram(
    "ocop_entrypoint_duration_seconds", "Entrypoint duration",
    ["service", "entrypoint", "kind"])
DUPLICATE_EVENTS = Counter(
    "ocop_duplicate_events_total", "Redelivered events acknowledged without handling",
    ["service", "consumer"])
REFUSED_EVENTS = Counter(
    "ocop_refused_events_total", "Events parked unhandled because they failed a check: "
    "envelope, source, type or data", ["service", "consumer", "check"])
POSTPONED_EVENTS = Counter(
    "ocop_postponed_events_total", "Deliveries put back for later, not counted as an "
    "attempt, because the store or the broker was away", ["service", "consumer"])
EXPIRED_REQUESTS = Counter(
    "ocop_expired_rpc_requests_total", "RPC requests dropped unexecuted because their caller "
    "had given up (deadline passed) before a worker took them", ["service", "method"])
REDELIVERED_REQUESTS = Counter(
    "ocop_redelivered_rpc_requests_total", "RPC requests dropped unexecuted because the "
    "broker delivered them again (their first delivery may have run them)",
    ["service", "method"])
UNSENT_REPLIES = Counter(
    "ocop_unsent_rpc_replies_total", "RPC replies that could not be published (broker "
    "connection lost, access refused); the request was acknowledged", ["service", "method"])
OUTBOX_BACKLOG = Gauge(
    "ocop_outbox_backlog", "Events written but not yet published", ["service"])
OUTBOX_OLDEST_AGE = Gauge(
    "ocop_outbox_oldest_age_seconds", "Age of the oldest unpublished event", ["service"])
OUTBOX_REFUSED = Counter(
    "ocop_outbox_refused_total", "Publishes of outbox events the broker refused, each event "
    "kept in the outbox to be published again: nacked (not taken), returned (no queue "
    "bound for it)", ["service", "reason"])
OUTBOX_UNROUTABLE = Gauge(
    "ocop_outbox_unroutable", "Events kept in the outbox because the broker returned them "
    "unroutable: no queue is bound for their routing key", ["service"])
DEAD_LETTERS = Gauge(
    "ocop_dead_letters", "Messages waiting in the service's dead-letter queue", ["service"])
REFUSED_REQUESTS = Counter(
    "ocop_http_refused_total", "HTTP requests the server answered itself, before any worker: "
    "too slow (408), chunked (411), too large (413, 431), incomplete (400)",
    ["service", "status"])

def entrypoint_kind(entrypoint):
    for cls, kind in ((Rpc, "rpc"), (EventHandler, "event"), (HttpRequestHandler, "http")):
        if isinstance(entrypoint, cls):
            return kind
    return "other"


class EntrypointMetrics(DependencyProvider):
    """Counts and times every worker of the service, labelled with its outcome."""

    def __init__(self):
        self.started = {}

    def worker_setup(self, worker_ctx):
        self.started[worker_ctx.call_id] = time.perf_counter()

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        started = self.started.pop(worker_ctx.call_id, None)
        if started is None:
            return
        labels = (worker_ctx.service_name, worker_ctx.entrypoint.method_name,
                  entrypoint_kind(worker_ctx.entrypoint))
        ENTRYPOINT_CALLS.labels(*labels, outcome_of(result, exc_info)).inc()
        ENTRYPOINT_DURATION.labels(*labels).observe(time.perf_counter() - started)

    def worker_teardown(self, worker_ctx):
        self.started.pop(worker_ctx.call_id, None)


def outcome_of(result, exc_info):
    """success, refused (the caller's input or the resource's state said no: 4xx,
    OcopError) or error (the service failed: 5xx, any other exception)."""
    if exc_info is not None:
        return "refused" if isinstance(exc_info[1], OcopError) else "error"
    status = getattr(result, "status_code", 200)
    if status >= 500:
        return "error"
    return "refused" if status >= 400 else "success"
