from datetime import datetime, timezone

from services.certification.validity import certificate_code, expires_at, status, \
    superseded_by


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def test_valid_for_36_months():
    assert expires_at(utc(2026, 5, 22, 8)) == utc(2029, 5, 22, 8)


def test_a_leap_day_issue_expires_at_the_end_of_february():
    assert expires_at(utc(2024, 2, 29)) == utc(2027, 2, 28)


def test_status_valid_expired_revoked():
    certificate = {"expires_at": "2029-05-22T08:00:00.000000Z", "revoked_at": None}
    assert status(certificate, utc(2029, 5, 22, 7, 59)) == "valid"
    assert status(certificate, utc(2029, 5, 22, 8)) == "expired"
    assert status({**certificate, "revoked_at": "2027-01-01T00:00:00Z"},
                  utc(2027, 2, 1)) == "revoked"


def test_a_superseded_certificate_is_no_longer_valid():
    certificate = {"expires_at": "2029-05-22T08:00:00.000000Z", "revoked_at": None,
                   "superseded_by": "OCOP-91-2027-00003"}
    assert status(certificate, utc(2027, 2, 1)) == "superseded"
    assert status({**certificate, "superseded_by": None}, utc(2027, 2, 1)) == "valid"
    assert status({**certificate, "revoked_at": "2027-01-01T00:00:00Z"},
                  utc(2027, 2, 1)) == "revoked"


def certificate(code, issued_at, **changes):
    return {"_id": code, "issued_at": issued_at, "revoked_at": None, "superseded_by": None,
            "expires_at": issued_at.replace("2026", "2029", 1), **changes}


def test_a_new_certificate_supersedes_the_valid_ones_issued_before_it():
    first = certificate("OCOP-91-2026-00001", "2026-03-02T08:15:30.100000Z")
    revoked = certificate("OCOP-91-2026-00002", "2026-03-02T08:15:30.200000Z",
                          revoked_at="2026-03-02T09:00:00.000000Z")
    already = certificate("OCOP-91-2026-00003", "2026-03-02T08:15:30.300000Z",
                          superseded_by="OCOP-91-2026-00001")
    new = certificate("OCOP-91-2026-00004", "2026-03-02T08:15:30.400000Z")  # same second
    later = certificate("OCOP-91-2026-00005", "2026-03-02T08:15:30.500000Z")
    product = [first, revoked, already, new, later]
    assert superseded_by(new, product) == [first]
    # A result delivered again re-issues nothing, and never supersedes a later certificate.
    assert superseded_by(new, [{**first, "superseded_by": new["_id"]}, new, later]) == []


def test_an_expired_certificate_is_not_superseded():
    old = certificate("OCOP-91-2023-00001", "2023-03-02T08:15:30.000000Z",
                      expires_at="2026-03-02T08:15:30.000000Z")
    new = certificate("OCOP-91-2026-00004", "2026-05-02T08:15:30.000000Z")
    assert superseded_by(new, [old, new]) == []


def test_certificate_code():
    assert certificate_code("91", 2026, 37) == "OCOP-91-2026-00037"
