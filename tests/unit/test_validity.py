from datetime import datetime, timezone

from services.certification.validity import certificate_code, expires_at, status


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


def test_certificate_code():
    assert certificate_code("91", 2026, 37) == "OCOP-91-2026-00037"
