"""Product codes (T)-(X)-(STT)-(year) drawn by many proposals at once, through the real
driver and the store: one serial per product, 1 to n in the commune and year, none lost to
a refused or doubled attempt, and a serial drawn before a crash reused by the retry."""
import random
import re
import threading
import uuid

import pytest
from pymongo import MongoClient

from chassis.errors import Conflict
from chassis.identity import Identity
from services.registration import dossiers, product_codes, store as registration_store, \
    workflow
from services.registration.working_days import vietnam_date
from chassis.events import utc_now

COMMUNE = "30406"
PRODUCER = Identity("producer-1", frozenset({"producer"}))
COMMUNE_OFFICER = Identity("xa-phu-tan", frozenset({"commune_officer"}), "91", COMMUNE)
OFFICE = Identity("so-nnmt-an-giang", frozenset({"province_officer"}), "91")
FORM_03 = {"local_raw_material": "Lúa của xã", "local_labour": "Lao động của xã",
           "idea_origin": "Truyền thống", "local_identity": "Giống lúa địa phương"}


@pytest.fixture
def store(mongo_uri):
    client = MongoClient(mongo_uri)
    database = client[f"codes_{uuid.uuid4().hex[:8]}"]
    registration_store.prepare(database)
    yield registration_store.RegistrationStore(database)
    client.drop_database(database.name)
    client.close()


ASSESSMENT = [{"criterion": c["code"], "option": None, "evidence": [], "note": ""}
              for c in dossiers.criteria_of("03")]


def registered_products(store, n):
    producer = workflow.register_producer(store, {
        "name": "HTX Phú Tân", "kind": "cooperative",
        "tax_code": str(random.randrange(10 ** 9, 10 ** 10)), "province_code": "91",
        "commune_code": COMMUNE, "contact": {"email": "a@example.vn", "phone": "0296 381 2345"}})
    return [workflow.register_product(store, {
        "producer_id": producer["id"], "name": f"Gạo {i}", "category": "03",
        "description": ""}, PRODUCER)["id"] for i in range(n)]


def file(store, product_id):
    return workflow.file_dossier(store, product_id, {
        "kind": "first", "category": None, "self_assessment": ASSESSMENT}, PRODUCER)


def forwarded_products(store, n, checked=True):
    ids = registered_products(store, n)
    for product_id in ids:
        file(store, product_id)
        workflow.review_dossier(store, product_id, {"form_03": FORM_03, "samples": 5},
                                COMMUNE_OFFICER)
        if checked:
            workflow.check_completeness(store, product_id, OFFICE)
    return ids


def at_once(act, product_ids):
    """``act`` on every product at once, each on its own thread: (results, refusals)."""
    results, refusals, lock = [], [], threading.Lock()
    start = threading.Barrier(len(product_ids))

    def run(product_id):
        start.wait()
        try:
            result = act(product_id)
            with lock:
                results.append(result)
        except Conflict:
            with lock:
                refusals.append(product_id)

    threads = [threading.Thread(target=run, args=(p,)) for p in product_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results, refusals


def serial(code):
    return int(re.fullmatch(r"91-30406-(\d+)-(\d{4})", code).group(1))


def test_fifty_concurrent_proposals_draw_fifty_serials_without_gaps(store):
    ready = forwarded_products(store, 50)
    unchecked = forwarded_products(store, 5, checked=False)
    # Each checked product proposed twice at once (two officers), the unchecked ones too.
    codes, refusals = at_once(
        lambda p: workflow.propose_product(store, p, OFFICE)["product_code"],
        ready * 2 + unchecked)
    year = vietnam_date(utc_now()).year
    assert sorted(serial(c) for c in codes) == list(range(1, 51))
    assert all(c.endswith(f"-{year}") for c in codes)
    assert len(refusals) == 50 + 5
    assert store.counters.find_one({"_id": f"product:{COMMUNE}:{year}"})["last"] == 50
    for product_id in ready:
        product = store.products.find_one({"_id": product_id})  # with its pending events
        assert product["stage"] == "submitted" and product["claims"] == {}
        [event] = [e for e in product["outbox"].values()
                   if e["type"] == "vn.gov.ocop.product.submitted.v1"]
        assert event["data"]["product_code"] == product["product_code"]
    # The form numbers were drawn the same way, one per filing.
    numbers = [store.product(p)["dossier"]["form_number"] for p in ready + unchecked]
    assert sorted(int(n.split("/")[0]) for n in numbers) == list(range(1, 56))


def test_a_dossier_filed_twice_at_once_is_numbered_once(store):
    products = registered_products(store, 20)
    numbers, refusals = at_once(lambda p: file(store, p)["dossier"]["form_number"],
                                products * 2)
    assert sorted(int(n.split("/")[0]) for n in numbers) == list(range(1, 21))
    assert len(refusals) == 20
    assert {store.product(p)["dossier"]["form_number"] for p in products} == set(numbers)


def test_a_product_whose_commune_is_not_known_is_not_numbered(store):
    """As an imported record whose legacy units could not be mapped would be."""
    [product_id] = registered_products(store, 1)
    store.update_product(product_id, {}, {"$set": {"commune_code": None}})
    with pytest.raises(Conflict):
        file(store, product_id)
    assert store.product(product_id)["stage"] == "registered"
    assert store.counters.count_documents({}) == 0


def test_a_serial_drawn_before_a_crash_is_reused_by_the_retry(store):
    [product_id] = forwarded_products(store, 1)
    year = vietnam_date(utc_now()).year
    drawn = store.next_serial(product_codes.PRODUCT, COMMUNE, year)
    # As left by a proposal whose process died after drawing: a claim long expired.
    store.update_product(product_id, {}, {"$set": {"claims.product": {
        "at": int(utc_now().timestamp()) - product_codes.CLAIM_SECONDS - 5, "serial": drawn}}})
    proposed = workflow.propose_product(store, product_id, OFFICE)
    assert proposed["product_code"] == product_codes.product_code(drawn, "91", COMMUNE, year)
    assert store.counters.find_one({"_id": f"product:{COMMUNE}:{year}"})["last"] == drawn


def test_a_live_claim_refuses_a_second_proposal(store):
    [product_id] = forwarded_products(store, 1)
    store.update_product(product_id, {}, {"$set": {"claims.product": {
        "at": int(utc_now().timestamp())}}})
    with pytest.raises(Conflict):
        workflow.propose_product(store, product_id, OFFICE)
    assert store.product(product_id)["stage"] == "forwarded"
