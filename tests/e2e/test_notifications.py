"""Everyone concerned is told, through the real processes: inboxes of the roles, e-mail
received by a real SMTP server on loopback (``aiosmtpd``), webhooks received by an HTTP
server of the test and verified with the ``standardwebhooks`` package, the SSRF guard,
the agencies' feed, and no duplicate on any channel — also with a second notification
replica on the same queues and store.

The stack's notification process is restarted for this module with an SMTP server and a
short retry schedule, and restarted as it was afterwards."""
import json
import re
import threading
import time
import uuid
from datetime import date, timedelta
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from aiosmtpd.controller import Controller
from standardwebhooks import Webhook

from chassis import events, pages
from scripts import devstack
from tests.conftest import more_processes, publish, wait_until
from tests.e2e.journeys import COMMUNES, council_of, criteria_set, file_dossier, filed, \
    forwarded, lowered_picks, open_evaluation, product_in_stage, propose, recognise, registered, score, \
    vietnam_today
from tests.e2e.test_bad_input import assert_problem
from tests.e2e.test_certificate_life import certified
from tests.e2e.test_hand_back import handed_back as handed_back_result

SERVICE = "notification"
RECEIVERS = "127.0.0.2"  # allowed to the test stack (tests/conftest.py), unlike 127.0.0.1
SCHEDULE = (0.5, 0.5, 0.5)


class Mailbox:
    """What a real SMTP server received: aiosmtpd's handler."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, address):
        with self.lock:
            return [message for rcpt, message in self.messages if address in rcpt]


class Receiver:
    """An agency's endpoint: records each POST and answers what the test scripts
    (``answers``: (status, headers) taken in turn), else 204."""

    def __init__(self):
        self.received, self.answers = [], []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["content-length"])).decode()
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body,
                                          time.monotonic()))
                status, headers = receiver.answers.pop(0) if receiver.answers else (204, {})
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((RECEIVERS, 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://{RECEIVERS}:{self.server.server_address[1]}/ocop/events"

    def about(self, subject):
        """(headers, body, when) of what arrived about ``subject``, in order."""
        return [(h, b, t) for h, b, t in self.received if json.loads(b)["subject"] == subject]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def mailbox(stack):
    handler = Mailbox()
    controller = Controller(handler, hostname="127.0.0.1", port=devstack.free_port())
    controller.start()
    settings = {"SMTP_URL": f"smtp://127.0.0.1:{controller.port}",
                "WEBHOOK_RETRY_SCHEDULE": ",".join(map(str, SCHEDULE)),
                "EMAIL_RETRY_SCHEDULE": "0.5,0.5", "FEED_SETTLE_SECONDS": "0.5",
                "WEBHOOK_TIMEOUT_SECONDS": "3"}
    restart(stack, settings)
    handler.settings = settings
    yield handler
    restart(stack, {})
    controller.stop()


def restart(stack, settings):
    stack.stop(SERVICE)
    stack.start(SERVICE, env=settings).wait_ready(60, names=[SERVICE])


@pytest.fixture
def receiver():
    endpoint = Receiver()
    yield endpoint
    endpoint.close()


def an_agency(people, **claims):
    name = f"agency-{uuid.uuid4().hex[:6]}"
    return name, people.calling(["agency"], subject=name, **claims)


def subscribe(agency, url, **choice):
    response = agency.post("/webhooks", {"url": url, **choice})
    assert response.status_code == 201, response.text
    return response.json()


def submitted_product(api, people, province="91"):
    producer, owner, product = registered(api, people, province)
    evaluation = open_evaluation(owner, product["id"])
    return producer, owner, product, evaluation


# Webhooks ----------------------------------------------------------------------------------

def test_an_agency_endpoint_receives_deliveries_it_verifies(api, people, mailbox, receiver,
                                                            tap):
    _, agency = an_agency(people)
    endpoint = subscribe(agency, receiver.url, types=["product.submitted", "evaluation.opened"],
                         provinces=["91"])
    assert endpoint["secret"].startswith("whsec_") and endpoint["enabled"]
    producer, _, product, _ = submitted_product(api, people)
    registered_elsewhere = submitted_product(api, people, "79")[2]
    subject = f"products/{product['id']}"
    arrived = wait_until(lambda: len(receiver.about(subject)) == 2 and receiver.about(subject),
                         what="two deliveries")
    for headers, body, _ in arrived:
        event = Webhook(endpoint["secret"]).verify(body, headers)
        assert headers["webhook-id"] == event["id"]
        assert headers["content-type"].startswith("application/cloudevents+json")
        assert event["specversion"] == "1.0" and event["data"]["product_id"] == product["id"]
        assert "producer_name" not in event["data"]  # no personal data for agencies
    assert {json.loads(b)["type"] for _, b, _ in arrived} == {  # in no promised order
        "vn.gov.ocop.product.submitted.v1", "vn.gov.ocop.evaluation.opened.v1"}
    assert not receiver.about(f"products/{registered_elsewhere['id']}")  # not its province

    log = wait_until(lambda: [d for d in agency.get(
        f"/webhooks/{endpoint['id']}/deliveries").json() if d["status"] == "delivered"],
        what="the delivery log")
    assert {d["event_type"] for d in log} == {"vn.gov.ocop.product.submitted.v1",
                                              "vn.gov.ocop.evaluation.opened.v1"}
    attempt = log[0]["attempts"][0]
    assert attempt["status_code"] == 204 and attempt["latency_ms"] >= 0
    for delivery in log:
        announced = tap.wait_for("notification.delivered", f"deliveries/{delivery['id']}")
        assert announced["data"]["event_type"] == delivery["event_type"]


def test_after_a_rotation_deliveries_verify_with_the_old_and_the_new_secret(
        api, people, mailbox, receiver):
    _, agency = an_agency(people)
    endpoint = subscribe(agency, receiver.url, types=["product.submitted"])
    rotated = agency.post(f"/webhooks/{endpoint['id']}/secret").json()
    assert rotated["secret"] != endpoint["secret"]
    assert "secret" not in agency.get("/webhooks").json()[0]  # shown only when made
    _, _, product, _ = submitted_product(api, people)
    [(headers, body, _)] = wait_until(lambda: receiver.about(f"products/{product['id']}"),
                                      what="the delivery")
    for secret in (endpoint["secret"], rotated["secret"]):
        assert Webhook(secret).verify(body, headers)["data"]["product_id"] == product["id"]


def test_a_failing_endpoint_is_retried_then_disabled_and_its_owner_told(
        api, people, mailbox, receiver, tap):
    name, agency = an_agency(people)
    endpoint = subscribe(agency, receiver.url, types=["product.submitted"])
    receiver.answers = [(500, {})] * (len(SCHEDULE) + 1)
    _, _, product, _ = submitted_product(api, people)
    subject = f"products/{product['id']}"
    disabled = tap.wait_for("webhook.endpoint_disabled", f"webhooks/{endpoint['id']}")
    assert "retry schedule" in disabled["data"]["reason"]
    attempts = receiver.about(subject)
    assert len(attempts) == len(SCHEDULE) + 1  # the first try and one per step
    gaps = [later[2] - earlier[2] for earlier, later in zip(attempts, attempts[1:])]
    assert all(gap >= step * 0.8 for gap, step in zip(gaps, SCHEDULE)), gaps
    [shown] = agency.get("/webhooks").json()
    assert not shown["enabled"] and "retry schedule" in shown["disabled_reason"]
    [delivery] = agency.get(f"/webhooks/{endpoint['id']}/deliveries").json()
    assert delivery["status"] == "failed"
    assert [a["status_code"] for a in delivery["attempts"]] == [500] * (len(SCHEDULE) + 1)
    assert tap.wait_for("notification.failed", f"deliveries/{delivery['id']}")
    told = wait_until(lambda: agency.get("/notifications", params={
        "recipient": f"agency:{name}"}).json(), what="the owner told")
    assert endpoint["url"] in told[0]["text"]["en"] and "disabled" in told[0]["text"]["en"]

    # Its owner enables it again and replays the delivery, which now succeeds.
    assert agency.post(f"/webhooks/{endpoint['id']}/enable").json()["enabled"]
    replayed = agency.post(f"/webhooks/{endpoint['id']}/deliveries/{delivery['id']}/replay")
    assert replayed.status_code == 200 and replayed.json()["status"] == "pending"
    wait_until(lambda: len(receiver.about(subject)) == len(SCHEDULE) + 2, what="the replay")
    assert agency.get(f"/webhooks/{endpoint['id']}/deliveries").json()[0]["status"] == \
        "delivered"


def test_gone_disables_at_once_and_retry_after_is_honoured(api, people, mailbox, receiver,
                                                           tap):
    _, agency = an_agency(people)
    endpoint = subscribe(agency, receiver.url, types=["product.submitted"])
    receiver.answers = [(429, {"Retry-After": "2"})]
    _, _, product, _ = submitted_product(api, people)
    subject = f"products/{product['id']}"
    first, second = wait_until(lambda: len(receiver.about(subject)) == 2 and
                               receiver.about(subject), what="the retry")
    assert second[2] - first[2] >= 1.9  # the 0.5 s step would have come sooner

    receiver.answers = [(410, {})]
    _, _, gone, _ = submitted_product(api, people)
    disabled = tap.wait_for("webhook.endpoint_disabled", f"webhooks/{endpoint['id']}")
    assert disabled["data"]["reason"] == "410 Gone"
    assert len(receiver.about(f"products/{gone['id']}")) == 1  # never tried again


def test_a_range_of_deliveries_is_replayed(api, people, mailbox, receiver):
    _, agency = an_agency(people)
    endpoint = subscribe(agency, receiver.url, types=["product.submitted"])
    products = [submitted_product(api, people)[2] for _ in range(2)]
    wait_until(lambda: all(receiver.about(f"products/{p['id']}") for p in products),
               what="both deliveries")
    log = agency.get(f"/webhooks/{endpoint['id']}/deliveries").json()
    assert_problem(agency.post(f"/webhooks/{endpoint['id']}/replays",
                               {"from": log[0]["created_at"], "to": log[1]["created_at"]}),
                   422, "/to")
    window = {"from": log[-1]["created_at"], "to": "2100-01-01T00:00:00Z"}
    assert agency.post(f"/webhooks/{endpoint['id']}/replays", window).json() == {"replayed": 2}
    wait_until(lambda: all(len(receiver.about(f"products/{p['id']}")) == 2 for p in products),
               what="both again")
    first, again = receiver.about(f"products/{products[0]['id']}")
    assert first[0]["webhook-id"] == again[0]["webhook-id"]  # the receiver may de-duplicate


# The SSRF guard ------------------------------------------------------------------------------

@pytest.mark.parametrize("url, says", [
    ("http://127.0.0.1:{port}/", "127.0.0.1, a loopback address"),
    ("http://localhost:{port}/", "localhost resolves to 127.0.0.1, a loopback address"),
    ("http://2130706433:{port}/", "2130706433"),  # 127.0.0.1, spelt as a number
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254, a link-local address"),
    ("http://10.0.0.1/", "10.0.0.1, a private address"),
    ("http://[::ffff:192.168.1.1]/", "a private address"),
    ("gopher://example.org/", "https")])
def test_an_ssrf_attempt_is_refused_naming_the_field(people, mailbox, receiver, url, says):
    _, agency = an_agency(people)
    problem = assert_problem(agency.post("/webhooks", {
        "url": url.format(port=receiver.server.server_address[1])}), 422, "/url")
    assert says in problem["errors"][0]["detail"] and "Địa chỉ webhook" in problem["detail"]
    assert agency.get("/webhooks").json() == []


def test_a_provincial_agency_subscribes_to_its_province_only(people, mailbox, receiver):
    name, agency = an_agency(people, province="91")
    assert_problem(agency.post("/webhooks", {"url": receiver.url, "provinces": ["79"]}),
                   422, "/provinces/0")
    assert subscribe(agency, receiver.url)["provinces"] == ["91"]
    assert_problem(agency.post("/webhooks", {"url": receiver.url, "types": ["cake.baked"]}),
                   422)
    # Every command is recorded: who registered which endpoint, and the refusals.
    trail = people.admin().get("/audit", params={"limit": 500}).json()
    mine = [e for e in trail if e["actor"]["subject"] == name]
    assert {e["outcome"] for e in mine} == {"done", "refused 422"}
    assert {e["action"] for e in mine} == {"notification.create_endpoint"}


# No duplicates ---------------------------------------------------------------------------------

def handled(ops_url, consumer="on_product_submitted"):
    """How many deliveries of product.submitted a process handled or saw as duplicates."""
    text = requests.get(ops_url + "/metrics", timeout=5).text
    found = re.findall(
        rf'ocop_entrypoint_calls_total{{entrypoint="{consumer}",kind="event",'
        rf'outcome="success",service="{SERVICE}"}} ([0-9.]+)', text) + re.findall(
        rf'ocop_duplicate_events_total{{consumer="{SERVICE}.{consumer}",'
        rf'service="{SERVICE}"}} ([0-9.]+)', text)
    return sum(float(n) for n in found)


@pytest.fixture
def replica(stack, mailbox, tmp_path):
    """A second notification process on the same queues and store."""
    second = devstack.Stack(stack.amqp_uri, stack.mongo_uri,
                            ops_ports={SERVICE: devstack.free_port()},
                            db_prefix=stack.db_prefix, log_dir=tmp_path,
                            extra_env=stack.extra_env)
    second.amqp_uris = stack.amqp_uris
    second.start(SERVICE, env=mailbox.settings).wait_ready(60)
    yield second
    second.stop(SERVICE)


def test_a_redelivered_event_yields_no_second_email_inbox_item_or_webhook(
        stack, amqp_uri, api, people, mailbox, receiver, replica):
    _, agency = an_agency(people)
    endpoint = subscribe(agency, receiver.url, types=["product.submitted"])
    producer, owner, _ = registered(api, people)
    producer_id, product_id = producer["id"], str(uuid.uuid4())
    province = people.province_officer("91")
    address = f"{producer_id}@example.org"
    assert owner.put(f"/notifications/contacts/producer:{producer_id}",
                     {"email": address, "language": "en"}).json()["language"] == "en"
    event = events.new_event("registration", "product.submitted", f"products/{product_id}", {
        "product_id": product_id, "producer_id": producer_id, "producer_name": "HTX Phú Tân",
        "name": "Gạo thơm", "category": "01", "province_code": "91", "kind": "first",
        "proposed_on": "2026-11-30", "commune_code": "30406", "product_code": "91-30406-1-2027"})
    ops = (stack.ops_url(SERVICE), replica.ops_url(SERVICE))
    before = sum(handled(url) for url in ops)
    for _ in range(4):  # the broker hands the copies to both replicas
        publish(amqp_uri, event)
    wait_until(lambda: sum(handled(url) for url in ops) == before + 4, what="all four copies")
    submitted = f"products/{product_id}"

    def mails():  # evaluation opens an evaluation of the product too, and says so
        return [m for m in mailbox.to(address) if "was submitted" in m["Subject"]]

    def inbox():
        return [m for m in owner.get("/notifications", params={
            "recipient": f"producer:{producer_id}"}).json() if m["event_type"] == event["type"]]

    wait_until(mails, what="the e-mail")
    assert wait_until(lambda: receiver.about(submitted), what="the webhook")
    time.sleep(2 * SCHEDULE[0] + 1)  # a second e-mail or delivery would be sent by now
    [mail] = mails()
    assert len(receiver.about(submitted)) == 1 and len(inbox()) == 1
    assert len(agency.get(f"/webhooks/{endpoint['id']}/deliveries").json()) == 1
    assert mail["Subject"] == "[OCOP] Product «Gạo thơm» was submitted for evaluation and " \
                              "ranking"
    assert mail.get_body(("plain",)).get_content().startswith("Product «Gạo thơm»")
    assert "<p>Product «Gạo thơm»" in mail.get_body(("html",)).get_content()
    told = province.get("/notifications", params={"recipient": "province:91"}).json()
    assert [m["text"]["vi"] for m in told if m["subject"] == f"products/{product_id}"] == [
        "Sản phẩm «Gạo thơm» của HTX Phú Tân đã được gửi đánh giá, phân hạng"]


# Inboxes of every role ------------------------------------------------------------------------

def test_each_role_reads_its_inbox_counts_unread_and_marks_read(api, people, mailbox,
                                                                 councils):
    producer, owner, product, evaluation = submitted_product(api, people)
    subject = f"products/{product['id']}"
    member = people.member("member-2")
    council_inbox = {"recipient": "council:province-91"}
    waiting = wait_until(lambda: [m for m in member.get("/notifications", params={
        **council_inbox, "limit": 200}).json() if m["subject"] == subject],
        what="the council told")
    assert "score sheets" in waiting[0]["text"]["en"]
    unread = member.get("/notifications/unread", params=council_inbox).json()["unread"]
    read = member.post(f"/notifications/{waiting[0]['id']}/read").json()
    assert read["read"] and read["read_at"]
    assert member.get("/notifications/unread", params=council_inbox).json() == {
        "recipient": "council:province-91", "unread": unread - 1}
    assert_problem(people.member("member-2", "province-79").get(
        "/notifications", params=council_inbox), 403)
    assert_problem(people.province_officer("91").get("/notifications", params={
        "recipient": "nobody:1"}), 422)
    # A page at a time, newest first, with rel="next": forwarded, submitted, then opened.
    producer_inbox = {"recipient": f"producer:{producer['id']}"}
    every = wait_until(lambda: len(owner.get("/notifications", params=producer_inbox).json())
                       == 3 and owner.get("/notifications", params=producer_inbox).json(),
                       what="the producer's three notifications")
    first = owner.get("/notifications", params={**producer_inbox, "limit": 2})
    assert first.json() == every[:2] and 'rel="next"' in first.headers["Link"]
    next_page = re.match(r'<([^>]+)>; rel="next"', first.headers["Link"]).group(1)
    following = owner.http.get(owner.root + next_page, timeout=15)
    assert following.json() == every[2:] and "Link" not in following.headers
    assert [m["event_type"] for m in every] == ["vn.gov.ocop.evaluation.opened.v1",
                                                "vn.gov.ocop.product.submitted.v1",
                                                "vn.gov.ocop.dossier.forwarded.v1"]


def test_the_ministry_is_told_of_a_product_proposed_for_five_stars(api, people, mailbox,
                                                                   councils):
    from tests.e2e.journeys import best_picks, to_the_ministry
    _, owner, product, evaluation = submitted_product(api, people)
    to_the_ministry(people, evaluation, council_of(best_picks(criteria_set(api, "03"))))
    ministry = people.central_officer()
    told = wait_until(lambda: [m for m in ministry.get("/notifications", params={
        "recipient": "central", "limit": 200}).json()
        if m["subject"] == f"products/{product['id']}"], what="the ministry told")
    assert "5★" in told[0]["text"]["en"]
    assert_problem(people.province_officer("91").get("/notifications", params={
        "recipient": "central"}), 403)


# Who is told what, along the journey ------------------------------------------------------

def told(caller, recipient, subject):
    """``recipient``'s inbox items about ``subject``, by event: short name → texts."""
    items = caller.get("/notifications", params={"recipient": recipient, "limit": 200})
    assert items.status_code == 200, items.text
    found = {}
    for item in items.json():
        if item["subject"] == subject:
            name = events.routing_key({"type": item["event_type"]})
            found.setdefault(name, []).append(item["text"])
    return found


def told_once_each(tap, caller, recipient, subject, expected):
    """Wait until ``recipient`` was told of ``subject`` as ``expected`` (short name → how
    many events), then check that each event published made exactly one inbox item."""
    last = {}

    def counts():
        last["seen"] = told(caller, recipient, subject)
        return last["seen"] if {k: len(v) for k, v in last["seen"].items()} == expected \
            else None
    try:
        seen = wait_until(counts, what=f"{recipient} told {expected} of {subject}")
    except AssertionError as timed_out:
        raise AssertionError(f"{timed_out}; told: {last['seen']}") from None
    for name in expected:
        assert len({e["id"] for e in tap.events(name, subject)}) == expected[name], name
    return seen


def returned_then_accepted(owner, commune, path, reason, corrected):
    """The commune returns an idea or a plan for ``reason``, the producer corrects it, the
    commune accepts it."""
    for caller, method, url, body in (
            (commune, "post", f"{path}/decision", {"outcome": "returned", "reasons": [reason]}),
            (owner, "put", path, corrected),
            (commune, "post", f"{path}/decision", {"outcome": "accepted"})):
        response = getattr(caller, method)(url, body)
        assert response.status_code == 200, response.text


def test_the_cycle_before_evaluation_tells_the_producer_commune_and_province(
        api, people, tap, councils):
    producer, owner, product = registered(api, people)
    mine = f"producer:{producer['id']}"
    commune = people.commune_officer("91", COMMUNES["91"])
    office = people.province_officer("91")
    idea = owner.post("/ideas", {"producer_id": producer["id"], "title": "Gạo hữu cơ",
                                 "description": "Gạo trồng theo hướng hữu cơ"}).json()
    returned_then_accepted(owner, commune, f"/ideas/{idea['id']}", "Chưa rõ vùng nguyên liệu",
                           {"title": "Gạo hữu cơ", "description": "20 ha tại xã"})
    plan = owner.post("/plans", {"idea_id": idea["id"], "title": "Phương án 2027",
                                 "summary": "Xưởng xay xát 200 m²"}).json()
    returned_then_accepted(owner, commune, f"/plans/{plan['id']}", "Thiếu dòng tiền",
                           {"title": "Phương án 2027", "summary": "Có dòng tiền"})

    product_id, subject = product["id"], f"products/{product['id']}"
    assert file_dossier(owner, product_id).status_code == 201
    commune.post(f"/products/{product_id}/dossier/return", {"reasons": ["Thiếu ATTP"]})
    forwarded(owner, product_id)
    office.post(f"/products/{product_id}/dossier/completeness")
    office.post(f"/products/{product_id}/dossier/return", {"reasons": ["Phiếu kiểm nghiệm"]})
    propose(owner, product_id)

    idea_told = told_once_each(tap, owner, mine, f"ideas/{idea['id']}",
                               {"idea.returned": 1, "idea.accepted": 1})
    assert "Chưa rõ vùng nguyên liệu" in idea_told["idea.returned"][0]["vi"]
    plan_told = told_once_each(tap, owner, mine, f"plans/{plan['id']}",
                               {"plan.returned": 1, "plan.accepted": 1})
    assert plan_told["plan.returned"][0]["en"] == \
        "The commune returned your business plan: Thiếu dòng tiền"
    producer_told = told_once_each(tap, owner, mine, subject, {
        "dossier.returned": 2, "dossier.forwarded": 2, "product.submitted": 1,
        "evaluation.opened": 1})
    assert sorted(t["en"].split(" returned")[0] for t in producer_told["dossier.returned"]) \
        == ["The commune", "The province"]
    assert any("Phiếu kiểm nghiệm" in t["vi"] for t in producer_told["dossier.returned"])
    assert "forwarded your registration dossier" in producer_told["dossier.forwarded"][0]["en"]
    # The commune: each filing, with its 15 working days' deadline; the province: each
    # forwarding, and the proposal it made.
    form = owner.get(f"/products/{product_id}").json()["dossier"]
    commune_told = told_once_each(tap, commune, f"commune:{COMMUNES['91']}", subject,
                                  {"dossier.submitted": 3})
    assert all(form["deadline_on"] in t["en"] for t in commune_told["dossier.submitted"])
    assert any(form["form_number"] in t["vi"] for t in commune_told["dossier.submitted"])
    province_told = told_once_each(tap, office, "province:91", subject, {
        "dossier.forwarded": 2, "product.submitted": 1})
    assert province_told["dossier.forwarded"][0]["vi"].startswith("Xã Phú Tân đã gửi hồ sơ")
    assert_problem(people.commune_officer("91", "30307").get("/notifications", params={
        "recipient": f"commune:{COMMUNES['91']}"}), 403)


def test_the_commune_is_reminded_once_when_its_working_days_are_nearly_up(
        api, people, tap, stack, tmp_path):
    """Two more registration processes live on the day before a filed dossier's deadline
    and sweep every 0.2 s: its commune is told once; a dossier the commune forwarded in
    time, and everyone else, are told nothing."""
    producer, owner, product = registered(api, people)
    deadline = date.fromisoformat(filed(owner, product["id"])["dossier"]["deadline_on"])
    _, in_time_owner, in_time = registered(api, people)
    forwarded(in_time_owner, in_time["id"])
    day_before = deadline - timedelta(days=1)  # one working day left: the deadline
    commune, subject = people.commune_officer("91", COMMUNES["91"]), \
        f"products/{product['id']}"
    with more_processes(stack, "registration", tmp_path, {
            "DEADLINE_SWEEP_SECONDS": "0.2", "REGISTRATION_TODAY": day_before.isoformat()},
            count=2):
        commune_told = told_once_each(tap, commune, f"commune:{COMMUNES['91']}", subject, {
            "dossier.submitted": 1, "dossier.deadline_approaching": 1})
        time.sleep(3)  # some thirty more sweeps, on both processes, announce nothing again
    [event] = {e["id"]: e for e in tap.events("dossier.deadline_approaching", subject)}.values()
    assert event["data"]["deadline"] == deadline.isoformat()
    assert event["data"]["working_days_left"] == 1
    assert event["data"]["commune_code"] == COMMUNES["91"]
    assert told_once_each(tap, commune, f"commune:{COMMUNES['91']}", subject, {
        "dossier.submitted": 1, "dossier.deadline_approaching": 1}) == commune_told
    [reminder] = commune_told["dossier.deadline_approaching"]
    assert f"1 working day left until {deadline.isoformat()}" in reminder["en"]
    assert f"còn 1 ngày làm việc đến hạn {deadline.isoformat()}" in reminder["vi"]
    assert "dossier.deadline_approaching" not in told(
        owner, f"producer:{producer['id']}", subject)
    assert "dossier.deadline_approaching" not in told(
        people.province_officer("91"), "province:91", subject)
    assert not tap.events("dossier.deadline_approaching", f"products/{in_time['id']}")
    assert "dossier.deadline_approaching" not in told(
        commune, f"commune:{COMMUNES['91']}", f"products/{in_time['id']}")


def test_the_province_is_told_of_a_central_result_handed_back(api, people, tap, councils):
    _, product, _ = handed_back_result(api, people, tap)
    office = people.province_officer("91")
    province_told = told_once_each(tap, office, "province:91", f"products/{product['id']}", {
        "dossier.forwarded": 1, "product.submitted": 1, "evaluation.approval_requested": 1,
        "evaluation.completed": 1})
    [approval] = province_told["evaluation.approval_requested"]
    assert "provincial chair decides whether to approve" in approval["en"]
    [result] = province_told["evaluation.completed"]
    assert result["en"].startswith("The central council handed the result of «")
    assert "Art. 7.4.g" in result["en"] and "Điều 7.4.g" in result["vi"]


def test_the_producer_is_told_of_a_revocation_and_of_each_milestone(
        api, people, tap, stack, tmp_path, councils):
    """A certificate revoked; another expiring tomorrow, swept by a certification process
    that lives on tomorrow: 180, 120 and 30 days before expiry, and expiry, each told once."""
    owner, revoked_product, revoked = certified(api, people)
    chair = people.calling(["province_authority"], province="91", subject="chair-91")
    assert chair.post(f"/certificates/{revoked['code']}/revocation", {
        "ground": "mark_misused", "finding_reference": "12/KL-QLTT",
        "finding_date": vietnam_today().isoformat()}).status_code == 200
    [revocation] = told_once_each(tap, owner, f"producer:{revoked_product['producer_id']}",
                                  f"products/{revoked_product['id']}", {
                                      "dossier.forwarded": 1, "product.submitted": 1,
                                      "evaluation.opened": 1, "evaluation.completed": 1,
                                      "certificate.issued": 1, "certificate.revoked": 1,
                                  })["certificate.revoked"]
    assert revoked["code"] in revocation["vi"] and "misuse of the OCOP mark" in \
        revocation["en"]

    tomorrow = vietnam_today() + timedelta(days=1)
    owner, product, ending = certified(api, people, tomorrow)
    with more_processes(stack, "certification", tmp_path, {
            "MILESTONE_SWEEP_SECONDS": "0.2", "CERTIFICATION_TODAY": tomorrow.isoformat()}):
        milestones = told_once_each(tap, owner, f"producer:{product['producer_id']}",
                                    f"products/{product['id']}", {
                                        "dossier.forwarded": 1, "product.submitted": 1,
                                        "evaluation.opened": 1, "evaluation.completed": 1,
                                        "certificate.issued": 1,
                                        "certificate.renewal_window_opened": 1,
                                        "certificate.renewal_closing": 1,
                                        "certificate.expiring": 1, "certificate.expired": 1})
    assert ending["code"] in milestones["certificate.expired"][0]["en"]
    assert "re-rating" in milestones["certificate.renewal_window_opened"][0]["en"]
    assert "30 days" in milestones["certificate.expiring"][0]["en"]


# The feed ----------------------------------------------------------------------------------

def read_all(agency, **query):
    """Every event of the feed from ``after`` on, page by page; and the last cursor."""
    seen, cursor = [], query.pop("after", None)
    while True:
        page = agency.get("/events", params={**query, "limit": 50,
                                             **({"after": cursor} if cursor else {})})
        assert page.status_code == 200, page.text
        body = page.json()
        seen += body["events"]
        if not body["events"]:
            return seen, body["next"]
        cursor = body["next"]


def test_the_feed_replays_a_journey_from_the_start_in_order_and_resumes(api, people, mailbox,
                                                                        councils, tap):
    producer, owner, product = registered(api, people)
    evaluation = open_evaluation(owner, product["id"])
    recognise(people, score(people, evaluation, council_of(lowered_picks(
        criteria_set(api, "03"), drop=15))))
    product_in_stage(owner, product["id"], "certified")
    subject = f"products/{product['id']}"
    issued = tap.wait_for("certificate.issued", subject)
    _, agency = an_agency(people)

    journey = ["product.submitted", "evaluation.opened", "evaluation.completed",
               "certificate.issued"]
    everything = wait_until(lambda: (lambda seen: issued["id"] in [e["id"] for e in seen[0]]
                                     and seen)(read_all(agency)), what="the journey in the feed")
    events_seen, cursor = everything
    mine = [e for e in events_seen if e["subject"] == subject
            and events.routing_key(e) in journey]
    assert [events.routing_key(e) for e in mine] == journey
    assert [e["id"] for e in mine] == [tap.wait_for(name, subject)["id"] for name in journey]
    assert all("producer_name" not in e["data"] for e in events_seen)
    assert len({e["id"] for e in events_seen}) == len(events_seen)  # each once

    # Resuming from a cursor: what follows it, and after the end nothing seen before.
    half = min(len(events_seen) // 2, pages.MAX_LIMIT)  # a suite's events exceed a page
    page = agency.get("/events", params={"limit": half}).json()
    rest, _ = read_all(agency, after=page["next"])
    assert (page["events"] + rest)[:len(events_seen)] == events_seen
    later = agency.get("/events", params={"after": cursor}).json()
    assert not {e["id"] for e in later["events"]} & {e["id"] for e in events_seen}
    # Filtered by type and by province: only those, in the same order.
    issued_only, _ = read_all(agency, types="certificate.issued", province="91")
    assert {events.routing_key(e) for e in issued_only} == {"certificate.issued"}
    wanted = {e["id"] for e in issued_only}
    assert [e["id"] for e in events_seen if e["id"] in wanted] == \
        [e["id"] for e in issued_only][:len([e for e in events_seen if e["id"] in wanted])]
    assert issued["id"] in wanted
    assert_problem(agency.get("/events", params={"after": "bogus"}), 422, "after")
    assert_problem(agency.get("/events", params={"types": "cake.baked"}), 422, "types")


def test_a_provincial_agency_reads_its_province_only(people, mailbox):
    _, agency = an_agency(people, province="91")
    assert agency.get("/events", params={"limit": 1}).status_code == 200
    assert_problem(agency.get("/events", params={"province": "79"}), 403)
    for event in agency.get("/events", params={"limit": 200}).json()["events"]:
        assert event["data"].get("province_code", "91") == "91"
