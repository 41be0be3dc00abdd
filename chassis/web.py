"""Every process's HTTP: a server that slow or oversized requests cannot starve, and the
operations endpoints ``/livez``, ``/readyz`` and ``/metrics`` on an address of their own,
answered outside the service's worker pool.

nameko's ``WebServer`` reads a request's line and headers with no deadline and leaves the
body to be read inside the worker, so a few clients sending a byte a second hold every
worker. Here the line and headers must arrive within one total deadline, and the body is
read whole, bounded, within another, before a worker is taken.
"""
import io
import json
import logging
import socket
from dataclasses import dataclass
from http import HTTPStatus

import eventlet
from amqp.exceptions import AMQPError
from kombu.exceptions import OperationalError
from nameko.amqp.publish import get_connection
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.extensions import DependencyProvider
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import HttpOnlyProtocol, WebServer, parse_address
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
import pymongo
from pymongo.errors import PyMongoError
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.wrappers import Request, Response

from chassis.correlation import Correlation
from chassis.errors import PROBLEM_TYPE
from chassis.handlers import ReliableEventHandler, dead_letter_queue
from chassis.metrics import DEAD_LETTERS, REFUSED_REQUESTS, EntrypointMetrics
from chassis.mongo import MongoDatabase

log = logging.getLogger(__name__)

OPERATIONS_ADDRESS_KEY = "OPERATIONS_ADDRESS"
# Same URN scheme as the gateway's problems (gateway/problems.py).
LINGER_SECONDS = 1
# How long /readyz waits for the broker or the store to answer.
PROBE_SECONDS = 2


@dataclass(frozen=True)
class RequestLimits:
    """How long a client may take to send, and how much: from the process's config."""

    header_seconds: float = 10
    body_seconds: float = 30
    max_header_bytes: int = 32 * 1024
    max_body_bytes: int = 256 * 1024

    @classmethod
    def from_config(cls, config):
        defaults = cls()
        return cls(
            header_seconds=float(config.get("HTTP_HEADER_TIMEOUT_SECONDS",
                                            defaults.header_seconds)),
            body_seconds=float(config.get("HTTP_BODY_TIMEOUT_SECONDS", defaults.body_seconds)),
            max_header_bytes=int(config.get("HTTP_MAX_HEADER_BYTES",
                                            defaults.max_header_bytes)),
            max_body_bytes=int(config.get("HTTP_MAX_BODY_BYTES", defaults.max_body_bytes)))


class Refusal(Exception):
    """A request answered by the server itself, before any worker, and its connection closed."""

    def __init__(self, status, slug, title, detail):
        super().__init__(detail)
        self.status, self.slug, self.title, self.detail = status, slug, title, detail


def request_timeout(part_vi, part_en):
    return Refusal(408, "request-timeout", "Quá thời gian gửi yêu cầu / Request timeout",
                   f"{part_vi} không đến kịp thời hạn / {part_en} did not arrive in time")


class HeadersTooLarge(Exception):
    pass


class HeaderBudget:
    """The connection's reader while a request's line and headers are read: at most
    ``limit`` bytes in all (eventlet's own bounds are per line and a fixed 64 KiB).
    ``started`` tells a request begun from a connection merely left open."""

    def __init__(self, reader, limit):
        self.reader, self.remaining = reader, limit
        self.started = False

    @property
    def closed(self):
        return self.reader.closed

    def readline(self, size=-1):
        if not self.started:
            self.reader.peek(1)  # waits for the first byte
            self.started = True
        allowed = self.remaining + 1 if size < 0 else min(size, self.remaining + 1)
        line = self.reader.readline(allowed)
        self.remaining -= len(line)
        if self.remaining < 0:
            raise HeadersTooLarge()
        return line


class BoundedHttpProtocol(HttpOnlyProtocol):
    """One connection. Each request's line and headers get ``header_seconds`` in all (the
    wait for the next request on a kept-alive connection included); its body is read
    whole within ``body_seconds``. Whoever misses a deadline or a bound gets a problem
    and a closed connection."""

    def setup(self):
        super().setup()
        self.connection_reader = self.rfile
        # An answer larger than the write buffer leaves in several segments; without this
        # the last one waits for the client's delayed acknowledgement (Nagle), some 40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def handle_one_request(self):
        limits = self.server.limits
        self.header_deadline = eventlet.Timeout(limits.header_seconds)
        self.rfile = budget = HeaderBudget(self.connection_reader, limits.max_header_bytes)
        try:
            super().handle_one_request()
        except eventlet.Timeout as timeout:
            if timeout is not self.header_deadline:
                raise
            self.close_connection = 1
            if budget.started:  # else an idle connection, closed without a word
                self.refuse(request_timeout("Dòng yêu cầu và tiêu đề",
                                            "The request line and headers"))
        except HeadersTooLarge:
            limit = limits.max_header_bytes
            self.refuse(Refusal(431, "headers-too-large",
                                "Tiêu đề quá lớn / Request headers too large",
                                f"Tối đa {limit} byte / At most {limit} bytes"))
        except Refusal as refusal:
            self.refuse(refusal, self.path)
        except OSError as exc:
            # The client went away mid-request. Let nothing escape: nameko stops the whole
            # service when a connection's thread ends in an error.
            log.info("connection from %s lost: %r", self.client_address[0], exc)
            self.close_connection = 1
        finally:
            self.header_deadline.cancel()
            self.rfile = self.connection_reader

    def get_environ(self):
        """Called once the headers are in: the body is read here, before the application."""
        self.header_deadline.cancel()
        self.rfile = self.connection_reader
        environ = super().get_environ()
        environ["wsgi.input"] = io.BytesIO(self.read_body(environ))
        return environ

    def read_body(self, environ):
        limits = self.server.limits
        if environ.get("HTTP_TRANSFER_ENCODING"):
            # A chunked body has no length to bound before reading it.
            raise Refusal(411, "length-required", "Cần Content-Length / Length required",
                          "Gửi dữ liệu kèm Content-Length, không chia khối / "
                          "Send the body with a Content-Length, not chunked")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if length > limits.max_body_bytes:
            raise Refusal(413, "too-large", "Dữ liệu quá lớn / Payload too large",
                          f"Tối đa {limits.max_body_bytes} byte / "
                          f"At most {limits.max_body_bytes} bytes")
        if not length:
            return b""
        deadline = eventlet.Timeout(limits.body_seconds)
        try:
            body = environ["eventlet.input"].read(length)
        except eventlet.Timeout as timeout:
            if timeout is not deadline:
                raise
            raise request_timeout("Dữ liệu", "The body") from None
        finally:
            deadline.cancel()
        if len(body) < length:
            raise Refusal(400, "bad-request", "Dữ liệu không đủ / Incomplete body",
                          "Kết nối đóng trước khi gửi hết dữ liệu / "
                          "The connection closed before the whole body arrived")
        return body

    def refuse(self, refusal, instance=None):
        """Answer without the application, and close: what the client sends next cannot
        be trusted to be where a next request begins."""
        self.close_connection = 1
        REFUSED_REQUESTS.labels(self.server.service_name, str(refusal.status)).inc()
        log.warning("HTTP %s for %s: %s", refusal.status, self.client_address[0],
                    refusal.detail)
        problem = {"type": PROBLEM_TYPE + refusal.slug, "title": refusal.title,
                   "status": refusal.status, "detail": refusal.detail}
        if instance:
            problem["instance"] = instance.split("?", 1)[0]
        body = json.dumps(problem, ensure_ascii=False).encode()
        head = (f"HTTP/1.1 {refusal.status} {HTTPStatus(refusal.status).phrase}\r\n"
                "Content-Type: application/problem+json\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n")
        try:
            self.wfile.write(head.encode("latin-1") + body)
            self.wfile.flush()
            self.linger()
        except OSError:
            pass  # the client has gone: nothing to tell

    def linger(self):
        """Drop what the client is still sending, for a moment, before closing: closing
        with unread data resets the connection, and the client might never read the answer."""
        self.connection.shutdown(socket.SHUT_WR)
        with eventlet.Timeout(LINGER_SECONDS, False):
            while self.connection.recv(64 * 1024):
                pass


class BoundedWebServer(WebServer):
    """nameko's ``WebServer`` with ``BoundedHttpProtocol``; its limits come from config.
    A dependency may answer some requests ahead of the workers (``answer_ahead``)."""

    def __init__(self):
        super().__init__()
        self.ahead = []

    def answer_ahead(self, responder):
        """``responder(environ)`` is asked first, in the connection's own thread, for
        every request: its ``Response``, or None to leave the request to a worker. For
        answers that need no worker (no RPC, no store), kept in memory and cheap to give."""
        self.ahead.append(responder)

    def get_wsgi_app(self):
        app = super().get_wsgi_app()
        return AnsweredAhead(self.ahead, app) if self.ahead else app

    def get_wsgi_server(self, sock, wsgi_app, protocol=BoundedHttpProtocol, debug=False):
        server = super().get_wsgi_server(sock, wsgi_app, protocol=protocol, debug=debug)
        server.limits = RequestLimits.from_config(self.container.config)
        server.service_name = self.container.service_name
        # No access line from eventlet: it formats one per request whatever the log level,
        # and the gateway logs each request itself (gateway.routes).
        server.log_output = False
        return server


class AnsweredAhead:
    """The WSGI application: the responders first, then nameko's workers."""

    def __init__(self, responders, app):
        self.responders, self.app = responders, app

    def __call__(self, environ, start_response):
        for responder in self.responders:
            response = responder(environ)
            if response is not None:
                return response(environ, start_response)
        return self.app(environ, start_response)


class OperationsWebServer(BoundedWebServer):
    """The bounded server on ``OPERATIONS_ADDRESS``, apart from the public one, answering
    from its own threads: never a worker of the service's pool (``MAX_WORKERS``), so that
    a probe is answered while every worker is busy or waiting for an absent store."""

    @property
    def bind_addr(self):
        return parse_address(self.container.config.get(OPERATIONS_ADDRESS_KEY, "0.0.0.0:9000"))

    def get_wsgi_app(self):
        [operations] = self._providers
        return OperationsApp(operations)


class BoundedHttpEntrypoint(HttpRequestHandler):
    server = BoundedWebServer()


# Use this instead of nameko.web.handlers.http for the public routes.
http = BoundedHttpEntrypoint.decorator


class OperationsApp:
    """``/livez``, ``/readyz`` and ``/metrics``, answered in the connection's own thread."""

    def __init__(self, operations):
        self.routes = {"/livez": operations.liveness, "/readyz": operations.readiness,
                       "/metrics": operations.metrics}

    def __call__(self, environ, start_response):
        request = Request(environ)
        route = self.routes.get(request.path)
        if route is None:
            response = NotFound()
        elif request.method not in ("GET", "HEAD"):
            response = MethodNotAllowed(valid_methods=["GET", "HEAD"])
        else:
            response = route()
        return response(environ, start_response)


class Operations(DependencyProvider):
    """Serves the process's probes and metrics (``OperationsWebServer``); checks the broker
    and, where the service has one, its store; and asks every dependency that has an
    ``unready()`` (a read model being loaded) why it cannot serve yet: its reason, or None.
    ``gauges``, if given, is called with the service's database at each scrape, to refresh
    the gauges read from the store."""

    server = OperationsWebServer()

    def __init__(self, gauges=None):
        self.gauges = gauges

    def setup(self):
        self.amqp_uri = self.container.config[AMQP_URI_CONFIG_KEY]
        self.databases = [d for d in self.container.dependencies
                          if isinstance(d, MongoDatabase)]
        self.warming = [d for d in self.container.dependencies
                        if callable(getattr(d, "unready", None))]
        self.consumes_events = any(isinstance(e, ReliableEventHandler)
                                   for e in self.container.entrypoints)
        self.server.register_provider(self)

    def stop(self):
        # The server stops once its provider has gone: after the workers in flight, so
        # that /readyz says "stopping" throughout the drain (chassis.shutdown).
        self.server.unregister_provider(self)

    def liveness(self):
        return Response("ok\n", mimetype="text/plain")

    def readiness(self):
        problems = self.failures()
        if problems:
            log.warning("not ready: %s", problems)
        return Response(json.dumps({"ready": not problems, "problems": problems}),
                        status=503 if problems else 200, mimetype="application/json")

    def metrics(self):
        self.measure()
        return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)

    def failures(self):
        """What keeps this process from serving: stopping (chassis.shutdown), an
        unreachable broker or store."""
        if getattr(self.container, "draining", False):
            return {"shutdown": "stopping"}
        problems = {}
        try:
            with get_connection(self.amqp_uri) as connection:
                connection.ensure_connection(max_retries=1, timeout=PROBE_SECONDS)
        except (OSError, OperationalError) as exc:
            problems["broker"] = str(exc)
        for database in self.databases:
            try:
                with pymongo.timeout(PROBE_SECONDS):  # a probe answers quickly
                    database.client.admin.command("ping")
            except PyMongoError as exc:
                problems["store"] = str(exc)
            else:
                if database.unprepared:
                    problems["store"] = "not yet prepared: " + ", ".join(
                        sorted(database.unprepared))
        for dependency in self.warming:
            reason = dependency.unready()
            if reason:
                problems[dependency.attr_name] = reason
        return problems

    def measure(self):
        """Refresh the gauges read at scrape time: dead letters from the broker, the
        service's own from its store. What cannot be read keeps its last value."""
        if self.gauges:
            try:
                with pymongo.timeout(PROBE_SECONDS):
                    self.gauges(self.databases[0].database)
            except PyMongoError as exc:
                log.warning("gauges not refreshed: the store did not answer: %s", exc)
        if not self.consumes_events:
            return
        try:
            with get_connection(self.amqp_uri) as connection:
                queue = dead_letter_queue(self.container.service_name)(
                    connection.default_channel)
                _, depth, _ = queue.queue_declare(passive=True)
        except (OSError, OperationalError, AMQPError):
            log.warning("dead letters not counted: the broker did not answer")
            return
        DEAD_LETTERS.labels(self.container.service_name).set(depth)


class OperationsEndpoints:
    """Mix into a nameko service class to serve its probes and metrics on the operations
    address (``OPERATIONS_ADDRESS``), never on the public one; a service whose gauges are
    read from its store declares ``operations = Operations(gauges=...)`` instead."""

    operations = Operations()
    entrypoint_metrics = EntrypointMetrics()
    correlation = Correlation()
