"""The gateway's read model of the public certificates: a record never gives way to an
earlier revision of itself, the list of certified products walks it newest first, and what
is rendered is kept per revision and day."""
import json
from datetime import date, timedelta

import pytest

from chassis.errors import InvalidInput, NotFound
from gateway.certificates import PublicCertificates
from services.certification.validity import REVOKED, SUPERSEDED, VALID

TODAY = date(2026, 11, 30)


def record(code, revision=1, state=VALID, listed=1, province="91", commune="30406",
           category="03", stars=4, expires_on=date(2029, 11, 30), **fields):
    return {"code": code, "revision": revision, "state": state, "listed": listed,
            "product_id": f"product-{code}", "product_code": None, "product_name": "Gạo",
            "producer_name": "HTX", "category": category, "province_code": province,
            "commune_code": commune, "stars": stars, "score": 80.0, "level": "province",
            "rule_version": "26/2026", "issued_on": "2026-11-30",
            "expires_on": expires_on.isoformat(), "valid_until": expires_on.isoformat(),
            "superseded_by": None, "recognition": {"reference": "1/QĐ", "date": "2026-11-30"},
            "revocation": None, "re_rating": None, **fields}


def status(certificates, code, today=TODAY):
    return certificates.render("status", code, today, lambda view: view["status"]).body


def listed(certificates, limit=50, cursor=None, today=TODAY, **query):
    page = certificates.in_force(query, limit, cursor, today,
                                 lambda view: f'"{view["code"]}"')
    return json.loads(page.body), page.next


def test_a_later_revision_replaces_the_record_and_an_earlier_one_never_does():
    certificates = PublicCertificates()
    assert certificates.apply(record("A", revision=2, state=REVOKED))
    # An event older than the snapshot, or a snapshot's page read before the revocation.
    assert not certificates.apply(record("A", revision=1, state=VALID))
    assert not certificates.apply(record("A", revision=2, state=VALID))
    assert status(certificates, "A") == b"revoked"
    assert certificates.apply(record("A", revision=3, state=SUPERSEDED, superseded_by="B"))
    assert status(certificates, "A") == b"superseded"
    assert certificates.revision("A") == 3 and certificates.revision("B") == -1


def test_what_is_rendered_is_kept_per_revision_and_day():
    certificates, renders = PublicCertificates(), []

    def render(view):
        renders.append(view["status"])
        return view["status"]
    certificates.apply(record("A", expires_on=TODAY + timedelta(days=1)))
    first = certificates.render("page", "A", TODAY, render)
    assert certificates.render("page", "A", TODAY, render) is first
    assert first.etag == f'"1-{TODAY.isoformat()}"'
    assert certificates.render("page", "A", TODAY + timedelta(days=1), render).body == \
        b"expired"
    certificates.apply(record("A", revision=2, state=REVOKED))
    assert certificates.render("page", "A", TODAY, render).body == b"revoked"
    assert renders == ["valid", "expired", "revoked"]


def test_an_unknown_certificate_is_not_found():
    with pytest.raises(NotFound):
        PublicCertificates().render("page", "OCOP-91-2026-99999", TODAY, str)


def test_the_list_holds_certificates_in_force_newest_first_page_by_page():
    certificates = PublicCertificates()
    for n in range(5):
        certificates.apply(record(f"C{n}", listed=n))
    certificates.apply(record("OLD", listed=10, expires_on=TODAY))  # expired on the day
    certificates.apply(record("GONE", listed=11, state=REVOKED))
    certificates.apply(record("C2", revision=2, listed=2, state=SUPERSEDED))
    first, cursor = listed(certificates, limit=2)
    second, last = listed(certificates, limit=2, cursor=cursor)
    assert (first, second, last) == (["C4", "C3"], ["C1", "C0"], None)
    certificates.apply(record("C2", revision=3, listed=2))  # valid again: listed again
    assert listed(certificates)[0] == ["C4", "C3", "C2", "C1", "C0"]


def test_the_list_narrows_by_province_commune_category_and_stars():
    certificates = PublicCertificates()
    certificates.apply(record("HN", listed=1, province="01", commune="00004"))
    certificates.apply(record("AG3", listed=2, stars=3))
    certificates.apply(record("AG5", listed=3, stars=5, category="01"))
    assert listed(certificates, province="01")[0] == ["HN"]
    assert listed(certificates, commune="30406")[0] == ["AG5", "AG3"]
    assert listed(certificates, stars="5")[0] == ["AG5"]
    assert listed(certificates, category="03", province="91")[0] == ["AG3"]
    with pytest.raises(InvalidInput):
        listed(certificates, province="99")
    with pytest.raises(InvalidInput):
        listed(certificates, cursor="nonsense")


def issued(certificates, limit=50, cursor=None, today=TODAY, **query):
    page = certificates.listed(query, limit, cursor, today, lambda view: f'"{view["code"]}"')
    return json.loads(page.body), page.next


def test_the_list_of_certificates_holds_every_one_issued_by_its_status_on_the_day():
    certificates = PublicCertificates()
    certificates.apply(record("V", listed=1))
    certificates.apply(record("PAST", listed=2, expires_on=TODAY))  # expired on the day
    certificates.apply(record("R", listed=3, state=REVOKED))
    certificates.apply(record("S", listed=4, state=SUPERSEDED, superseded_by="V"))
    certificates.apply(record("NEW", listed=5, state="issuing"))  # not yet issued
    assert issued(certificates)[0] == ["S", "R", "PAST", "V"]
    assert issued(certificates, status="valid")[0] == ["V"]
    assert issued(certificates, status="expired")[0] == ["PAST"]
    assert issued(certificates, status="revoked")[0] == ["R"]
    assert issued(certificates, status="superseded", province="91")[0] == ["S"]
    assert issued(certificates, product_id="product-R")[0] == ["R"]
    assert issued(certificates, province="01")[0] == []
    first, cursor = issued(certificates, limit=3)
    assert (first, issued(certificates, limit=3, cursor=cursor)) == (
        ["S", "R", "PAST"], (["V"], None))
    # A certificate revoked moves from one status to the other, in its place.
    certificates.apply(record("V", revision=2, listed=1, state=REVOKED))
    assert issued(certificates, status="revoked")[0] == ["R", "V"]
    assert issued(certificates, status="valid")[0] == []
    with pytest.raises(InvalidInput):
        issued(certificates, status="lost")


def test_a_page_of_the_list_is_kept_until_a_change_is_applied():
    certificates, renders = PublicCertificates(), []

    def render(view):
        renders.append(view["code"])
        return f'"{view["code"]}"'
    certificates.apply(record("A", listed=1))
    certificates.apply(record("B", listed=2))
    first = certificates.in_force({"province": "91"}, 50, None, TODAY, render)
    again = certificates.in_force({"province": "91"}, 50, None, TODAY, render)
    assert again is first and json.loads(first.body) == ["B", "A"]
    # Another day is another page; a revision applied makes every kept page stale.
    assert certificates.in_force({"province": "91"}, 50, None, TODAY + timedelta(days=1),
                                 render) is not first
    certificates.apply(record("A", revision=2, state=REVOKED, listed=1))
    assert json.loads(certificates.in_force({"province": "91"}, 50, None, TODAY,
                                            render).body) == ["B"]
    # An earlier revision changes nothing, and keeps the page.
    kept = certificates.in_force({}, 50, None, TODAY, render)
    assert not certificates.apply(record("B", revision=1, listed=2))
    assert certificates.in_force({}, 50, None, TODAY, render) is kept
