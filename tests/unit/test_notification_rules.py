"""Notification's rule modules, without infrastructure: the recipients table, templates,
webhook signatures (verified with the ``standardwebhooks`` package), the retry schedule,
the SSRF guard (with a resolver standing in for DNS), the feed's cursor and redaction,
and the SMTP settings."""
import random
import socket
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from chassis.errors import InvalidInput
from chassis.events import new_event
from services.notification import feed, mail, recipients, ssrf, templates, webhooks
from services.notification.contracts import PUBLISHED as NOTIFICATION

PUBLIC = ssrf.Policy()
DEVELOPMENT = ssrf.Policy.from_config("true", "127.0.0.2/32, 10.8.0.0/16")


def resolving_to(*addresses):
    """A resolver that answers ``addresses`` for any name, as getaddrinfo does."""
    def resolve(host, port, type=None):
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                 (a, port)) for a in addresses]
    return resolve


def refused_field(url, policy=PUBLIC, resolver=resolving_to("93.184.215.14")):
    with pytest.raises(InvalidInput) as refused:
        ssrf.resolve(url, policy, resolver)
    assert refused.value.status == 422
    [error] = refused.value.errors
    assert error["pointer"] == "/url"
    return error["detail"]


# The table ------------------------------------------------------------------------------

def test_every_row_is_an_event_that_exists_and_every_template_is_written():
    published = set(feed.TYPES) | set(NOTIFICATION)
    for name, notices in recipients.NOTICES.items():
        assert name in published, name
        for notice in notices:
            assert notice.recipient in recipients.KINDS
            assert notice.template in templates.TEMPLATES
            assert set(notice.channels) <= set(recipients.CHANNELS)


WHERE = {"producer_id": "o1", "province_code": "91", "commune_code": "30406"}
DOSSIER = {**WHERE, "product_id": "p1", "form_number": "7/PĐK-91-30406-2026"}
EVALUATION = {**WHERE, "evaluation_id": "e1", "product_id": "p1", "name": "Gạo thơm",
              "producer_name": "HTX Phú Tân", "category": "03", "product_code": None,
              "level": "province", "kind": "first", "round_id": "province-2027-1"}
CERTIFICATE = {"code": "OCOP-91-2026-00007", "product_id": "p1", "producer_id": "o1",
               "province_code": "91", "stars": 4, "level": "province",
               "expires_on": "2029-11-30"}
MILESTONE = {**CERTIFICATE, "milestone_on": "2029-06-03", "renewal_opens_on": "2029-06-03",
             "renewal_closes_on": "2029-08-02", "valid_until": "2029-11-30"}
# Each new row's event as its publisher's contract has it (checked below), with what the
# product directory may add (the product's name, learnt from earlier events).
EXAMPLES = {
    "idea.accepted": {**WHERE, "idea_id": "i1"},
    "idea.returned": {**WHERE, "idea_id": "i1", "reasons": ["Chưa rõ vùng nguyên liệu"]},
    "plan.accepted": {**WHERE, "plan_id": "k1", "idea_id": "i1"},
    "plan.returned": {**WHERE, "plan_id": "k1", "idea_id": "i1", "reasons": ["Thiếu dòng tiền"]},
    "dossier.submitted": {**DOSSIER, "category": "03", "kind": "first",
                          "received_on": "2026-11-30", "deadline_on": "2026-12-21"},
    "dossier.returned": {**DOSSIER, "by_level": "province", "reasons": ["Bổ sung ATTP"]},
    "dossier.forwarded": {**DOSSIER, "forwarded_on": "2026-12-02"},
    "evaluation.approval_requested": {**EVALUATION, "score": 96.5, "stars": 5, "capped_by": []},
    "evaluation.approval_refused": {**EVALUATION, "score": 96.5, "stars": 5,
                                    "reference": "457/QĐ-UBND", "date": "2026-12-01",
                                    "refused_by": "chair-91",
                                    "reason": "Vùng nguyên liệu chưa ổn định"},
    "certificate.revoked": {**CERTIFICATE, "ground": "law_violation",
                            "finding_reference": "45/KL-ATTP", "finding_date": "2027-03-01",
                            "due_on": "2027-03-16", "revoked_on": "2027-03-10", "late": False,
                            "revoked_at": "2027-03-10T03:00:00Z"},
    "certificate.renewal_window_opened": MILESTONE,
    "certificate.renewal_closing": {**MILESTONE, "milestone_on": "2029-08-02"},
    "certificate.expiring": {**MILESTONE, "milestone_on": "2029-10-31"},
    "certificate.expired": {**MILESTONE, "milestone_on": "2029-11-30"},
}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_each_new_row_renders_from_what_its_event_carries(name):
    data = EXAMPLES[name]
    contract = feed.SOURCES[feed.TYPES[name]][name]
    assert contract().validate(data) == {}, "the example is not the contract's"
    notices = recipients.notices_of(name)
    assert notices
    for known in (data, {**data, "name": "Gạo thơm Phú Tân"}):
        for notice in notices:
            told = templates.text(notice.template, known)
            assert told["vi"] and told["en"] and told["vi"] != told["en"]


def test_the_commune_is_told_of_a_dossier_and_its_deadline_the_producer_of_its_return():
    [commune] = recipients.notices_of("dossier.submitted")
    assert recipients.recipient_key(commune.recipient, EXAMPLES["dossier.submitted"], {}) == \
        "commune:30406"
    told = templates.text(commune.template, EXAMPLES["dossier.submitted"])
    assert "2026-12-21" in told["vi"] and "15 working days" in told["en"]
    [producer] = recipients.notices_of("dossier.returned")
    returned = templates.text(producer.template, {**EXAMPLES["dossier.returned"],
                                                  "name": "Gạo"})
    assert returned["en"] == "The province returned registration dossier " \
        "7/PĐK-91-30406-2026 («Gạo») to be completed: Bổ sung ATTP"
    forwarded = {n.recipient: n for n in recipients.notices_of("dossier.forwarded")}
    assert set(forwarded) == {recipients.PRODUCER, recipients.PROVINCE}
    assert templates.text(forwarded[recipients.PROVINCE].template, EXAMPLES[
        "dossier.forwarded"])["vi"].startswith("Xã Phú Tân đã gửi hồ sơ đăng ký số 7/")


def test_a_central_result_handed_back_is_told_to_the_province_as_such():
    result = {"name": "Gạo", "score": 85.5, "stars": 4, "recognised": True,
              "province_code": "91", "producer_id": "o1"}
    provincial = {**result, "level": "province", "council_level": "province"}
    handed_back = {**result, "level": "province", "council_level": "central"}
    central = {**result, "stars": 5, "level": "central", "council_level": "central"}
    before_the_field = {**result, "level": "province"}  # published before council_level

    def province_told(data):
        return [n.template for n in recipients.notices_of("evaluation.completed")
                if n.recipient == recipients.PROVINCE and n.applies(data)]
    assert province_told(handed_back) == ["handed_back_to_province"]
    for data in (provincial, central, before_the_field):
        assert province_told(data) == ["result_to_province"]
    assert "Art. 7.4.g" in templates.text("handed_back_to_province", handed_back)["en"]


def test_two_lines_of_a_row_to_one_recipient_never_both_apply():
    """One key per (event, recipient, channel): a row names a recipient kind once, or
    under conditions that exclude each other."""
    samples = [{"level": level, "council_level": council} for level in ("province", "central")
               for council in ("province", "central", None)]
    for name, notices in recipients.NOTICES.items():
        for kind in {n.recipient for n in notices}:
            lines = [n for n in notices if n.recipient == kind]
            for data in samples:
                assert len([n for n in lines if n.applies(data)]) <= 1, (name, kind, data)


def test_recipients_come_from_the_event_or_from_what_earlier_events_said():
    issued = {"code": "OCOP-91-2026-00001", "product_id": "p1", "producer_id": "o1"}
    directory = {"p1": {"province_code": "91", "name": "Gạo"}}
    assert recipients.recipient_key(recipients.PRODUCER, issued, {}) == "producer:o1"
    assert recipients.recipient_key(recipients.PROVINCE, issued, directory) == "province:91"
    assert recipients.recipient_key(recipients.PROVINCE, issued, {}) is None
    opened = {"product_id": "p1", "province_code": "91", "level": "province"}
    assert recipients.recipient_key(recipients.COUNCIL, opened, {}) == "council:province-91"
    assert recipients.recipient_key(recipients.COUNCIL, {**opened, "level": "central"},
                                    {}) == "council:central"
    assert recipients.recipient_key(recipients.CENTRAL, opened, {}) == "central"


@pytest.mark.parametrize("key, kind, province", [
    ("producer:abc", "producer", None), ("province:91", "province", "91"),
    ("commune:30406", "commune", "91"), ("council:central", "council", None),
    ("central", "central", None), ("agency:vnpost", "agency", None)])
def test_recipient_keys_name_a_role_in_a_scope(key, kind, province):
    recipient = recipients.parse(key)
    assert recipient.kind == kind and recipient.province == province


@pytest.mark.parametrize("key", ["", "nobody:1", "province:99", "commune:00000", "producer:",
                                 "central:x", None, 5])
def test_keys_that_name_no_recipient_are_none(key):
    assert recipients.parse(key) is None


def test_an_email_has_a_plain_text_part_and_an_html_part_in_the_recipients_language():
    texts = templates.text("submitted", {"name": "Gạo <thơm>"})
    message = templates.email(texts, "en", "OCOP <no-reply@ocop.gov.vn>", "a@example.org")
    assert message["Subject"] == "[OCOP] Product «Gạo <thơm>» was submitted for evaluation " \
                                 "and ranking"
    plain = message.get_body(("plain",)).get_content()
    rich = message.get_body(("html",)).get_content()
    assert plain.startswith("Product «Gạo <thơm>»") and "Gạo &lt;thơm&gt;" in rich
    vietnamese = templates.email(texts, "vi", "x@example.org", "a@example.org")
    assert "Sản phẩm «Gạo <thơm>»" in vietnamese.get_body(("plain",)).get_content()
    assert vietnamese["Content-Language"] == "vi"


# Webhook signatures -----------------------------------------------------------------------

def test_a_delivery_verifies_with_the_standard_webhooks_library():
    secret = webhooks.new_secret()
    body = '{"id":"e1","data":{"name":"Gạo"}}'
    headers = webhooks.signed_headers("e1", datetime.now(timezone.utc), body, [secret])
    assert Webhook(secret).verify(body, headers) == {"id": "e1", "data": {"name": "Gạo"}}
    with pytest.raises(WebhookVerificationError):
        Webhook(webhooks.new_secret()).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.replace("Gạo", "Lúa"), headers)


def test_during_a_rotation_both_secrets_verify():
    old, new = webhooks.new_secret(), webhooks.new_secret()
    body = "{}"
    headers = webhooks.signed_headers("e2", datetime.now(timezone.utc), body, [new, old])
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):
        Webhook(secret).verify(body, headers)


# The retry schedule --------------------------------------------------------------------

def test_the_default_schedule_spans_about_a_day_and_jitters():
    schedule = webhooks.parse_schedule(webhooks.DEFAULT_SCHEDULE)
    assert 20 * 3600 < sum(schedule) < 30 * 3600
    delays = {webhooks.retry_delay(schedule, 2, rng=random.Random(seed)) for seed in range(5)}
    assert len(delays) == 5 and all(240 <= d <= 360 for d in delays)
    assert webhooks.retry_delay(schedule, len(schedule) + 1) is None


def test_retry_after_is_waited_out_up_to_a_day():
    schedule = webhooks.parse_schedule("1,2")
    assert webhooks.retry_delay(schedule, 1, retry_after=1.5) >= 1.5
    assert webhooks.retry_delay(schedule, 1, retry_after=3600) == 3600
    assert webhooks.retry_delay(schedule, 1, retry_after=10 ** 7) == 86400
    assert webhooks.retry_after_seconds("7") == 7
    later = datetime.now(timezone.utc) + timedelta(seconds=60)
    assert 55 < webhooks.retry_after_seconds(format_datetime(later, usegmt=True)) <= 60
    assert webhooks.retry_after_seconds("soon") is None


@pytest.mark.parametrize("text", ["5x", "", "1,,2", "-1"])
def test_a_schedule_that_cannot_be_read_is_refused_naming_the_setting(text):
    with pytest.raises(ValueError, match="WEBHOOK_RETRY_SCHEDULE"):
        webhooks.parse_schedule(text)


def test_answers_mean_delivered_gone_or_retry():
    assert [webhooks.outcome(s) for s in (200, 204, 410, 429, 500, 301)] == [
        "delivered", "delivered", "gone", "retry", "retry", "retry"]


# The SSRF guard ---------------------------------------------------------------------------

@pytest.mark.parametrize("address, reason", [
    ("127.0.0.1", "loopback"), ("::1", "loopback"), ("169.254.169.254", "link-local"),
    ("10.1.2.3", "private"), ("192.168.0.7", "private"), ("172.16.4.4", "private"),
    ("fd00:ec2::254", "private"), ("100.100.100.200", "not a public address"),
    ("0.0.0.0", "private"), ("::ffff:127.0.0.1", "loopback"),
    ("224.0.0.1", "multicast")])
def test_names_resolving_to_inner_addresses_are_refused(address, reason):
    detail = refused_field("https://hooks.example.org/in", resolver=resolving_to(address))
    assert address in detail and reason in detail


def test_one_inner_address_among_public_ones_is_enough_to_refuse():
    assert "10.0.0.5" in refused_field(
        "https://hooks.example.org/", resolver=resolving_to("93.184.215.14", "10.0.0.5"))


def test_a_public_https_url_is_called_at_the_address_checked():
    destination = ssrf.resolve("https://hooks.example.org:8443/in?x=1", PUBLIC,
                               resolving_to("93.184.215.14"))
    assert destination == ssrf.Destination("https", "hooks.example.org", 8443, "/in?x=1",
                                           "93.184.215.14")


def test_a_name_that_resolves_elsewhere_at_delivery_is_refused_then():
    """DNS rebinding: public at registration, the metadata service at delivery."""
    ssrf.resolve("https://rebind.example.org/", PUBLIC, resolving_to("93.184.215.14"))
    assert "169.254.169.254" in refused_field("https://rebind.example.org/",
                                              resolver=resolving_to("169.254.169.254"))


@pytest.mark.parametrize("url, says", [
    ("http://hooks.example.org/", "https"), ("ftp://hooks.example.org/", "https"),
    ("https:///nohost", "host"), ("https://user:pw@hooks.example.org/", "user"),
    ("https://hooks.example.org:99999/", "not a URL")])
def test_urls_of_the_wrong_shape_are_refused(url, says):
    assert says in refused_field(url)


def test_the_real_resolver_refuses_numeric_spellings_of_inner_addresses():
    """``2130706433`` and ``0x7f.1`` are 127.0.0.1 to getaddrinfo: a guard reading only
    dotted quads would let them through."""
    for url in ("https://2130706433/", "https://0x7f.1/", "https://localhost/"):
        assert "127.0.0.1" in refused_field(url, resolver=socket.getaddrinfo)


def test_development_allows_http_and_the_allowed_networks_only():
    assert ssrf.resolve("http://127.0.0.2:8080/", DEVELOPMENT, socket.getaddrinfo).address \
        == "127.0.0.2"
    assert ssrf.resolve("https://vpn.example.org/", DEVELOPMENT,
                        resolving_to("10.8.3.4")).address == "10.8.3.4"
    assert "127.0.0.1" in refused_field("http://127.0.0.1:8080/", DEVELOPMENT,
                                        socket.getaddrinfo)


def test_a_name_that_does_not_resolve_is_refused():
    def nowhere(host, port, type=None):
        raise socket.gaierror("no such name")
    assert "does not resolve" in refused_field("https://nowhere.example.org/",
                                               resolver=nowhere)


# The feed -------------------------------------------------------------------------------

def test_agencies_see_no_personal_data():
    event = new_event("evaluation", "evaluation.review_requested", "products/p", {
        "product_id": "p", "producer_name": "Nguyễn Văn A", "member": "advisor-1",
        "note": "gọi 0901…", "province_code": "91"})
    seen = feed.for_agencies(event)
    assert seen["data"] == {"product_id": "p", "province_code": "91"}
    assert event["data"]["producer_name"] == "Nguyễn Văn A"  # the original is untouched
    assert {k: v for k, v in seen.items() if k != "data"} == \
        {k: v for k, v in event.items() if k != "data"}


def test_a_cursor_goes_round_and_one_not_given_is_refused_naming_it():
    assert feed.position_of(feed.cursor_after(42)) == 42
    assert feed.position_of(None) == 0
    for cursor in ("42", "nonsense", feed.cursor_after(1)[:-2] + "!!"):
        with pytest.raises(InvalidInput) as refused:
            feed.position_of(cursor)
        assert refused.value.errors[0]["parameter"] == "after"


def test_types_and_provinces_are_checked_naming_the_parameter():
    assert feed.checked_types(["certificate.issued"]) == ["certificate.issued"]
    with pytest.raises(InvalidInput) as refused:
        feed.checked_types(["certificate.issued", "cake.baked"])
    assert refused.value.errors[0]["parameter"] == "types"
    with pytest.raises(InvalidInput) as refused:
        feed.checked_province("99")
    assert refused.value.errors[0]["parameter"] == "province"


# SMTP settings --------------------------------------------------------------------------

@pytest.mark.parametrize("url, expected", [
    ("smtp://mailpit:1025", ("mailpit", 1025, None, None, None)),
    ("smtp+starttls://ocop%40tinh.gov.vn:p%3Ass@mail.gov.vn",
     ("mail.gov.vn", 587, "starttls", "ocop@tinh.gov.vn", "p:ss")),
    ("smtps://u:p@mail.gov.vn", ("mail.gov.vn", 465, "tls", "u", "p"))])
def test_the_smtp_url_gives_host_port_security_and_credentials(url, expected):
    smtp = mail.settings(url, "OCOP <no-reply@ocop.gov.vn>")
    assert (smtp.host, smtp.port, smtp.security, smtp.user, smtp.password) == expected


def test_no_smtp_url_no_email_and_a_wrong_one_is_named():
    assert mail.settings(None, "x") is None and mail.settings("", "x") is None
    with pytest.raises(ValueError, match="SMTP_URL"):
        mail.settings("http://mail.gov.vn", "x")
