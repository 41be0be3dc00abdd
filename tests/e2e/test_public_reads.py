"""The public reads of certificates come from the gateway's own read model, kept fresh by
certification's events (gateway/following.py): an issue, a supersession and a revocation
relayed by another gateway replica show on this one's page, JSON and list; a revocation
made while this gateway was not subscribed shows once it has subscribed again (it loads the
snapshot again); an event that is not certification's changes nothing.

Certificates are written into certification's store as the service writes them, with their
events (tests/e2e/test_certificate_face.py), in a province no other test certifies in.
"""
import re
import subprocess
import uuid
from urllib.parse import unquote, urlsplit

import pytest
import requests
from pymongo import MongoClient
from prometheus_client.parser import text_string_to_metric_families

from chassis import brokers, events
from chassis.provinces import COMMUNES
from scripts import broker
from services.certification.store import CertificationStore
from tests.conftest import UNLIMITED, Api, gateway_of_its_own, publish, wait_until
from tests.e2e.journeys import vietnam_today
from tests.e2e.test_certificate_face import shown_as, stored, superseded_by

PROVINCE = "46"  # Huế: no other test certifies a product there
COMMUNE = next(code for code, (_, province) in sorted(COMMUNES.items()) if province == PROVINCE)


@pytest.fixture(scope="module")
def store(stack, mongo_uri):
    with MongoClient(mongo_uri) as client:
        yield CertificationStore(client[f"{stack.db_prefix}certification"])


@pytest.fixture(scope="module")
def replica(amqp_uri, mongo_uri, issuer, stack, tmp_path_factory):
    """Another gateway replica, through which the province's chair revokes: this one hears
    of it only by certification's events."""
    with gateway_of_its_own(amqp_uri, mongo_uri, tmp_path_factory.mktemp("logs"), {
            **issuer.gateway_settings(), **UNLIMITED}) as url:
        yield Api(url, issuer.token(["province_authority"], province=PROVINCE))


def certificate(store, **fields):
    return stored(store, PROVINCE, COMMUNE, **fields)


def revoke(replica, code):
    answer = replica.post(f"/certificates/{code}/revocation", {
        "ground": "criteria_not_met", "finding_reference": "9/KL-QLTT",
        "finding_date": vietnam_today().isoformat()})
    assert answer.status_code == 200, answer.text


def in_force(api):
    return [item["code"] for item in api.get("/certified-products", params={
        "province": PROVINCE, "limit": 200}).json()]


def page_state(api, code):
    page = api.http.get(f"{api.root}/verify/{code}", timeout=15)
    assert page.status_code == 200
    return page.text.split('data-state="', 1)[1].split('"', 1)[0]


def test_issue_supersession_and_revocation_show_on_every_public_read(api, store, replica):
    first = certificate(store)
    shown_as(api, first, "valid")
    assert page_state(api, first) == "valid" and first in in_force(api)
    tag = api.get(f"/certificates/{first}").headers["ETag"]
    assert api.get(f"/certificates/{first}", headers={"If-None-Match": tag}).status_code == 304

    second = certificate(store)
    superseded_by(store, first, second)
    shown_as(api, first, "superseded")
    assert api.get(f"/certificates/{first}").json()["superseded_by"] == second
    assert page_state(api, first) == "superseded"
    assert second in in_force(api) and first not in in_force(api)
    changed = api.get(f"/certificates/{first}", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag

    revoke(replica, second)
    shown_as(api, second, "revoked")
    assert page_state(api, second) == "revoked"
    assert second not in in_force(api)
    revoked = api.get(f"/certificates/{second}").json()
    assert revoked["revocation"]["finding_reference"] == "9/KL-QLTT"


def gateway_user(stack):
    """The broker user of the stack's gateway, and its vhost."""
    parts = urlsplit(stack.amqp_uris["gateway"])
    return unquote(parts.username), unquote(parts.path[1:])


def set_read(user, vhost, read):
    grant = brokers.gateway_grant()
    subprocess.run(broker.rabbitmqctl("set_permissions", "-p", vhost, user, grant.configure,
                                      grant.write, read), check=True, capture_output=True)


def close_following_connection(user, vhost):
    """As a network fault would: the connection on which the gateway follows the events
    (it names itself by its queue)."""
    listed = subprocess.run(broker.rabbitmqctl(
        "list_connections", "-p", vhost, "pid", "user", "client_properties",
        "--no-table-headers"), check=True, capture_output=True, text=True).stdout
    [pid] = [line.split("\t")[0] for line in listed.splitlines()
             if line.split("\t")[1:2] == [user] and brokers.GATEWAY_FOLLOWING_QUEUE in line]
    subprocess.run(broker.rabbitmqctl("close_connection", pid, "test: the connection is lost"),
                   check=True, capture_output=True)


def ready(stack):
    return requests.get(stack.ops_url("gateway") + "/readyz", timeout=5).status_code == 200


def test_a_revocation_made_while_not_subscribed_shows_once_subscribed_again(
        api, stack, store, replica, tap):
    if not broker.administers_locally(stack.amqp_uri):
        pytest.skip("needs a broker this machine administers with rabbitmqctl")
    code = certificate(store)
    shown_as(api, code, "valid")
    user, vhost = gateway_user(stack)
    grant = brokers.gateway_grant()
    # The gateway may not bind to certification's events for a while: it cannot
    # subscribe again once its connection is lost.
    set_read(user, vhost, grant.read.replace(
        "|" + re.escape(brokers.events_exchange("certification")), ""))
    try:
        close_following_connection(user, vhost)
        wait_until(lambda: not ready(stack), what="the gateway to say it is not ready")
        revoke(replica, code)
        event = tap.wait_for("certificate.revoked", f"products/{store.get(code)['product_id']}")
        assert event["data"]["code"] == code
        # Meanwhile its reads ask certification: never the stale record.
        assert api.get(f"/certificates/{code}").json()["status"] == "revoked"
    finally:
        set_read(user, vhost, grant.read)
    wait_until(lambda: ready(stack), seconds=60, what="the gateway to subscribe again")
    # Its queue did not exist when the revocation was announced: the snapshot it loaded
    # again has it.
    assert api.get(f"/certificates/{code}").json()["status"] == "revoked"
    assert page_state(api, code) == "revoked" and code not in in_force(api)


def refused(stack, check):
    text = requests.get(stack.ops_url("gateway") + "/metrics", timeout=5).text
    return sum(sample.value for family in text_string_to_metric_families(text)
               for sample in family.samples
               if sample.name == "ocop_refused_events_total"
               and sample.labels.get("consumer") == "gateway.following"
               and sample.labels.get("check") == check)


@pytest.mark.parametrize("forgery, check", [
    (lambda event: {**event, "source": "/ocop/registration"}, "source"),
    (lambda event: {**event, "data": {**event["data"], "stars": 9}}, "data"),
])
def test_an_event_that_is_not_certifications_changes_nothing(
        api, stack, store, amqp_uri, forgery, check):
    code = certificate(store)
    shown_as(api, code, "valid")
    genuine = store.get(code)
    event = events.new_event("certification", "certificate.revoked",
                             f"products/{genuine['product_id']}", {
                                 "code": code, "product_id": genuine["product_id"],
                                 "producer_id": genuine["producer_id"],
                                 "province_code": PROVINCE, "stars": 4, "level": "province",
                                 "expires_on": genuine["expires_on"], "revision": 99})
    before = refused(stack, check)
    publish(amqp_uri, forgery(event), on="certification")
    wait_until(lambda: refused(stack, check) == before + 1,
               what="the gateway to refuse the event")
    assert api.get(f"/certificates/{code}").json()["status"] == "valid"


def test_every_gateway_process_follows_on_a_queue_of_its_own(stack, replica):
    user, vhost = gateway_user(stack)
    listed = subprocess.run(broker.rabbitmqctl(
        "list_queues", "-p", vhost, "name", "exclusive", "auto_delete", "--no-table-headers"),
        check=True, capture_output=True, text=True).stdout
    following = [line.split("\t") for line in listed.splitlines()
                 if line.startswith(brokers.GATEWAY_FOLLOWING_QUEUE)]
    assert len(following) == 2
    assert all(exclusive == auto_delete == "true" for _, exclusive, auto_delete in following)
    assert len({uuid.UUID(name.removeprefix(brokers.GATEWAY_FOLLOWING_QUEUE))
                for name, _, _ in following}) == 2
