"""The daily sweep against the real driver and store, on days of the test's choosing: each
milestone is claimed once even by sweeps running at the same moment, and a late re-rating
moves expiry up to 180 days past the certificate's date (Decision 26/2026 Art. 12.3)."""
import threading
import uuid
from datetime import date, timedelta

import pytest
from pymongo import MongoClient

from services.certification import renewal, store, workflow
from services.certification.milestones import MILESTONES

EXPIRES_ON = date(2029, 5, 22)


@pytest.fixture
def certificates(mongo_uri):
    with MongoClient(mongo_uri) as client:
        database = client[f"test_milestones_{uuid.uuid4().hex[:8]}"]
        store.prepare(database)
        yield store.CertificationStore(database)
        client.drop_database(database.name)


def valid_certificate(certificates, number, **changes):
    certificate = {
        "_id": f"OCOP-91-2026-{number:05d}", "evaluation_id": f"e-{number}",
        "product_id": f"p-{number}", "producer_id": "h-1", "province_code": "91",
        "stars": 4, "level": "province", "issued_on": "2026-05-22",
        "expires_on": EXPIRES_ON.isoformat(), "state": "issuing", "re_rating": None,
        "milestones": {}, "recognition": {"reference": "1/QĐ-UBND", "date": "2026-05-22"},
        "product_code": None, "category": "03", "score": 80.0, "rule_version": "26/2026",
        "issued_at": "2026-05-22T03:00:00.000000Z", **changes}
    assert certificates.insert(certificate)
    workflow.activate(certificates, certificate, date(2026, 5, 22))
    return certificate["_id"]


def announced(certificates, code):
    """The milestone events waiting in the certificate's outbox, by short name."""
    document = certificates.certificates.find_one({"_id": code})
    return sorted(e["type"].split(".")[4] for e in document["outbox"].values()
                  if e["type"] != "vn.gov.ocop.certificate.issued.v1")


def test_sweeps_at_the_same_moment_announce_each_milestone_once(certificates):
    codes = [valid_certificate(certificates, n) for n in range(1, 4)]
    day = EXPIRES_ON  # every milestone has come
    sweeps = [threading.Thread(target=workflow.sweep, args=(certificates, day))
              for _ in range(4)]
    for sweep in sweeps:
        sweep.start()
    for sweep in sweeps:
        sweep.join()
    workflow.sweep(certificates, day + timedelta(days=1))  # and the next day's run
    for code in codes:
        assert announced(certificates, code) == sorted(MILESTONES)
        assert certificates.get(code)["state"] == "expired"
        assert "next_milestone_day" not in certificates.get(code)
    assert certificates.with_milestones_due(day.toordinal() + 1000) == []


def test_each_day_announces_what_it_reached(certificates):
    code = valid_certificate(certificates, 7)
    workflow.sweep(certificates, EXPIRES_ON - timedelta(days=181))
    assert announced(certificates, code) == []
    workflow.sweep(certificates, EXPIRES_ON - timedelta(days=180))
    assert announced(certificates, code) == ["renewal_window_opened"]
    workflow.sweep(certificates, EXPIRES_ON - timedelta(days=30))
    assert announced(certificates, code) == ["expiring", "renewal_closing",
                                             "renewal_window_opened"]
    assert certificates.get(code)["state"] == "valid"


def file_re_rating(certificates, code, evaluation_id, filed_on):
    """A re-rating filed on ``filed_on``, recorded as certification records one."""
    workflow.change_re_rating(certificates, code, lambda held: workflow.filing(
        held, evaluation_id, filed_on))


def test_a_late_re_rating_moves_expiry_until_its_decision(certificates):
    code = valid_certificate(certificates, 9)
    file_re_rating(certificates, code, "e-late", EXPIRES_ON - timedelta(days=60))
    workflow.reschedule(certificates, code)
    workflow.sweep(certificates, EXPIRES_ON + timedelta(days=100))
    assert certificates.get(code)["state"] == "valid"  # under late re-rating
    assert "expired" not in announced(certificates, code)
    workflow.sweep(certificates, EXPIRES_ON + timedelta(days=180))
    assert certificates.get(code)["state"] == "expired"
    assert announced(certificates, code).count("expired") == 1
    [expired] = [e for e in certificates.certificates.find_one({"_id": code})["outbox"].values()
                 if e["type"].endswith(".expired.v1")]
    assert expired["data"]["valid_until"] == (EXPIRES_ON + timedelta(days=180)).isoformat()


def test_a_re_rating_filed_again_keeps_its_first_day(certificates):
    code = valid_certificate(certificates, 11)
    first = renewal.re_rating("e-first", EXPIRES_ON, EXPIRES_ON - timedelta(days=150))
    file_re_rating(certificates, code, "e-first", EXPIRES_ON - timedelta(days=150))
    file_re_rating(certificates, code, "e-again", EXPIRES_ON - timedelta(days=20))
    recorded = certificates.get(code)["re_rating"]
    assert recorded == {**first, "evaluation_id": "e-again"}
    assert certificates.re_rated_by("e-again")["_id"] == code
