"""A national-size data set: list and search requests at 20 connections, and the memory of
each process at rest and after the load.

    python -m bench.national [--producers 8500] [--products 20000] [--duration 8]
                             [--connections 20] [--profile-request WHAT]
                             [--single-field-indexes]

Writes a national data set straight into registration's and certification's own databases
of a stack of its own (own MongoDB stand-in, own RabbitMQ vhost), before the services
start: producers in the 34 provinces and their communes (current codes, vietnam-provinces),
one product per producer and the rest spread over them, one certificate per product. The
documents are the services' own: built by their workflow functions (``new_producer``,
``new_product``, ``new_certificate``), changed by their store's functions (activation,
revocation) and the daily timer's sweep, their events marked published as the relay leaves
them. Then the stack starts and each process's resident memory (``VmRSS`` of
``/proc/<pid>/status``) is read at rest; each list and search request runs under ``wrk``
(2 threads, 20 connections) beside the gateway's trivial ``/livez``, its p99 printed beside
the 100 ms target with the index its store declares for it and what the MongoDB stand-in's
SQLite does with it; memory is read again after. ``--profile-request`` samples the
processes that answer one request with py-spy while it is measured;
``--single-field-indexes`` measures the stand-in with the indexes that let it use the
declared ones (``SINGLE_FIELD_INDEXES``).

Needs ``wrk`` (Debian package ``wrk``, installed when running as root); without it the
requests are skipped with a message and only the memory is measured.
"""
import argparse
import json
import random
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple

import requests
from pymongo import MongoClient

from bench import table
from bench.load import ensure_wrk, memory, print_profiles, profiled, rss_mb, wrk
from bench.stack import bench_stack
from chassis import outbox, pages
from chassis.events import rfc3339, timestamp
from chassis.identity import CENTRAL_OFFICER, PROVINCE_OFFICER, Identity
from chassis.names import words
from chassis.provinces import COMMUNES, PROVINCES
from scripts import devstack
from services.certification import milestones, records, revocation, validity
from services.certification import store as certification_store
from services.certification import workflow as certification
from services.registration import producers as producer_rules
from services.registration import store as registration_store
from services.registration import workflow as registration
from services.registration.schemas import NewProducerSchema
from services.registration.stages import Move, target_of
from tests.e2e.journeys import producer_registration

P99_TARGET_MS = 100
RSS_CEILING_MB = 150
PROVINCE = "01"  # Hà Nội: the province whose officer lists its own
# Product names: what OCOP products are called, with the commune they come from.
GOODS = ("Gạo thơm", "Mật ong rừng", "Chè búp", "Cà phê rang", "Nước mắm", "Bánh tráng",
         "Miến dong", "Tương ớt", "Rượu nếp", "Khô cá", "Hạt điều", "Tinh dầu sả",
         "Bưởi da xanh", "Nấm linh chi", "Chả cá", "Mứt gừng", "Trà túi lọc", "Mắm tôm",
         "Bánh pía", "Nem chua")
SEARCHED = "mật ong"  # one product in twenty
FIRST_WORDS = ("Nông nghiệp", "Dịch vụ", "Sản xuất", "Thương mại", "Xanh")
STARS = ((3, 60), (4, 30), (5, 10))  # stars and their share in percent
REVOKED_PERCENT = 3
SERVICE_CALLER = Identity(subject="bench", roles=frozenset({"province_authority"}))


# The data set ------------------------------------------------------------------------------

def communes_by_province():
    places = {code: [] for code in PROVINCES}
    for commune, (_, province) in COMMUNES.items():
        places[province].append(commune)
    return places


def national_producers(count, places):
    """Producers as the registration service stores them on registration: the body a
    producer sends, loaded by its schema, made a document by ``new_producer``."""
    schema = NewProducerSchema()
    documents = []
    for n in range(count):
        province = random.choice(list(PROVINCES))
        commune = random.choice(places[province])
        body = {**producer_registration(
            name=f"HTX {random.choice(FIRST_WORDS)} {COMMUNES[commune][0]} {n}"),
            "province_code": province, "commune_code": commune}
        documents.append(registration.new_producer(str(uuid.uuid4()), schema.load(body)))
    return documents


def decision_day(today):
    """Most within the last 30 months; one in twenty in the six months before that (their
    re-rating window is open), one in twenty past its 36 months (expired)."""
    months = random.choices((range(0, 30), range(30, 36), range(36, 48)), (90, 5, 5))[0]
    return today - timedelta(days=int(random.choice(months) * 30.4 + random.randrange(30)))


def stars_drawn():
    return random.choices([s for s, _ in STARS], [share for _, share in STARS])[0]


class Numbering:
    """Certificate numbers in the service's format (``validity.certificate_code``), counted
    here: the service's own numbering keeps each on its result, three round trips a
    certificate that say nothing about lists."""

    def __init__(self):
        self.last = {}

    def number_for(self, evaluation_id, authority, year):
        self.last[(authority, year)] = self.last.get((authority, year), 0) + 1
        return validity.certificate_code(authority, year, self.last[(authority, year)])

    def serials(self):
        """The serial counters as certification keeps them, so the stack numbers on."""
        return [{"_id": f"{authority}-{year}", "last": last}
                for (authority, year), last in self.last.items()]


def certified(product, producer, numbering, today):
    """The result evaluation announced for ``product`` and the certificate the authority's
    recognition made of it (``new_certificate``), not yet valid."""
    stars = stars_drawn()
    level = "central" if stars == 5 else "province"
    result = {"_id": str(uuid.uuid4()), "product_id": product["_id"],
              "producer_id": producer["_id"], "name": product["name"],
              "producer_name": producer["name"], "category": product["category"],
              "province_code": producer["province_code"],
              "commune_code": producer["commune_code"], "level": level, "kind": "first",
              "score": {3: 62.0, 4: 78.5, 5: 92.0}[stars], "stars": stars, "recognised": True,
              "rule_version": "26/2026", "product_code": None}
    return certification.new_certificate(numbering, result, {
        "reference": f"{random.randrange(1, 3000)}/QĐ-UBND", "date": decision_day(today)},
        SERVICE_CALLER)


def product_documents(certificates, producers_by_id, today):
    """The products as registration keeps them once certification's events reached it
    (``on_certificate_issued``, ``_revoked``, ``_expired``)."""
    for certificate in certificates:
        status = validity.status(certificate, today)
        move = {validity.VALID: Move.CERTIFY, validity.EXPIRED: Move.EXPIRE,
                validity.REVOKED: Move.REVOKE}[status]
        producer = producers_by_id[certificate["producer_id"]]
        yield registration.new_product(
            certificate["product_id"], {"producer_id": producer["_id"],
                                        "name": certificate["product_name"],
                                        "category": certificate["category"],
                                        "description": ""}, producer,
            stage=target_of(move).value, evaluation_id=certificate["evaluation_id"],
            score=certificate["score"], stars=certificate["stars"],
            certificate_code=certificate["_id"], certificate_expires_at=None
            if status == validity.REVOKED else rfc3339(validity.start_of(
                validity.day(certificate["expires_on"]))))


def write_national(database, producer_count, product_count):
    """Write the data set into registration's and certification's databases (``database``:
    a service's name → its pymongo database); returns what was written, by collection."""
    today = certification.today()
    places = communes_by_province()
    producers = national_producers(producer_count, places)
    producers_by_id = {p["_id"]: p for p in producers}
    numbering = Numbering()
    certificates = []
    for n in range(product_count):
        producer = producers[n] if n < len(producers) else random.choice(producers)
        commune_name = COMMUNES[producer["commune_code"]][0]
        product = {"_id": str(uuid.uuid4()), "name": f"{random.choice(GOODS)} {commune_name}",
                   "category": f"{random.randrange(1, 26):02d}"}
        if not producer_rules.may_register(producer["kind"], product["category"]):
            product["category"] = producer_rules.TOURISM
        certificates.append(certified(product, producer, numbering, today))

    for service, store in (("registration", registration_store),
                           ("certification", certification_store)):
        store.prepare(database[service])  # as each service does when it starts
    certificates_store = certification_store.CertificationStore(database["certification"])
    certificates_store.certificates.insert_many(
        [outbox.new_document(c, []) for c in certificates], ordered=False)
    certificates_store.serials.insert_many(numbering.serials())
    with ThreadPoolExecutor(4) as writers:  # as recognition activates each; none held before
        list(writers.map(lambda c: certificates_store.activate(
            c["_id"], c["product_id"], milestones.next_day(c), []), certificates))
    revoked = random.sample(certificates, len(certificates) * REVOKED_PERCENT // 100)
    for certificate in revoked:
        decision = revocation.decision({"ground": "criteria_not_met",
                                        "finding_reference": "12/KL-TTr",
                                        "finding_date": today}, today)
        revision = records.revision_of(certificates_store.get(certificate["_id"]))
        certificates_store.revoke(certificate["_id"], revision, {
            "revocation": {**decision, "by": SERVICE_CALLER.subject},
            "revoked_at": timestamp()}, [])
    certification.sweep(certificates_store, today)  # the daily timer: expiries, milestones
    # Their events went out long ago: as the relay leaves a document it published.
    certificates_store.certificates.update_many({}, {"$set": {"outbox": {}, outbox.PENDING: 0}})
    stored = {c["_id"]: c for c in certificates_store.certificates.find({}, {"outbox": 0})}

    registrations = registration_store.RegistrationStore(database["registration"])
    registrations.insert_new("producers", [outbox.new_document(p, []) for p in producers])
    registrations.insert_new("products", [outbox.new_document(p, []) for p in product_documents(
        stored.values(), producers_by_id, today)])
    return {"producers": len(producers), "products": len(stored),
            "certificates": {state: sum(1 for c in stored.values() if c["state"] == state)
                             for state in sorted({c["state"] for c in stored.values()})}}


# The requests --------------------------------------------------------------------------------

class Request(NamedTuple):
    """A list or search request: who sends it (``caller``: a token's role, None for the
    public), the service's collection and query behind it, and the index its store
    declares for that query; or, for a public list, which of the gateway's read model's
    key lists serves it (``read_model``: no store is asked)."""
    what: str
    path: str
    caller: str | None
    service: str
    collection: str | None = None
    query: dict | None = None
    index: str | None = None
    read_model: str | None = None


def registration_query(collection, filters):
    if "name" in filters:
        filters = {**filters, "name": words(filters["name"])}
    return registration_store.list_query(collection, filters)


REQUESTS = (
    Request("producers of a province", f"/api/v1/producers?province={PROVINCE}",
            PROVINCE_OFFICER, "registration", "producers",
            registration_query("producers", {"province": PROVINCE}), "(province_code, listed)"),
    Request("producers, whole country", "/api/v1/producers", CENTRAL_OFFICER, "registration",
            "producers", registration_query("producers", {}), "(listed)"),
    Request("producers found by name", "/api/v1/producers?name=n%C3%B4ng%20nghi%E1%BB%87p",
            CENTRAL_OFFICER, "registration", "producers",
            registration_query("producers", {"name": "nông nghiệp"}),
            "(search_words, listed), multikey"),
    Request("products of a province", f"/api/v1/products?province={PROVINCE}",
            PROVINCE_OFFICER, "registration", "products",
            registration_query("products", {"province": PROVINCE}), "(province_code, listed)"),
    Request("products found by name", "/api/v1/products?name=m%E1%BA%ADt%20ong",
            CENTRAL_OFFICER, "registration", "products",
            registration_query("products", {"name": SEARCHED}),
            "(search_words, listed), multikey"),
    Request("5★ products, whole country", "/api/v1/products?stars=5", CENTRAL_OFFICER,
            "registration", "products", registration_query("products", {"stars": 5}),
            "(stars, listed)"),
    Request("certificates of a province", f"/api/v1/certificates?province={PROVINCE}", None,
            "gateway", read_model="the province's certificates issued"),
    Request("5★ certificates", "/api/v1/certificates?stars=5", None, "gateway",
            read_model="every certificate issued; stars checked on each"),
    Request("revoked certificates", "/api/v1/certificates?status=revoked", None, "gateway",
            read_model="every certificate issued; the status on the day checked on each"),
    Request("certified products of a province",
            f"/api/v1/certified-products?province={PROVINCE}", None, "gateway",
            read_model="the province's valid certificates; in force on the day checked"),
    Request("certified products, whole country", "/api/v1/certified-products", None,
            "gateway", read_model="every valid certificate; in force on the day checked"),
)


# The stand-in's own Python explains a list's query with its sort and limit, as it runs it
# (its server's ``explain`` command leaves both out), on the database's SQLite file.
EXPLAIN = """
import json, sys
import neosqlite
with neosqlite.Connection(sys.argv[1]) as connection:
    cursor = connection[sys.argv[2]].find(json.loads(sys.argv[3]))
    cursor = cursor.sort([("listed", -1), ("_id", -1)]).limit(int(sys.argv[4]))
    print(json.dumps([s["detail"] for s in cursor.explain()["queryPlanner"]["winningPlan"]]))
"""


def stand_in_plan(data_dir, database_name, request):
    """What the MongoDB stand-in's SQLite does for the request's query, newest first, a
    page at a time: e.g. ``SEARCH … USING INDEX …`` or ``SCAN … USING INDEX …``, and the
    per-row subqueries of a filter it checks on each document it walks."""
    python = devstack.NX_27017.parent / "python"
    plan = subprocess.run(
        [str(python), "-c", EXPLAIN, str(Path(data_dir) / f"{database_name}.db"),
         request.collection, json.dumps(request.query), str(pages.DEFAULT_LIMIT + 1)],
        capture_output=True, text=True, check=True).stdout
    steps = json.loads(plan)
    checked = " (filter checked on each row walked)" if any(
        "SUBQUERY" in step for step in steps) else ""
    return steps[0] + checked


# The run -------------------------------------------------------------------------------------

# Indexes of one field each, which the services do not declare (on MongoDB the compound
# indexes beginning with it serve these lists): with one, the stand-in's query builder
# keeps an equality on that field indexable, and SQLite uses the declared compound index.
SINGLE_FIELD_INDEXES = (("registration", "producers", "province_code"),
                        ("registration", "products", "province_code"),
                        ("registration", "products", "stars"),
                        ("certification", "certificates", "province_code"))


def add_single_field_indexes(databases):
    for service, collection, field in SINGLE_FIELD_INDEXES:
        databases[service][collection].create_index(field)


def rows(producers=8500, products=20_000, duration=8, connections=20, profile_request=None,
         single_field_indexes=False):
    """``profile_request``: the ``what`` of a request in ``REQUESTS`` to profile with
    py-spy (gateway, the service that answers it and the store) while it is measured;
    ``single_field_indexes``: add ``SINGLE_FIELD_INDEXES`` to the stand-in's databases (an
    experiment: what the stand-in gives once it can use the declared indexes)."""
    wrk_found = ensure_wrk()
    written = {}

    def seed(mongo_uri, db_prefix):
        with MongoClient(mongo_uri, tz_aware=True) as client:
            started = time.perf_counter()
            databases = {name: client[db_prefix + name] for name in (
                "registration", "certification")}
            counts = write_national(databases, producers, products)
            if single_field_indexes:
                add_single_field_indexes(databases)
            written.update(counts, seconds=time.perf_counter() - started)
        print(f"national data set written in {written['seconds']:.0f} s: {counts}", flush=True)

    with bench_stack("ocop-bench-national", seed) as bench:
        stack, issuer, store_pid = bench.stack, bench.issuer, bench.mongo.process.pid
        time.sleep(5)  # past the start's imports and connections
        at_rest, store_at_rest = memory(stack), rss_mb(store_pid)
        tokens = {PROVINCE_OFFICER: issuer.token([PROVINCE_OFFICER], province=PROVINCE,
                                                 minutes=120),
                  CENTRAL_OFFICER: issuer.token([CENTRAL_OFFICER], minutes=120), None: None}
        measured = [(request, None if request.read_model else stand_in_plan(
            bench.directory, bench.db_prefix + request.service, request))
            for request in REQUESTS]
        for request, _ in measured:
            answer = requests.get(stack.gateway_url + request.path, timeout=30, headers={
                "Authorization": f"Bearer {tokens[request.caller]}"} if request.caller else {})
            answer.raise_for_status()
            assert answer.json(), f"{request.path} lists nothing"
        loads = []
        if wrk_found:
            trivial = wrk(stack.ops_url("gateway") + "/livez", connections, duration)
            for request, _ in measured:
                profile = profiled({**{name: stack.processes[name].pid for name in {
                    "gateway", request.service}}, "nx-27017": store_pid},
                    duration, bench.directory) if request.what == profile_request else None
                loads.append(wrk(stack.gateway_url + request.path, connections, duration,
                                 tokens[request.caller]))
                print(f"{request.what}: {loads[-1]}", flush=True)
                if profile:
                    print_profiles(request.what, profile())
        after, store_after = memory(stack), rss_mb(store_pid)

    results = []
    if not wrk_found:
        print("wrk is not installed (Debian package wrk; run as root to have it installed): "
              "the list and search requests are skipped", flush=True)
    else:
        ceiling = f"/livez: p99 {trivial.p99_ms:.0f} ms, {trivial.per_second:,.0f}/s"
        for (request, plan), load in zip(measured, loads):
            failures = f", {load.failed} failed" if load.failed else ""
            served = f"the gateway's read model: {request.read_model}" if request.read_model \
                else f"index {request.index}; stand-in: {plan}"
            results.append(table.Row(
                f"p99 {request.what} (`{request.path}`), {served}",
                f"{load.p99_ms:.0f} ms (p50 {load.p50_ms:.0f} ms, "
                f"{load.per_second:,.0f}/s{failures})" if load.answered else
                f"no answer in {duration} s{failures}", ceiling,
                f"≤ {P99_TARGET_MS} ms at {connections} connections",
                bool(load.answered) and load.p99_ms <= P99_TARGET_MS and not load.failed))
    for name in at_rest:
        results.append(table.Row(
            f"RSS of {name}, the national data set stored", f"{at_rest[name]:.0f} MB at rest, "
            f"{after[name]:.0f} MB after the load", f"{RSS_CEILING_MB} MB",
            f"≤ {RSS_CEILING_MB} MB", max(at_rest[name], after[name]) <= RSS_CEILING_MB))
    results.append(table.Row(
        "RSS of the MongoDB stand-in (nx-27017, not a service)",
        f"{store_at_rest:.0f} MB at rest, {store_after:.0f} MB after"))
    results.append(table.Row(
        "national data set written (services' document functions, one stack)",
        f"{written['producers']:,} producers, {written['products']:,} products, "
        f"certificates {written['certificates']} in {written['seconds']:.0f} s"))
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--producers", type=int, default=8500)
    parser.add_argument("--products", type=int, default=20_000)
    parser.add_argument("--duration", type=int, default=8, help="seconds of wrk per request")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--profile-request", metavar="WHAT", choices=[r.what for r in REQUESTS],
                        help="profile the processes that answer this request with py-spy")
    parser.add_argument("--single-field-indexes", action="store_true",
                        help="add indexes of province_code and stars alone to the stand-in's "
                             "databases, which let it use the declared compound indexes")
    arguments = parser.parse_args()
    print(table.heading("python -m bench.national"))
    print(table.markdown(rows(**vars(arguments))))


if __name__ == "__main__":
    main()
