"""The correlation id: one id that follows a request from the gateway through every RPC
call and every event it causes, and stands in every log line written on its way, so an
operator can follow one journey across the processes.

It enters as the ``X-Correlation-Id`` request header (or is made at the gateway), travels in
nameko's context data over RPC and as the CloudEvents extension attribute
``correlationid`` in events, and is answered in the response's ``X-Correlation-Id``.
"""
import re
import uuid

from eventlet.corolocal import local
from nameko.extensions import DependencyProvider

HEADER = "X-Correlation-Id"
CONTEXT_KEY = "ocop_correlation_id"
ATTRIBUTE = "correlationid"
# What a client or a subscriber may hand us: short and inert in a log line.
WELL_FORMED = re.compile(r"[A-Za-z0-9._:-]{1,64}")

_worker = local()  # one per green thread: the worker's


def current():
    """The correlation id of the worker running now; None outside a worker."""
    return getattr(_worker, "id", None)


def well_formed(value):
    return value if isinstance(value, str) and WELL_FORMED.fullmatch(value) else None


def carried_by(first_argument):
    """The id an entrypoint's first argument carries: an event's attribute or an HTTP
    request's header."""
    if isinstance(first_argument, dict):
        return well_formed(first_argument.get(ATTRIBUTE))
    headers = getattr(first_argument, "headers", None)
    return well_formed(headers.get(HEADER)) if headers is not None else None


class Correlation(DependencyProvider):
    """Gives each worker its correlation id: the caller's (RPC), the event's, the HTTP
    request's, or a new one; puts it in the context data so that the worker's RPC calls
    carry it on."""

    def worker_setup(self, worker_ctx):
        first = worker_ctx.args[0] if worker_ctx.args else None
        correlation_id = (well_formed(worker_ctx.data.get(CONTEXT_KEY)) or carried_by(first)
                          or str(uuid.uuid4()))
        worker_ctx.data[CONTEXT_KEY] = correlation_id
        _worker.id = correlation_id

    def worker_teardown(self, worker_ctx):
        _worker.id = None
