"""``Idempotency-Key`` on POST and ``ETag``/``If-Match`` on updates, through the real
gateway, services, broker and store."""
import signal
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from pymongo import MongoClient

from scripts import devstack
from tests.conftest import UNLIMITED, Api, wait_until
from tests.e2e.journeys import (
    MEMBERS,
    best_picks,
    criteria_set,
    lowered_picks,
    open_evaluation,
    producer_registration,
    registered,
)
from tests.e2e.test_bad_input import assert_problem


def key():
    return str(uuid.uuid4())


def products_named(stack, mongo_uri, name):
    """How many products of that name the registration service stored."""
    with MongoClient(mongo_uri) as client:
        return client[f"{stack.db_prefix}registration"].products.count_documents(
            {"name": name})


def test_a_retried_registration_returns_the_producer_it_created(api):
    body, same = producer_registration(), {"Idempotency-Key": key()}
    first = api.post("/producers", body, headers=same)
    assert first.status_code == 201, first.text
    retried = api.post("/producers", body, headers=same)
    assert retried.status_code == 201 and retried.json() == first.json()
    assert retried.headers["Idempotency-Key-Replayed"] == "true"
    # Without a key a retry is a second registration, refused on its tax code.
    assert_problem(api.post("/producers", body), 409, "/tax_code")


def test_the_same_key_with_another_body_is_refused(api):
    same = {"Idempotency-Key": key()}
    assert api.post("/producers", producer_registration(), headers=same).status_code == 201
    problem = assert_problem(api.post("/producers", producer_registration(), headers=same),
                             422, "Idempotency-Key")
    assert problem["type"] == "urn:ocop:problem:idempotency-key-reused"
    assert_problem(api.post("/producers", producer_registration(),
                            headers={"Idempotency-Key": "ü" * 3}), 400)


def test_keys_belong_to_their_caller(api, people):
    """Two producers using the same key each get their own product."""
    shared = {"Idempotency-Key": "my-first-product"}
    made = []
    for _ in range(2):
        producer, owner, _ = registered(api, people)
        response = owner.post("/products", {"producer_id": producer["id"], "name": "Mắm cá",
                                            "category": "03"}, headers=shared)
        assert response.status_code == 201, response.text
        made.append(response.json()["id"])
    assert made[0] != made[1]


def test_twenty_concurrent_identical_requests_make_one_product(api, people, stack, mongo_uri):
    producer, owner, _ = registered(api, people)
    name = f"Bánh pía {uuid.uuid4().hex[:8]}"
    body, same = {"producer_id": producer["id"], "name": name, "category": "03"}, \
        {"Idempotency-Key": key()}
    with ThreadPoolExecutor(20) as pool:
        responses = list(pool.map(lambda _: owner.post("/products", body, headers=same),
                                  range(20)))
    statuses = sorted(r.status_code for r in responses)
    assert set(statuses) <= {201, 409} and 201 in statuses, statuses
    created = {r.json()["id"] for r in responses if r.status_code == 201}
    assert len(created) == 1
    for refused in (r for r in responses if r.status_code == 409):
        assert refused.json()["type"] == "urn:ocop:problem:idempotency-in-progress"
        assert refused.headers["Retry-After"]
    assert products_named(stack, mongo_uri, name) == 1
    again = owner.post("/products", body, headers=same)
    assert again.status_code == 201 and again.json()["id"] in created
    assert products_named(stack, mongo_uri, name) == 1


def running_keys(stack, mongo_uri):
    """How many requests the gateway records as running under a key."""
    with MongoClient(mongo_uri) as client:
        return client[f"{stack.db_prefix}gateway"].idempotency_keys.count_documents(
            {"state": "running"})


@pytest.fixture
def paused(stack):
    """Pause the registration service (SIGSTOP): its calls wait, as a slow service's do,
    until it goes on within the gateway's wait."""
    process = stack.processes["registration"]

    def pause():
        process.send_signal(signal.SIGSTOP)

    yield pause
    process.send_signal(signal.SIGCONT)


def producers_with_tax_code(stack, mongo_uri, tax_code):
    with MongoClient(mongo_uri) as client:
        return client[f"{stack.db_prefix}registration"].producers.count_documents(
            {"tax_code": tax_code})


def test_a_request_still_running_is_not_run_twice(api, paused, stack, mongo_uri):
    # A producer's registration: its rule locates nothing through registration, so the
    # key is taken before the paused service is called.
    body, same = producer_registration(), {"Idempotency-Key": key()}
    paused()
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(api.post, "/producers", body, headers=same)
        wait_until(lambda: running_keys(stack, mongo_uri), 10, what="the first to be running")
        running = assert_problem(api.post("/producers", body, headers=same), 409)
        assert running["type"] == "urn:ocop:problem:idempotency-in-progress"
        assert_problem(api.post("/producers", {**body, "name": "x" + body["name"]},
                                headers=same), 422, "Idempotency-Key")
        stack.processes["registration"].send_signal(signal.SIGCONT)
        created = first.result(timeout=30)
    assert created.status_code == 201, created.text
    replayed = api.post("/producers", body, headers=same)
    assert (replayed.status_code, replayed.json()) == (201, created.json())
    assert producers_with_tax_code(stack, mongo_uri, body["tax_code"]) == 1


def test_keys_outlive_a_gateway_restart(api, stack):
    body, same = producer_registration(), {"Idempotency-Key": key()}
    first = api.post("/producers", body, headers=same)
    assert first.status_code == 201
    stack.stop("gateway")
    stack.start("gateway").wait_ready(60, ["gateway"])
    retried = api.post("/producers", body, headers=same)
    assert (retried.status_code, retried.json()) == (201, first.json())


def test_a_council_is_changed_only_with_the_etag_last_read(people, api):
    scope, office = "province-92", people.province_officer("92")
    council = {"name": "Hội đồng OCOP Cần Thơ", "chair": "chair", "members": MEMBERS}
    created = office.put(f"/councils/{scope}", council)
    assert created.status_code == 200, created.text
    etag = api.get(f"/councils/{scope}").headers["ETag"]
    assert etag == created.headers["ETag"]
    assert_problem(office.put(f"/councils/{scope}", council), 428)
    changed = office.put(f"/councils/{scope}", {**council, "name": "Hội đồng mới"},
                         headers={"If-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    stale = assert_problem(office.put(f"/councils/{scope}", council,
                                      headers={"If-Match": etag}), 412)
    assert stale["type"] == "urn:ocop:problem:precondition-failed"
    assert api.get(f"/councils/{scope}").json()["name"] == "Hội đồng mới"
    # A council not yet set up cannot match an ETag.
    assert_problem(people.province_officer("68").put("/councils/province-68", council,
                                                     headers={"If-Match": '"1"'}), 412)


def test_a_sheet_is_rescored_only_with_the_etag_last_read(api, people, councils):
    _, owner, product = registered(api, people)
    evaluation = open_evaluation(owner, product["id"])
    rice, member = criteria_set(api, "03"), people.member("member-2")
    sheet = f"/evaluations/{evaluation['id']}/scores/member-2"
    assert_problem(member.get(sheet), 404)  # not scored yet
    assert member.post(f"/evaluations/{evaluation['id']}/scores",
                       {"picks": best_picks(rice)}).status_code == 201
    read = member.get(sheet)
    assert read.status_code == 200 and read.headers["ETag"] == '"1"'
    assert read.json()["total"] == 100
    lower = {"picks": lowered_picks(rice, drop=10)}
    assert_problem(member.put(sheet, lower), 428)
    assert member.put(sheet, lower, headers={"If-Match": '"1"'}).status_code == 200
    assert_problem(member.put(sheet, {"picks": best_picks(rice)},
                              headers={"If-Match": '"1"'}), 412)
    assert_problem(member.put(sheet, lower, headers={"If-Match": "W/1"}), 412)
    after = member.get(sheet)
    assert after.headers["ETag"] == '"2"' and after.json()["total"] < 100


def test_without_its_store_the_gateway_is_not_ready_and_keyed_posts_wait(
        stack, amqp_uri, issuer, tmp_path):
    """The gateway's store away: /readyz says so, a POST with a key is a 503 to retry (not
    run without its record), a POST without one and every read go on."""
    store = devstack.MongoStandIn(tmp_path / "mongo", devstack.free_port(),
                                  tmp_path / "nx.log").start()
    gateway = devstack.Stack(
        amqp_uri, store.uri, ports={"gateway": devstack.free_port()},
        ops_ports={"gateway": devstack.free_port()}, db_prefix="alone_", log_dir=tmp_path,
        extra_env={**issuer.gateway_settings(), **UNLIMITED})
    try:
        gateway.start("gateway").wait_ready(60)
        api = Api(gateway.gateway_url)
        store.stop()
        readyz = gateway.ops_url("gateway") + "/readyz"
        problems = wait_until(lambda: requests.get(readyz, timeout=10).json()["problems"], 30,
                              what="the gateway to be unready")
        assert "store" in problems
        refused = api.post("/producers", producer_registration(),
                           headers={"Idempotency-Key": key()})
        assert_problem(refused, 503)
        assert refused.headers["Retry-After"]
        assert api.post("/producers", producer_registration()).status_code == 201
        assert api.get("/categories").status_code == 200
    finally:
        gateway.stop()
        store.stop()
