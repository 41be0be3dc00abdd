"""A certificate's whole life through the real processes: issued on the authority's
recognition, superseded by an upgrade or a re-rating (one valid certificate per product, also
under concurrent issue), kept valid by a late re-rating, revoked by the authority of its
level, and the daily timer's milestones announced once each, on two processes at once."""
import threading
import time
from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from pymongo import MongoClient
from pymongo.errors import DuplicateKeyError

from services.certification import workflow
from services.certification.store import CertificationStore
from tests.conftest import more_processes, wait_until
from tests.e2e.journeys import MEMBERS, certified, council_of, criteria_set, decide, \
    lowered_picks, open_evaluation, product_in_stage, propose, recognise, recognition_of, \
    registered, score, submit_sheets, vietnam_today
from tests.e2e.test_bad_input import assert_problem


def certificates(api, product_id):
    return {c["code"]: c for c in api.get("/certificates", params={
        "product_id": product_id}).json()}


def resubmitted(owner, product_id, kind):
    propose(owner, product_id, kind)
    return wait_until(lambda: next((e for e in owner.get("/evaluations", params={
        "product_id": product_id}).json() if e["kind"] == kind), None),
        what=f"the {kind} evaluation")


def written_opinions(people, api, evaluation):
    """A re-rating is decided on every member's written opinion (Art. 7.6.d)."""
    submit_sheets(people, evaluation, {m: lowered_picks(criteria_set(api, "03"), 15)
                                       for m in MEMBERS})
    response = decide(people, evaluation)
    assert response.status_code == 200, response.text
    return response.json()


def test_an_upgrade_supersedes_the_first_certificate(api, people, tap, councils):
    owner, product, first = certified(api, people)
    assert first["status"] == "valid" and first["recognition"]["reference"] == "1234/QĐ-UBND"
    upgrade = resubmitted(owner, product["id"], "upgrade")
    decided = score(people, upgrade, council_of(lowered_picks(criteria_set(api, "03"), 12)))
    second = recognise(people, decided, reference="77/QĐ-UBND")
    subject = f"products/{product['id']}"
    superseded = tap.wait_for("certificate.superseded", subject)
    assert superseded["data"]["code"] == first["code"]
    assert superseded["data"]["superseded_by"] == second["code"]
    assert product_in_stage(owner, product["id"], "certified")["certificate_code"] == \
        second["code"]
    assert {code: (c["status"], c["superseded_by"]) for code, c in
            certificates(api, product["id"]).items()} == {
        second["code"]: ("valid", None), first["code"]: ("superseded", second["code"])}
    # Recognised once: the same result again issues nothing.
    again = recognition_of(people.calling(["province_authority"], province="91"), decided,
                           {"reference": "78/QĐ-UBND", "date": vietnam_today().isoformat()})
    assert_problem(again, 409)
    assert len(tap.events("certificate.issued", subject)) == 2


def test_one_valid_certificate_per_product_also_under_concurrent_issue(
        api, people, tap, stack, mongo_uri, councils):
    producer, owner, product = registered(api, people)
    evaluation = open_evaluation(owner, product["id"])
    decided = score(people, evaluation, council_of(lowered_picks(criteria_set(api, "03"), 15)))
    chair = people.calling(["province_authority"], province="91")
    decision = {"reference": "5/QĐ-UBND", "date": vietnam_today().isoformat()}
    wait_until(lambda: stack_result(stack, mongo_uri, decided["id"]),
               what="the result to reach certification")
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(chair.post(
        f"/evaluations/{decided['id']}/recognition", decision))) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # The same decision sent at once: one certificate, issued once. A request that finds it
    # being issued under the same decision completes it (as a retry would) and answers it.
    assert {a.status_code for a in answers} <= {201, 409}
    [valid] = certificates(api, product["id"]).values()
    assert {a.json()["code"] for a in answers if a.status_code == 201} == {valid["code"]}
    tap.wait_for("certificate.issued", f"products/{product['id']}")
    assert len(tap.events("certificate.issued", f"products/{product['id']}")) == 1

    with MongoClient(mongo_uri) as client:
        database = client[f"{stack.db_prefix}certification"]
        store = CertificationStore(database)
        # The store itself refuses a second valid certificate of the product...
        with pytest.raises(DuplicateKeyError):
            database.certificates.insert_one({"_id": "OCOP-91-2026-99990",
                                              "evaluation_id": "another",
                                              "valid_product_id": product["id"]})
        # ... and certificates issued at once for one product take turns: one stays valid.
        contenders = [{**store.get(valid["code"]), "_id": f"OCOP-91-2026-9999{n}",
                       "evaluation_id": f"concurrent-{n}", "state": "issuing",
                       "milestones": {}} for n in range(1, 5)]
        for contender in contenders:
            contender.pop("valid_product_id", None)
            assert store.insert(contender)
        threads = [threading.Thread(target=workflow.activate, args=(
            store, contender, vietnam_today())) for contender in contenders]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        states = {c["_id"]: c["state"] for c in store.for_product(product["id"])}
    assert list(states.values()).count("valid") == 1, states
    assert states[valid["code"]] == "superseded"
    assert set(states.values()) == {"valid", "superseded"}


def stored_certificates(stack):
    with MongoClient(stack.mongo_uri) as client:
        return list(client[f"{stack.db_prefix}certification"].certificates.find(
            {}, {"outbox": 0, "recognition": 0}))


def stack_result(stack, mongo_uri, evaluation_id):
    with MongoClient(mongo_uri) as client:
        return client[f"{stack.db_prefix}certification"].results.find_one(
            {"_id": evaluation_id})


def test_a_re_rating_on_time_supersedes_the_certificate(api, people, tap, councils):
    owner, product, old = certified(api, people, vietnam_today() + timedelta(days=150))
    re_rating = resubmitted(owner, product["id"], "re_rating")
    filed = wait_until(lambda: api.get(f"/certificates/{old['code']}").json()["re_rating"],
                       what="the filing recorded on the certificate")
    assert filed["late"] is False and filed["evaluation_id"] == re_rating["id"]
    assert filed["decision_due_on"] == (vietnam_today() + timedelta(days=45)).isoformat()
    new = recognise(people, written_opinions(people, api, re_rating))
    assert new["expires_on"] == (vietnam_today() + relativedelta(months=36)).isoformat()
    superseded = tap.wait_for("certificate.superseded", f"products/{product['id']}")
    assert superseded["data"]["superseded_by"] == new["code"]
    # The public verification is the gateway's read model: it follows the event.
    wait_until(lambda: api.get(f"/certificates/{old['code']}").json()["status"] ==
               "superseded", what="the public verification to say superseded")


def test_a_late_re_rating_keeps_the_certificate_valid_until_its_decision(api, people, tap,
                                                                         councils):
    expires_on = vietnam_today() + timedelta(days=30)  # the window closed 90 days ago
    owner, product, certificate = certified(api, people, expires_on)
    assert certificate["valid_until"] == expires_on.isoformat()
    issued = tap.wait_for("certificate.issued", f"products/{product['id']}")["data"]
    assert issued["renewal_closes_on"] == (expires_on - timedelta(days=120)).isoformat()
    re_rating = resubmitted(owner, product["id"], "re_rating")
    path = f"/certificates/{certificate['code']}"
    late = wait_until(lambda: (lambda c: c if c["re_rating"] else None)(api.get(path).json()),
                      what="the late filing recorded")
    assert late["re_rating"]["late"] is True
    assert late["valid_until"] == (expires_on + timedelta(days=180)).isoformat()
    # The decision ends the extension: knocked out before expiry, it expires as it would have.
    submit_sheets(people, re_rating, {m: lowered_picks(criteria_set(api, "03"), 15)
                                      for m in MEMBERS})
    assert decide(people, re_rating, {"knockouts": ["dossier"]}).status_code == 200
    decided = wait_until(lambda: (lambda c: c if c["re_rating"]["decided_on"] else None)(
        api.get(path).json()), what="the decision recorded")
    assert decided["valid_until"] == expires_on.isoformat()
    assert decided["status"] == "valid"


def test_revocation_by_the_authority_of_its_level(api, people, tap, councils):
    owner, product, certificate = certified(api, people)
    path = f"/certificates/{certificate['code']}/revocation"
    finding = (vietnam_today() - timedelta(days=20)).isoformat()
    body = {"ground": "law_violation", "finding_reference": "45/KL-ATTP",
            "finding_date": finding}
    for stranger in (people.calling(["central_authority"]),
                     people.calling(["province_authority"], province="79"),
                     people.province_officer("91"), people.producer({"id": product[
                         "producer_id"]})):
        assert_problem(stranger.post(path, body), 403)
    chair = people.calling(["province_authority"], province="91", subject="chair-91")
    assert_problem(chair.post(path, {**body, "ground": "a"}), 422, "/ground")
    assert_problem(chair.post(path, {**body, "finding_date": (
        vietnam_today() + timedelta(days=1)).isoformat()}), 422, "/finding_date")
    assert api.get(f"/certificates/{certificate['code']}").json()["status"] == "valid"

    revoked = chair.post(path, body)
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["status"] == "revoked"
    assert revoked.json()["revocation"] == {
        "ground": "law_violation", "finding_reference": "45/KL-ATTP", "finding_date": finding,
        "due_on": (vietnam_today() - timedelta(days=5)).isoformat(),
        "revoked_on": vietnam_today().isoformat(), "late": True}
    event = tap.wait_for("certificate.revoked", f"products/{product['id']}")
    assert event["data"]["late"] is True and event["data"]["ground"] == "law_violation"
    assert product_in_stage(owner, product["id"], "revoked")["certificate_code"] == \
        certificate["code"]
    assert_problem(chair.post(path, body), 409)
    assert api.get(f"/certificates/{certificate['code']}").json()["status"] == "revoked"


MILESTONE_KEYS = [f"certificate.{m}" for m in ("renewal_window_opened", "renewal_closing",
                                                "expiring", "expired")]


def test_the_timer_announces_each_milestone_once_on_two_processes(
        api, people, tap, stack, tmp_path, councils):
    """Two more certification processes live on tomorrow and sweep every 0.2 s, beside the
    stack's own: each milestone is announced once, whoever sweeps and however often."""
    tomorrow = vietnam_today() + timedelta(days=1)
    _, soon_product, soon = certified(api, people, vietnam_today() + timedelta(days=20))
    owner, ending_product, ending = certified(api, people, tomorrow)
    with more_processes(stack, "certification", tmp_path, {
            "MILESTONE_SWEEP_SECONDS": "0.2", "CERTIFICATION_TODAY": tomorrow.isoformat()},
            count=2):
        before = ["renewal_window_opened", "renewal_closing", "expiring"]
        expected = {f"products/{soon_product['id']}": before,
                    f"products/{ending_product['id']}": before + ["expired"]}

        def announced(subject):
            """One event per milestone: one id. (Each process's outbox relay may publish a
            pending event before another has removed it — at least once, same id, which
            every consumer de-duplicates.)"""
            return sorted(key.removeprefix("certificate.") for key in MILESTONE_KEYS
                          for _ in {e["id"] for e in tap.events(key, subject)})
        for subject, milestones in expected.items():
            try:  # the machine is shared: two more processes may take a while to sweep
                wait_until(lambda: announced(subject) == sorted(milestones), seconds=60)
            except AssertionError:
                raise AssertionError(f"{subject}: {announced(subject)} announced; stored: "
                                     f"{stored_certificates(stack)}") from None
        product_in_stage(owner, ending_product["id"], "expired")
        time.sleep(3)  # some thirty more sweeps, on both processes, announce nothing again
        for subject, milestones in expected.items():
            assert announced(subject) == sorted(milestones)
    assert api.get(f"/certificates/{ending['code']}").json()["status"] == "expired"
    assert api.get(f"/certificates/{soon['code']}").json()["status"] == "valid"
