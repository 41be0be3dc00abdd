"""The public reads that this process already holds rendered — a certificate's
verification, its page and QR code, the lists of certificates, the catalogue — are
answered ahead of nameko's workers, in the connection's own thread
(``chassis.web.BoundedWebServer.answer_ahead``): no worker is spawned and no dependency
injected for them, which costs more than the read itself.

Only what needs nothing but this process's memory is answered here: an anonymous ``GET``
of a public operation that declares ``revalidated`` (its handler returns a ``Rendered``),
whose rule locates nothing, and whose handler finds its answer kept. The handler is the
operation's own, given the dependencies that workers share (the read model, the catalogue,
config); any other dependency — an RPC proxy, the store — is ``WorkerOnly``: calling it
means the answer is not held here, and the request goes to a worker as if this module did
not exist. So does every request that fails here, for the worker to refuse it with the
usual problem: a certificate not found, a malformed query, a limit reached.
"""
import logging
import re
import time
import uuid
from http import HTTPStatus

from nameko.dependency_providers import Config
from nameko.extensions import DependencyProvider
from werkzeug.utils import get_content_type
from werkzeug.wrappers import Request

from chassis import correlation
from chassis.metrics import ENTRYPOINT_CALLS, ENTRYPOINT_DURATION
from chassis.web import BoundedWebServer
from gateway.catalogue import CachedCatalogue
from gateway.cors import Cors
from gateway.following import CertificateFollower
from gateway.limits import RateLimits
from gateway.policy import POLICY
from gateway.rendered import Rendered
from gateway.routes import OPERATIONS, revalidation

log = logging.getLogger(__name__)

# The dependencies whose get_dependency is one object for every worker, usable without one.
SHARED = (Config, CertificateFollower, CachedCatalogue, Cors, RateLimits)


class NeedsWorker(Exception):
    """The answer is not held in this process: a worker must make it."""


class WorkerOnly:
    """A dependency only a worker may use: any of its methods, called, says so."""

    def __init__(self, name):
        self.name = name

    def __getattr__(self, method):
        def needs_worker(*args, **kwargs):
            raise NeedsWorker(f"{self.name}.{method}")
        setattr(self, method, needs_worker)  # made once: handlers name it on every read
        return needs_worker


def answered_ahead(op):
    """Whether ``op`` is a public read that may be answered ahead (module docstring)."""
    rule = POLICY[op.name]
    return op.method == "GET" and op.revalidated and rule.public and rule.locate is None


class PublicReadsAhead(DependencyProvider):
    """Registers this process's public reads with its HTTP server, to be answered ahead
    of the workers where they can be (module docstring)."""

    server = BoundedWebServer()  # the one the service's routes are served by

    def setup(self):
        self.routes = [(path_pattern(op.path), op) for op in OPERATIONS if answered_ahead(op)]
        # As chassis.metrics.EntrypointMetrics counts a worker's: one success each.
        self.metrics = {op.name: (
            ENTRYPOINT_CALLS.labels(self.container.service_name, op.name, "http", "success"),
            ENTRYPOINT_DURATION.labels(self.container.service_name, op.name, "http"))
            for _, op in self.routes}
        self.content_types = {op.name: get_content_type(op.produces, "utf-8")
                              for _, op in self.routes}
        self.server.answer_ahead(self.answer)

    def start(self):
        # After every dependency's setup: a service instance given the shared ones.
        self.service = self.container.service_cls()
        for provider in self.container.dependencies:
            setattr(self.service, provider.attr_name,
                    provider.get_dependency(None) if isinstance(provider, SHARED)
                    else WorkerOnly(provider.attr_name))

    def answer(self, environ):
        if environ["REQUEST_METHOD"] != "GET" or "HTTP_AUTHORIZATION" in environ:
            return None
        op, path_parameters = matched(self.routes, environ["PATH_INFO"])
        if op is None:
            return None
        started = time.perf_counter()
        request = Request(environ)
        rule = POLICY[op.name]
        limits = self.service.limits
        try:
            rendered = op.handler(self.service, request, **path_parameters)
            if not isinstance(rendered, Rendered):
                return None
            # Counted once answered here: a request left to a worker is counted there.
            if rule.limit:
                limits.check(rule.limit, f"address:{limits.client_address(request)}")
        except Exception:  # not held here, or refused: a worker answers, as it would
            return None
        status, headers = revalidation(request, op, rendered)
        answer = Answer(status, [
            *headers.items(), *self.service.cors.headers_for(environ.get("HTTP_ORIGIN")),
            ("Vary", "Origin"), (correlation.HEADER, correlation.well_formed(
                environ.get("HTTP_X_CORRELATION_ID")) or str(uuid.uuid4()))],
            b"" if status == 304 else rendered.body, self.content_types[op.name])
        log.debug("%s %s %s", request.method, request.path, status)
        calls, duration = self.metrics[op.name]
        calls.inc()
        duration.observe(time.perf_counter() - started)
        return answer


class Answer:
    """A WSGI response made of what is already known: status, headers and body."""

    __slots__ = ("status", "headers", "body")

    def __init__(self, status, headers, body, content_type):
        self.status = f"{status} {HTTPStatus(status).phrase}"
        if status != 304:
            headers += [("Content-Type", content_type), ("Content-Length", str(len(body)))]
        self.headers, self.body = headers, body

    def __call__(self, environ, start_response):
        start_response(self.status, self.headers)
        return [self.body]


def path_pattern(path):
    """The regular expression of an operation's path (werkzeug's syntax, string
    parameters only: those of the public reads): a parameter is one path segment."""
    if re.search(r"<(?!string:)[^>]*>", path):
        raise ValueError(f"{path}: only <string:…> parameters are answered ahead")
    return re.compile(re.sub(r"<string:(\w+)>", r"(?P<\1>[^/]+)",
                             re.escape(path).replace(r"\<", "<").replace(r"\>", ">")))


def matched(routes, path):
    """The operation ``path`` is for, and its path parameters; (None, None) for none."""
    for pattern, op in routes:
        found = pattern.fullmatch(path)
        if found:
            return op, found.groupdict()
    return None, None
