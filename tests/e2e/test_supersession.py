"""At most one valid certificate per product: an upgrade's certificate supersedes the first,
once, even when the result is delivered again or certification stopped half-way."""
import uuid

from pymongo import MongoClient

from tests.conftest import publish, wait_until
from tests.e2e.journeys import council_of, criteria_set, lowered_picks, product_in_stage, \
    propose, score
from tests.integration.test_reliability import certified_product, duplicates_seen

CONSUMER = "certification.on_evaluation_completed"


def certificates(api, product_id):
    return api.get("/certificates", params={"product_id": product_id}).json()


def test_an_upgrade_supersedes_the_first_certificate(api, people, tap, stack, mongo_uri,
                                                     amqp_uri, councils):
    producer, owner, product = certified_product(api, people)
    first = product["certificate_code"]
    propose(owner, product["id"], "upgrade")
    upgrade = wait_until(lambda: next((e for e in owner.get("/evaluations", params={
        "product_id": product["id"]}).json() if e["kind"] == "upgrade"), None),
        what="the upgrade's evaluation")
    score(people, upgrade, council_of(lowered_picks(criteria_set(api, "03"), drop=15)))
    subject = f"products/{product['id']}"
    superseded = tap.wait_for("certificate.superseded", subject)
    second = product_in_stage(owner, product["id"], "certified")["certificate_code"]
    assert second != first
    assert superseded["data"]["code"] == first
    assert superseded["data"]["superseded_by"] == second

    assert {c["code"]: (c["status"], c["superseded_by"])
            for c in certificates(api, product["id"])} == {
        second: ("valid", None), first: ("superseded", second)}
    verified = api.get(f"/certificates/{first}").json()
    assert verified["status"] == "superseded" and verified["superseded_by"] == second

    # As if certification had stopped between issuing the second and superseding the
    # first: the result delivered again completes the work, and issues nothing new.
    with MongoClient(mongo_uri) as client:
        client[f"{stack.db_prefix}certification"].certificates.update_one(
            {"_id": first}, {"$set": {"superseded_by": None, "superseded_at": None}})
    assert api.get(f"/certificates/{first}").json()["status"] == "valid"
    completed = [e for e in tap.events("evaluation.completed", subject)
                 if e["data"]["evaluation_id"] == upgrade["id"]][0]
    publish(amqp_uri, {**completed, "id": str(uuid.uuid4())})
    wait_until(lambda: api.get(f"/certificates/{first}").json()["status"] == "superseded",
               what="the first certificate to be superseded again")
    assert len(wait_until(lambda: tap.events("certificate.superseded", subject)[1:])) == 1
    seen = duplicates_seen(stack, "certification", CONSUMER)
    publish(amqp_uri, completed)  # a plain duplicate changes nothing either
    wait_until(lambda: duplicates_seen(stack, "certification", CONSUMER) == seen + 1,
               what="certification to see the duplicate")
    assert {c["code"]: c["status"] for c in certificates(api, product["id"])} == {
        second: "valid", first: "superseded"}
    assert len(tap.events("certificate.issued", subject)) == 2
