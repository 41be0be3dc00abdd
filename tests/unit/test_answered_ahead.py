"""The public reads a gateway process holds are answered ahead of nameko's workers
(gateway/ahead.py), exactly as a worker would answer them; everything else — a request
signed in, a certificate not held, a catalogue not yet read, a limit reached — is left to
a worker, which answers or refuses it as usual."""
import json
from types import SimpleNamespace

import pytest
from nameko.containers import ServiceContainer
from werkzeug.test import EnvironBuilder

from gateway.ahead import PublicReadsAhead
from gateway.api.certification import verification_json
from gateway.catalogue import CachedCatalogue
from gateway.cors import Cors
from gateway.following import CertificateFollower
from gateway.limits import RateLimits
from gateway.service import GatewayService
from chassis.events import utc_now
from services.certification.records import view_on
from services.certification.validity import vietnam_day
from services.evaluation import catalogue
from tests.unit.test_public_certificates import record

FRONT_END = "https://ocop.angiang.gov.vn"
CODE = "OCOP-91-2026-00001"


@pytest.fixture
def gateway():
    container = ServiceContainer(GatewayService, {
        "AMQP_URI": "amqp://guest:guest@127.0.0.1:5672/", "PUBLIC_BASE_URL": "https://x.vn",
        "CORS_ALLOWED_ORIGINS": FRONT_END, "RATE_LIMIT_PUBLIC": "3/minute"})
    providers = {type(p): p for p in container.dependencies}
    for kind in (CertificateFollower, CachedCatalogue, Cors, RateLimits, PublicReadsAhead):
        providers[kind].setup()
    providers[PublicReadsAhead].start()
    follower = providers[CertificateFollower]
    follower.certificates.apply(record(CODE))
    follower.following = True
    return providers


def answered(providers, path, **request):
    """(status, headers, body) answered ahead, or None when left to a worker."""
    environ = EnvironBuilder(path=path, environ_base={"REMOTE_ADDR": "198.51.100.7"},
                             **request).get_environ()
    answer = providers[PublicReadsAhead].answer(environ)
    if answer is None:
        return None
    started = {}
    body = b"".join(answer(environ, lambda status, headers: started.update(
        status=status, headers=dict(headers))))
    return started["status"], started["headers"], body


def test_a_verification_held_is_answered_as_a_worker_would(gateway):
    status, headers, body = answered(gateway, f"/api/v1/certificates/{CODE}",
                                     headers={"Origin": FRONT_END,
                                              "X-Correlation-Id": "fair-2026.qr-1"})
    today = vietnam_day(utc_now())
    assert status == "200 OK"
    assert json.loads(body) == json.loads(verification_json(view_on(record(CODE), today)))
    assert headers["ETag"] == f'"1-{today.isoformat()}"'
    assert headers["Cache-Control"] == "public, no-cache"
    assert headers["Content-Type"] == "application/json"
    assert headers["Content-Length"] == str(len(body))
    assert headers["X-Correlation-Id"] == "fair-2026.qr-1"
    assert headers["Access-Control-Allow-Origin"] == FRONT_END
    assert headers["Vary"] == "Origin"
    status, headers, body = answered(gateway, f"/api/v1/certificates/{CODE}",
                                      headers={"If-None-Match": headers["ETag"]})
    assert (status, body) == ("304 Not Modified", b"") and "Content-Type" not in headers
    assert "Access-Control-Allow-Origin" not in headers and headers["X-Correlation-Id"]


def test_the_page_and_the_list_held_are_answered_ahead(gateway):
    status, headers, body = answered(gateway, f"/verify/{CODE}")
    assert status == "200 OK" and headers["Content-Type"] == "text/html; charset=utf-8"
    assert CODE in body.decode()
    status, _, body = answered(gateway, "/api/v1/certified-products",
                               query_string={"province": "91"})
    assert [item["code"] for item in json.loads(body)] == [CODE]


def test_what_is_not_held_or_not_anonymous_is_left_to_a_worker(gateway):
    assert answered(gateway, "/api/v1/certificates/OCOP-91-2026-09999") is None  # 404 there
    assert answered(gateway, f"/api/v1/certificates/{CODE}",
                    headers={"Authorization": "Bearer x"}) is None
    assert answered(gateway, f"/api/v1/certificates/{CODE}", method="HEAD") is None
    assert answered(gateway, f"/api/v1/certificates/{CODE}/revocation", method="POST") is None
    assert answered(gateway, "/api/v1/certified-products",
                    query_string={"province": "9"}) is None  # 422 there
    assert answered(gateway, "/api/v1/certified-products",
                    query_string={"sold_in": "91"}) is None  # certification's to answer
    assert answered(gateway, "/api/v1/producers") is None  # not public
    gateway[CertificateFollower].following = False  # certification's to answer meanwhile
    assert answered(gateway, f"/api/v1/certificates/{CODE}") is None


def test_the_catalogue_is_answered_ahead_once_read_by_a_worker(gateway):
    assert answered(gateway, "/api/v1/categories") is None
    # What a worker does on the first read: asks evaluation (here its catalogue itself).
    gateway[CachedCatalogue].categories(SimpleNamespace(list_categories=catalogue.categories))
    status, headers, body = answered(gateway, "/api/v1/categories")
    assert status == "200 OK" and len(json.loads(body)) == len(catalogue.categories())
    assert headers["Cache-Control"].startswith("public, max-age=")


def test_the_public_limit_counts_what_is_answered_ahead(gateway):
    for _ in range(3):
        assert answered(gateway, f"/verify/{CODE}")[0] == "200 OK"
    # The fourth is left to a worker, which refuses it (429) with the usual problem.
    assert answered(gateway, f"/verify/{CODE}") is None
