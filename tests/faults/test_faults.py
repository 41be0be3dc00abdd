"""The fault suite: journeys driven through the gateway while, in turn, each process is
killed, the broker's application is stopped, the broker node is killed, the store is
killed, every event arrives twice, poison reaches every consumer, a journey's event is
parked until its cause is fixed and then replayed, a command's caller times out while its
service is down, and a recognition meets the evaluation service away. A journey goes the programme's way: registration, the dossier filed, forwarded by
the commune, checked and proposed by the province, scored, decided, recognised by the
province's chair, certified. Each fault's journeys must all reach their final stage; the last test counts what
the whole run left behind: nothing lost, nothing done twice, nothing run after its caller
was answered 503, no dead letters but the poison, no outbox backlog, no process down.

The tests run in order on one system (``conftest.System``), the last one accounting for
all of them. ``FAULT_JOURNEYS`` sets how many journeys each fault gets."""
import json
import os
import sqlite3
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import datetime

import pytest
from kombu import Connection

from chassis import brokers, deadletters
from chassis.handlers import ATTEMPTS_HEADER, ORIGINAL_QUEUE_HEADER
from chassis.queues import DELIVERY_LIMIT
from scripts.asyncapi import consumers
from tests.conftest import wait_until
from tests.e2e.journeys import (
    authority_for, council_of, evaluation_opened, open_evaluation, producer_registration,
    product_in_stage, propose, recognise, recognition_of, registered, score, vietnam_today)
from tests.faults.driver import (
    FINAL_STAGE, TRANSIENT, persist, run_journeys, wait_for_journeys)
from tests.faults.inject import Doubler, poison

JOURNEYS = int(os.environ.get("FAULT_JOURNEYS", 10))
# Journeys are under way before the fault strikes.
LEAD_SECONDS = 3
# Every product that reached its final stage, and every journey lost, over the run.
LEDGER = {"products": [], "lost": [], "poison": set(), "replayed": 0}
NOTIFIED = {f"vn.gov.ocop.{name}.v1" for name in
            ("dossier.forwarded", "product.submitted", "evaluation.opened",
             "evaluation.completed", "certificate.issued")}


def through(system, picks, label, fault):
    """Drive JOURNEYS journeys while ``fault(system)`` runs; every one must end certified."""
    threads, results = run_journeys(system.recorder, system.api, system.people, picks,
                                    JOURNEYS, label)
    time.sleep(LEAD_SECONDS)
    fault(system)
    products, lost = wait_for_journeys(threads, results)
    LEDGER["products"] += products
    LEDGER["lost"] += lost
    assert not lost, f"{len(lost)} of {JOURNEYS} journeys lost: {lost[:3]}"
    assert len(products) == JOURNEYS
    assert {p["stage"] for p in products} == {FINAL_STAGE}
    system.all_ready()


def test_the_services_queues_are_quorum_queues_with_a_delivery_limit(system):
    """Every fault below strikes the production shape: each consumer queue and its retry
    queue a quorum queue, the consumer queue with its delivery limit, dlq.* classic."""
    listed = system.node.ctl("list_queues", "name", "type", "arguments", "--formatter", "json")
    listed.check_returncode()
    queues = {q["name"]: q for q in json.loads(listed.stdout)}
    expected = {consumer.queue for consumer in consumers()}
    assert expected and expected <= set(queues), expected - set(queues)
    for name in expected:
        assert queues[name]["type"] == "quorum", queues[name]
        assert queues[f"{name}.retry"]["type"] == "quorum", queues[f"{name}.retry"]
        arguments = {argument[0]: argument[-1] for argument in queues[name]["arguments"]}
        assert arguments["x-delivery-limit"] == DELIVERY_LIMIT, arguments
    assert {queues[f"dlq.{service}"]["type"] for service in brokers.SERVICES} == {"classic"}


def test_kill_9_of_each_process_in_turn(system, picks):
    def kill_each(system):
        for name in (*brokers.SERVICES, brokers.GATEWAY):
            system.kill(name)
            time.sleep(2)
    through(system, picks, "fault kill", kill_each)
    assert set(system.exits()) >= {*brokers.SERVICES, brokers.GATEWAY}


def test_broker_application_stopped_and_started(system, picks):
    def restart_app(system):
        system.node.stop_app()
        time.sleep(5)
        system.node.start_app()
    through(system, picks, "fault broker app", restart_app)


def test_broker_node_killed_and_started_again(system, picks):
    def kill_node(system):
        system.node.kill()
        time.sleep(2)
        system.node.start()
    through(system, picks, "fault broker node", kill_node)


def test_store_killed_and_started_again_on_its_data(system, picks):
    def kill_store(system):
        system.store.process.kill()
        system.store.process.wait()
        time.sleep(5)
        system.store.start()
    through(system, picks, "fault store", kill_store)


def test_every_event_delivered_twice(system, picks):
    """A copy may arrive while its original is being handled, before the duplicate check
    could know it: what counts is the outcome, which the accounting checks."""
    with Doubler(system.node.amqp_uri) as doubler:
        through(system, picks, "fault twice", lambda system: None)
        time.sleep(2)  # the last copies
    assert doubler.copies >= 4 * JOURNEYS  # submitted, opened, completed, issued at least


def parked(amqp_uri):
    """Every message in every dead-letter queue: {service: [message]} (left parked)."""
    with Connection(amqp_uri) as connection:
        found = {service: deadletters.parked(connection, service, 10000)
                 for service in brokers.SERVICES}
        return {service: [(deadletters.text_of(m), m.headers) for m in messages]
                for service, messages in found.items()}


def dead_letter_tool(system, *arguments):
    return subprocess.run([sys.executable, "-m", "chassis.deadletters", *arguments,
                           "--amqp-uri", system.node.amqp_uri],
                          capture_output=True, text=True, check=True)


def test_poison_and_undecodable_messages_reach_every_consumer(system, picks):
    marker = f"poison-{uuid.uuid4().hex[:8]}"

    def inject(system):
        LEDGER["poison"] |= poison(system.node.amqp_uri, marker)
    through(system, picks, "fault poison", inject)
    expected = Counter(service for service, _, _ in LEDGER["poison"])
    assert sum(expected.values()) == 2 * len(consumers())

    def all_parked():
        found = parked(system.node.amqp_uri)
        return found if Counter({s: len(m) for s, m in found.items() if m}) == expected \
            else None
    found = wait_until(all_parked, 60, what="the poison in the dead-letter queues")
    # The poison, and only the poison: no journey's event among them.
    for service, messages in found.items():
        assert all(marker in text for text, _ in messages), messages
        assert {h[ORIGINAL_QUEUE_HEADER] for _, h in messages} == {
            queue for s, queue, _ in LEDGER["poison"] if s == service}
        assert all(h[ATTEMPTS_HEADER] == 1 for _, h in messages)
    for service in expected:
        listed = dead_letter_tool(system, "list", "--service", service)
        assert len(listed.stdout.splitlines()) == expected[service]
        assert "Eventlet" not in listed.stdout + listed.stderr
        purged = dead_letter_tool(system, "purge", "--service", service)
        assert f"{expected[service]} message(s) purged" in purged.stderr
    assert not any(parked(system.node.amqp_uri).values())


def test_a_journeys_event_parked_until_its_cause_is_fixed_completes_once_replayed(
        system, picks):
    """A valid event of a real journey whose handling fails until its cause is fixed:
    evaluation's store refuses every write (its database file locked by another program),
    and evaluation, allowed one attempt, parks the product's ``product.submitted``. The
    lock released and evaluation back to its usual settings, the operator replays the
    event with the dead-letter tool, and the journey goes on to its certificate."""
    api, people = system.api, system.people
    producer, owner, product = registered(api, people, name="fault replay")
    system.down("evaluation")
    system.up("evaluation", env={"EVENT_MAX_ATTEMPTS": "1"})
    database_file = system.store.data_dir / f"{system.database('evaluation').name}.db"
    lock = sqlite3.connect(database_file, isolation_level=None)
    try:
        lock.execute("BEGIN EXCLUSIVE")
        persist(system.recorder, lambda: propose(owner, product["id"]))

        def parked_event():
            listed = dead_letter_tool(system, "list", "--service", "evaluation")
            return [json.loads(line) for line in listed.stdout.splitlines()]
        [event] = wait_until(parked_event, 60, what="the product's event to be parked")
    finally:
        lock.close()  # its transaction with it: the cause fixed
    assert (event["type"], event["subject"], event["attempts"]) == (
        "vn.gov.ocop.product.submitted.v1", f"products/{product['id']}", 1)
    assert "database is locked" in event["error"]
    assert owner.get("/evaluations", params={"product_id": product["id"]}).json() == []

    system.kill("evaluation")  # the supervisor starts it with its usual settings
    system.all_ready()
    replayed = dead_letter_tool(system, "replay", event["id"], "--service", "evaluation")
    assert "1 message(s) replayed" in replayed.stderr
    LEDGER["replayed"] += 1
    decided = score(people, evaluation_opened(owner, product["id"]), council_of(picks))
    wait_until(lambda: system.database("certification").results.find_one(
        {"_id": decided["id"]}), 60, what="the result to reach certification")
    persist(system.recorder, lambda: recognise(people, decided, reference="78/QĐ-UBND"))
    LEDGER["products"].append(product_in_stage(owner, product["id"], FINAL_STAGE))
    assert not any(parked(system.node.amqp_uri).values())


def test_a_caller_that_timed_out_never_sees_its_command_run(system, picks):
    """Registration down longer than the gateway waits: registering answers 503 with
    Retry-After, and the request is not run when registration is back."""
    attempts = []

    def registration_down(system):
        system.down("registration")
        for _ in range(2):
            body = producer_registration()
            response = system.api.post("/producers", body)
            attempts.append((body["tax_code"], response))
        time.sleep(2)
        system.up("registration")
    through(system, picks, "fault timeout", registration_down)
    for tax_code, response in attempts:
        assert response.status_code == 503, response.text
        assert response.headers["Content-Type"] == "application/problem+json"
        assert int(response.headers["Retry-After"]) > 0
    time.sleep(2)  # what a late run would take
    producers = system.database("registration").producers
    assert producers.count_documents(
        {"tax_code": {"$in": [tax_code for tax_code, _ in attempts]}}) == 0


def test_a_recognition_while_evaluation_is_away_answers_503_and_issues_nothing(system, picks):
    """Certification checks a result with evaluation before it recognises it: evaluation
    away, the chair's recognition answers 503 with Retry-After (certification's own
    refusal, its wait shorter than the gateway's) and issues nothing; evaluation back,
    the recognition tried again certifies the product."""
    api, people = system.api, system.people
    producer, owner, product = registered(api, people, name="fault recognition")
    decided = score(people, open_evaluation(owner, product["id"]), council_of(picks))
    wait_until(lambda: system.database("certification").results.find_one(
        {"_id": decided["id"]}), 60, what="the result to reach certification")
    system.down("evaluation")
    system.down("certification")
    system.up("certification", env={"RPC_TIMEOUT_SECONDS": "1"})
    response = recognition_of(authority_for(people, decided), decided, {
        "reference": "77/QĐ-UBND", "date": vietnam_today().isoformat()})
    assert response.status_code == 503, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    assert int(response.headers["Retry-After"]) > 0
    assert "evaluation" in response.json()["detail"]
    assert api.get("/certificates", params={"product_id": product["id"]}).json() == []
    system.up("evaluation")
    system.kill("certification")  # the supervisor starts it with its usual settings
    system.all_ready()
    persist(system.recorder, lambda: recognise(people, decided, reference="77/QĐ-UBND"))
    LEDGER["products"].append(product_in_stage(owner, product["id"], FINAL_STAGE))


def audit_entries(system):
    """The commands the clients' requests ran: not those refused (which change nothing),
    but those done, failed, or cut short by a kill (still pending)."""
    return [entry for service in brokers.SERVICES
            for entry in system.database(service).audit.find(
                {"correlation_id": {"$regex": "^faults-"}})
            if not entry["outcome"].startswith("refused")]


def outbox_backlog(system, *services):
    """Documents whose events are not yet published, in ``services`` (default: all)."""
    return sum(system.database(service)[name].count_documents({"outbox_pending": {"$gt": 0}})
               for service in services or brokers.SERVICES
               for name in system.database(service).list_collection_names())


def test_accounting_nothing_lost_duplicated_or_run_after_503(system, capsys):
    products = LEDGER["products"]
    if not products:
        pytest.skip("no fault test ran")
    databases = {service: system.database(service) for service in brokers.SERVICES}
    evaluations = Counter(e["product_id"] for e in databases["evaluation"].evaluations.find(
        {"product_id": {"$in": [p["id"] for p in products]}}))
    certificates = Counter(c["product_id"] for c in databases["certification"].certificates
                           .find({"product_id": {"$in": [p["id"] for p in products]}}))
    inboxes = {p["producer_id"]: Counter(
        m["event_type"] for m in databases["notification"].inbox.find(
            {"recipient": f"producer:{p['producer_id']}"})) for p in products}

    exchanges = system.recorder.by_correlation()
    executed = Counter((e["correlation_id"], e["action"]) for e in audit_entries(system))
    twice = [key for key, times in executed.items() if times > 1]
    after_503, answer_lost = [], []
    for entry in audit_entries(system):
        exchange = exchanges[entry["correlation_id"]]
        if exchange.status in TRANSIENT:
            ran_at = datetime.fromisoformat(entry["at"].replace("Z", "+00:00")).timestamp()
            (after_503 if ran_at > exchange.answered else answer_lost).append(
                (entry["action"], exchange.status, entry["at"]))
    wait_until(lambda: outbox_backlog(system) == 0, 30, what="the outboxes to empty")
    dead = parked(system.node.amqp_uri)
    errors = system.recorder.client_errors()
    duplicated = (sum(n - 1 for n in evaluations.values() if n > 1)
                  + sum(n - 1 for n in certificates.values() if n > 1)
                  + sum(n - 1 for inbox in inboxes.values() for n in inbox.values() if n > 1)
                  + len(twice))
    with capsys.disabled():
        print(f"\nfault suite: journeys {len(products) + len(LEDGER['lost'])}, "
              f"lost {len(LEDGER['lost'])}, duplicated {duplicated}, "
              f"dead-lettered {len(LEDGER['poison'])} (poison, purged) and "
              f"{LEDGER['replayed']} (fixed, replayed), "
              f"commands run {len(executed)}, recovered {len(system.recorder.troubled_journeys())} "
              f"(journeys that met a fault), commands whose answer was lost "
              f"{len(answer_lost)}, run after a 503 {len(after_503)}, restarts "
              f"{dict(system.exits())}, client errors by status {dict(sorted(errors.items()))}"
              f" (refused: {dict(system.recorder.refusals())})")

    assert not LEDGER["lost"]
    assert all(evaluations[p["id"]] == 1 for p in products), evaluations
    assert all(certificates[p["id"]] == 1 for p in products), certificates
    assert all(set(inbox) == NOTIFIED and set(inbox.values()) == {1}
               for inbox in inboxes.values()), inboxes
    assert not twice, twice
    assert not after_503, after_503
    assert not any(dead.values()), dead
    # Every exit was one the tests caused, and the supervisor started everything again.
    assert not system.unexpected_exits(), system.restarts
    system.all_ready()
    assert all(process.poll() is None for process in system.stack.processes.values())
