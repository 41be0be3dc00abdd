"""Fixtures for tests that need the real system: RabbitMQ, the Mongo stand-in (or
MONGO_URI) and the services as real processes, apart from anything `make run` started."""
import json
import os
import queue
import subprocess
import threading
import time
import uuid
from contextlib import contextmanager

import pytest
import requests
from kombu import Connection, Exchange, Queue
from nameko.amqp.publish import get_producer

from chassis import events
from gateway.tokens import DevelopmentIssuer
from scripts import devstack

# Classic queues on the shared development broker (chassis/queues.py says why); the tests of
# the quorum shape ask for it themselves.
os.environ.setdefault("EVENT_QUEUE_TYPE", "classic")

SERVICES = ("registration", "evaluation", "certification", "notification")
# One vhost per test run, so that two runs on one broker (two developers, CI) stay apart.
TEST_VHOST = f"ocop-test-{os.getpid()}"


def publish(amqp_uri, event, on=None, routing_key=None):
    """Publish ``event`` as its service's relay would: to test what consumers do with it.
    A forger may choose the exchange (``on`` a service's) and routing key."""
    service = on or events.service_of(event)
    exchange = Exchange(f"{service}.events", type="topic", durable=True)
    with get_producer(amqp_uri) as producer:
        producer.publish(events.encode(event), exchange=exchange,
                         routing_key=routing_key or events.routing_key(event),
                         content_type=events.CONTENT_TYPE, content_encoding="utf-8",
                         delivery_mode=2, retry=True)


def wait_until(probe, seconds=20, interval=0.1, what="the condition"):
    """Poll ``probe`` until it returns something truthy, and return that."""
    deadline = time.monotonic() + seconds
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds}s waiting for {what}")
        time.sleep(interval)


@pytest.fixture(scope="session")
def amqp_uri():
    base = os.environ.get("AMQP_URI", devstack.DEFAULT_AMQP_URI)
    devstack.ensure_rabbitmq(base)
    yield devstack.ensure_vhost(base, TEST_VHOST, fresh=True)
    devstack.drop_vhost(base, TEST_VHOST)


@pytest.fixture(scope="session")
def mongo_uri(tmp_path_factory):
    if os.environ.get("MONGO_URI"):
        yield os.environ["MONGO_URI"]
        return
    directory = tmp_path_factory.mktemp("mongo")
    mongo = devstack.MongoStandIn(directory, devstack.free_port(), directory / "nx.log").start()
    yield mongo.uri
    mongo.stop()


@pytest.fixture(scope="session")
def issuer(tmp_path_factory):
    """The development identity provider the test stack's gateway trusts."""
    return DevelopmentIssuer(tmp_path_factory.mktemp("identity"))


# Every test calls from 127.0.0.1: the rate-limit tests start a gateway of their own.
UNLIMITED = {"RATE_LIMIT_PUBLIC": "100000/minute", "RATE_LIMIT_REGISTRATION": "100000/minute"}
# The front-end origin the test stack's gateway lets browsers call it from (CORS).
FRONT_END = "https://ocop.example.gov.vn"
# Agencies' test endpoints listen on 127.0.0.2, plain http; the rest of loopback stays
# refused by the SSRF guard (services/notification/ssrf.py).
WEBHOOK_TARGETS = {"WEBHOOK_ALLOW_HTTP": "true", "WEBHOOK_ALLOWED_NETWORKS": "127.0.0.2/32"}


@pytest.fixture(scope="session")
def stack(amqp_uri, mongo_uri, issuer, tmp_path_factory):
    ports, ops_ports = devstack.free_ports()
    system = devstack.Stack(
        amqp_uri, mongo_uri, ports=ports, ops_ports=ops_ports, db_prefix=f"test_{uuid.uuid4().hex[:8]}_",
        log_dir=tmp_path_factory.mktemp("logs"),
        extra_env={"EVENT_RETRY_BASE_SECONDS": "0.05", "OUTBOX_POLL_SECONDS": "0.5",
                   "CORS_ALLOWED_ORIGINS": FRONT_END, **issuer.gateway_settings(),
                   **UNLIMITED, **WEBHOOK_TARGETS})
    try:
        system.start().wait_ready(90)
        yield system
    finally:
        system.stop()


@contextmanager
def gateway_of_its_own(amqp_uri, mongo_uri, log_dir, settings):
    """A second gateway process, beside the stack's, with ``settings``: its URL."""
    gateway = devstack.Stack(
        amqp_uri, mongo_uri, ports={"gateway": devstack.free_port()},
        ops_ports={"gateway": devstack.free_port()},
        db_prefix=f"test_{uuid.uuid4().hex[:8]}_", log_dir=log_dir, extra_env=settings)
    try:
        gateway.start("gateway").wait_ready(60)
        yield gateway.gateway_url
    finally:
        gateway.stop()


@contextmanager
def more_processes(stack, service, log_dir, settings, count=1):
    """``count`` more processes of ``service`` beside the stack's, on its broker and store,
    with ``settings`` added to the stack's (a timer's interval, a day to live on)."""
    processes = [devstack.Stack(stack.amqp_uri, stack.mongo_uri, ports={},
                                ops_ports={service: devstack.free_port()},
                                db_prefix=stack.db_prefix, log_dir=log_dir / f"{service}-{n}",
                                extra_env={**stack.extra_env, **settings})
                 for n in range(count)]
    try:
        for process in processes:
            process.amqp_uris = stack.amqp_uris
            process.start(service)
        for process in processes:
            process.wait_ready(60)
        yield
    finally:
        for process in processes:
            process.stop(service)


class Api:
    """The gateway's API as one caller: anonymous, or signed in with ``token``; ``people``,
    when it was signed in by them, for the others of the procedure it deals with."""

    def __init__(self, base_url, token=None, people=None):
        self.people = people
        self.root = base_url
        self.base = base_url + "/api/v1"
        self.http = requests.Session()
        if token:
            self.http.headers["Authorization"] = f"Bearer {token}"

    def get(self, path, **kwargs):
        return self.http.get(self.base + path, timeout=15, **kwargs)

    def post(self, path, body=None, **kwargs):
        return self.http.post(self.base + path, json=body, timeout=15, **kwargs)

    def put(self, path, body=None, **kwargs):
        return self.http.put(self.base + path, json=body, timeout=15, **kwargs)

    def delete(self, path, **kwargs):
        return self.http.delete(self.base + path, timeout=15, **kwargs)


@pytest.fixture(scope="session")
def api(stack):
    """An anonymous caller: public routes and producer registration."""
    return Api(stack.gateway_url)


class People:
    """Callers of the API in the roles of the procedure, with tokens of the test issuer."""

    def __init__(self, base_url, issuer, api=Api):
        self.base_url, self.issuer, self.api = base_url, issuer, api

    def anonymous(self):
        return self.api(self.base_url)

    def calling(self, roles, **claims):
        return self.api(self.base_url, self.issuer.token(roles, **claims), people=self)

    def producer(self, producer):
        return self.calling(["producer"], producers=[producer["id"]])

    def commune_officer(self, province="91", commune="30406"):
        return self.calling(["commune_officer"], province=province, commune=commune)

    def province_officer(self, province="91"):
        return self.calling(["province_officer"], province=province)

    def central_officer(self):
        return self.calling(["central_officer"])

    def member(self, name, council="province-91"):
        return self.calling(["council_member"], subject=name, councils=[council])

    def advisor(self, name, council="province-91"):
        return self.calling(["advisory_member"], subject=name, councils=[council])

    def admin(self):
        return self.calling(["admin"])


@pytest.fixture(scope="session")
def people(stack, issuer):
    return People(stack.gateway_url, issuer)


class EventTap:
    """A plain kombu consumer bound with ``#`` to every ``<service>.events`` exchange."""

    def __init__(self, amqp_uri):
        self.connection = Connection(amqp_uri)
        self.messages = queue.Queue()
        self.seen = []
        self.queue = Queue(f"tap-{uuid.uuid4().hex[:8]}", exclusive=True, auto_delete=True,
                           bindings=[])
        channel = self.connection.channel()
        self.queue = self.queue(channel)
        self.queue.declare()
        for service in SERVICES:
            exchange = Exchange(f"{service}.events", type="topic", durable=True)(channel)
            exchange.declare()
            self.queue.bind_to(exchange, routing_key="#")
        self.consumer = self.connection.Consumer(self.queue, callbacks=[self.on_message],
                                                 accept=["application/cloudevents+json"])
        self.consumer.consume()
        self.stopping = False
        self.thread = threading.Thread(target=self.drain, daemon=True)
        self.thread.start()

    def on_message(self, body, message):
        self.messages.put((message.delivery_info["exchange"],
                           message.delivery_info["routing_key"], message.content_type,
                           message.body))
        message.ack()

    def drain(self):
        while not self.stopping:
            try:
                self.connection.drain_events(timeout=0.2)
            except TimeoutError:
                pass
            except OSError:
                if not self.stopping:
                    raise

    def collect(self):
        while True:
            try:
                self.seen.append(self.messages.get_nowait())
            except queue.Empty:
                return self.seen

    def events(self, routing_key=None, subject=None):
        found = []
        for exchange, key, content_type, body in self.collect():
            event = json.loads(body)
            if (routing_key in (None, key)) and (subject in (None, event.get("subject"))):
                found.append(event)
        return found

    def wait_for(self, routing_key, subject, seconds=20):
        return wait_until(lambda: self.events(routing_key, subject), seconds,
                          what=f"{routing_key} for {subject}")[0]

    def close(self):
        self.stopping = True
        self.thread.join(2)
        self.connection.release()


@pytest.fixture(scope="session")
def chromium():
    """Debian's headless Chromium (installed by ``devstack`` when missing and we may), for
    what people look at in a browser: pages, the API's documentation page."""
    path = devstack.ensure_chromium()
    if path is None:
        pytest.skip("Debian's chromium is not installed and cannot be (not root, or no "
                    "apt-get): the pages are checked by parsing their HTML only")
    return path


def browse(chromium, url, *options):
    """The DOM (with ``--dump-dom``) or what else ``options`` ask of Chromium at ``url``."""
    done = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                           "--no-first-run", "--disable-dev-shm-usage", *options, url],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="session")
def tap(stack, amqp_uri):
    listener = EventTap(amqp_uri)
    yield listener
    listener.close()


@pytest.fixture(scope="session")
def councils(people):
    """An Giang's provincial council and the ministry's, as the tests' products need."""
    from tests.e2e.journeys import set_up_council
    return {scope: set_up_council(people, scope) for scope in ("province-91", "central")}
