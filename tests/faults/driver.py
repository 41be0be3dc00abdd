"""Journeys driven as a patient client would drive them through faults, and every exchange
with the gateway recorded for the accounting afterwards.

A journey is the steps of tests/e2e/journeys.py, whoever changes them: a step the gateway
answers 502/503/504 or not at all is tried again; a step whose effect a read shows is
taken as done (its answer was lost, not its work); a wait that runs out is waited on
longer. Each request carries an ``X-Correlation-Id`` of its own, which the services'
audit trail records with every command they run: the accounting finds which request ran
which command, and when."""
import queue
import re
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass

import requests

from tests.conftest import Api
from tests.e2e.journeys import (
    checked_complete, council_of, decide, evaluation_opened, filed, product_in_stage,
    proposed, recognise, registered, reviewed_by_commune, submit_sheets)

UUID = re.compile(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}")
NO_ANSWER = "no answer"  # the status of a request that got none (connection, timeout)
TRANSIENT = {502, 503, 504, NO_ANSWER}
STEP_SECONDS = 180
# A product's way, in order (services.registration.stages): a step is done once its
# product has gone past the stage the step leaves.
WAY = ("registered", "filed", "forwarded", "submitted", "under_evaluation", "evaluated",
       "certified")
FINAL_STAGE = WAY[-1]
# A registration killed between claiming a product for a numbered act (filing, proposal)
# and doing it leaves the claim, which refuses the act (409) until it is stale
# (services.registration.product_codes.CLAIM_SECONDS): the step is tried again, every
# CLAIM_WAIT_SECONDS.
CLAIMED = {409}
CLAIM_WAIT_SECONDS = 5


@dataclass
class Exchange:
    correlation_id: str
    method: str
    path: str
    status: object
    sent: float  # time.time()
    answered: float
    journey: str = None  # the journey that made it, if any


class Recorder:
    """Every request of every client, and each thread's last one."""

    def __init__(self):
        self.exchanges = []
        self.lock = threading.Lock()
        self.local = threading.local()

    def add(self, exchange):
        exchange.journey = getattr(self.local, "journey", None)
        with self.lock:
            self.exchanges.append(exchange)
        self.local.last = exchange

    def last(self):
        return getattr(self.local, "last", None)

    def by_correlation(self):
        with self.lock:
            return {e.correlation_id: e for e in self.exchanges}

    def troubled_journeys(self):
        """Journeys some request of which got a transient answer, or none."""
        with self.lock:
            return {e.journey for e in self.exchanges if e.status in TRANSIENT and e.journey}

    def refusals(self):
        """Which requests were refused (4xx): Counter of 'METHOD path status', ids in the
        path written {id}."""
        with self.lock:
            return Counter(f"{e.method} {UUID.sub('{id}', e.path)} {e.status}"
                           for e in self.exchanges
                           if e.status != NO_ANSWER and 400 <= e.status < 500)

    def client_errors(self):
        """How many answers of each status >= 400 (or none at all) clients got."""
        with self.lock:
            return Counter(str(e.status) for e in self.exchanges
                           if e.status == NO_ANSWER or e.status >= 400)


def recording_api(recorder):
    """An ``Api`` class whose every request is recorded by ``recorder``."""

    class RecordingApi(Api):
        def get(self, path, **kwargs):
            return self.recorded("GET", path, super().get, kwargs)

        def post(self, path, body=None, **kwargs):
            return self.recorded("POST", path, super().post, {"body": body, **kwargs})

        def put(self, path, body=None, **kwargs):
            return self.recorded("PUT", path, super().put, {"body": body, **kwargs})

        def recorded(self, method, path, send, kwargs):
            correlation_id = f"faults-{uuid.uuid4().hex}"
            kwargs["headers"] = {**kwargs.get("headers", {}),
                                 "X-Correlation-Id": correlation_id}
            sent = time.time()
            try:
                response = send(path, **kwargs)
            except requests.RequestException:
                recorder.add(Exchange(correlation_id, method, path, NO_ANSWER, sent,
                                      time.time()))
                raise
            recorder.add(Exchange(correlation_id, method, path, response.status_code, sent,
                                  time.time()))
            return response

    return RecordingApi


class JourneyLost(Exception):
    pass


def persist(recorder, step, done=None, seconds=STEP_SECONDS, retry_on=()):
    """Run ``step`` until it succeeds; ``done`` reads whether its effect exists already
    (returning that effect), for a step whose answer was lost. An answer in ``retry_on``
    is tried again too, until ``seconds`` have passed."""
    deadline = time.monotonic() + seconds
    while True:
        if done is not None and (effect := done()):
            return effect
        try:
            return step()
        except Exception as exc:  # a helper's assertion, or a problem read as a resource
            if time.monotonic() > deadline:
                raise
            if str(exc).startswith("timed out") and done is not None:
                continue  # its command went through; what it waits for is late
            last = recorder.last()
            retried = TRANSIENT | set(retry_on)
            if (last is None or last.status not in retried) and (done is None or not done()):
                raise JourneyLost(f"{exc!r}; the last answer: {last}") from exc
            time.sleep(CLAIM_WAIT_SECONDS if last and last.status in retry_on else 1)


def quietly(read):
    """A read for ``persist``'s ``done``: no answer (a fault) reads as not done."""
    def probe():
        try:
            response = read()
        except requests.RequestException:
            return None
        return response.json() if response.status_code == 200 else None
    return probe


def journey(recorder, api, people, name, picks):
    """One product from registration to its final stage, each member scoring ``picks``;
    the product as it ends."""
    producer, owner, product = persist(recorder, lambda: registered(api, people, name=name))
    product_id = product["id"]
    read_product = quietly(lambda: owner.get(f"/products/{product_id}"))

    def past(stage):
        """Done: the product (as read) has gone past ``stage``."""
        def probe():
            read = read_product()
            return read if read and read["stage"] in WAY[WAY.index(stage) + 1:] else None
        return probe

    product = persist(recorder, lambda: filed(owner, product_id), done=past("registered"),
                      retry_on=CLAIMED)
    product = persist(recorder, lambda: reviewed_by_commune(owner, product),
                      done=past("filed"))
    persist(recorder, lambda: checked_complete(owner, product),
            done=lambda: (read_product() or {}).get("dossier", {}).get("completeness")
            or past("forwarded")())
    persist(recorder, lambda: proposed(owner, product), done=past("forwarded"),
            retry_on=CLAIMED)
    evaluation = persist(recorder, lambda: evaluation_opened(owner, product_id))
    chair = people.member("chair", evaluation["scope"])
    read_evaluation = quietly(lambda: chair.get(f"/evaluations/{evaluation['id']}"))
    for member, sheet in council_of(picks).items():
        persist(recorder, lambda: submit_sheets(people, evaluation, {member: sheet}),
                done=lambda: member in ((read_evaluation() or {}).get("sheets") or {}))
    completed = persist(recorder, lambda: decided(people, evaluation),
                        done=lambda: completed_one(read_evaluation()))
    certificates = quietly(lambda: api.get("/certificates", params={"product_id": product_id}))
    persist(recorder, lambda: recognise(people, completed), done=certificates)
    return persist(recorder, lambda: product_in_stage(owner, product_id, FINAL_STAGE))


def completed_one(evaluation):
    return evaluation if (evaluation or {}).get("status") == "completed" else None


def decided(people, evaluation):
    """The chair records the council's decision: the completed evaluation."""
    response = decide(people, evaluation)
    assert response.status_code == 200, response.text
    return response.json()


def run_journeys(recorder, api, people, picks, count, label, clients=4):
    """Start ``count`` journeys by ``clients`` clients at once: the clients' threads, and
    the list where each journey's (name, product or error) will be."""
    results, lock = [], threading.Lock()
    names = queue.SimpleQueue()
    for n in range(count):
        names.put(f"{label} {n + 1}")

    def client():
        while True:
            try:
                name = names.get_nowait()
            except queue.Empty:
                return
            recorder.local.journey = name
            try:
                outcome = journey(recorder, api, people, name, picks)
            except Exception as exc:  # a lost journey: counted, and shown by the test
                outcome = exc
            with lock:
                results.append((name, outcome))

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    return threads, results


def wait_for_journeys(threads, results, seconds=600):
    """(products that reached the final stage, [(name, error) of the others])."""
    deadline = time.monotonic() + seconds
    for thread in threads:
        thread.join(max(0.1, deadline - time.monotonic()))
    lost = [(name, outcome) for name, outcome in results if isinstance(outcome, Exception)]
    return [outcome for _, outcome in results if not isinstance(outcome, Exception)], lost
