"""Notification's use cases: every event is recorded in the feed, told to the people the
table names (``recipients.NOTICES``) and sent to the agencies that subscribed; what leaves
the platform (e-mail, webhooks) is dispatched with retries."""
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

import eventlet

from chassis import pages
from chassis.contracts import event_factory
from chassis.errors import InvalidInput, NotFound, field_error
from chassis.events import encode, rfc3339, routing_key, service_of, timestamp, utc_now
from chassis.outbox import resource
from chassis.schemas import load
from services.notification import feed, mail, recipients, ssrf, templates, webhooks
from services.notification.contracts import PUBLISHED
from services.notification.recipients import EMAIL, INBOX, WEBHOOK
from services.notification.schemas import MailContactSchema, NewEndpointSchema, ReplaySchema
from services.notification.store import DELIVERED, FAILED, PENDING

SERVICE = "notification"
make_event = event_factory(SERVICE, PUBLISHED)
# What the product directory keeps of each product, from the events that say it.
PRODUCT_FACTS = ("province_code", "commune_code", "producer_id", "name")
# Deliveries attempted side by side by one dispatcher tick.
CONCURRENT_ATTEMPTS = 10
# A delivery's verdict when its endpoint was disabled meanwhile: failed, nothing more.
ENDPOINT_DISABLED = "endpoint_disabled"


def consumed():
    """(source service, event name) of every event notification handles: all that the
    feed's sources publish, and its own events that the table tells someone of."""
    return [(source, name) for source, published in feed.SOURCES.items()
            for name in published] + [(SERVICE, name) for name in PUBLISHED
                                      if recipients.notices_of(name)]


@dataclass(frozen=True)
class Settings:
    smtp: object  # mail.SmtpSettings, or None: no e-mail channel
    guard: ssrf.Policy
    webhook_schedule: tuple
    email_schedule: tuple
    webhook_timeout: float
    secret_overlap: float
    lease_seconds: float
    feed_settle: float

    @classmethod
    def from_config(cls, config):
        return cls(
            smtp=mail.settings(config.get("SMTP_URL"), config.get("MAIL_FROM")),
            guard=ssrf.Policy.from_config(config.get("WEBHOOK_ALLOW_HTTP"),
                                          config.get("WEBHOOK_ALLOWED_NETWORKS")),
            webhook_schedule=webhooks.parse_schedule(config.get(
                "WEBHOOK_RETRY_SCHEDULE", webhooks.DEFAULT_SCHEDULE)),
            email_schedule=webhooks.parse_schedule(config.get(
                "EMAIL_RETRY_SCHEDULE", webhooks.DEFAULT_SCHEDULE)),
            webhook_timeout=float(config.get("WEBHOOK_TIMEOUT_SECONDS", 10)),
            secret_overlap=float(config.get("WEBHOOK_SECRET_OVERLAP_SECONDS", 86400)),
            lease_seconds=float(config.get("DELIVERY_LEASE_SECONDS", 120)),
            feed_settle=float(config.get("FEED_SETTLE_SECONDS", 2)))


def event_key(event):
    return f"{event['source']}/{event['id']}"


def delivery_key(event, recipient, channel):
    """The one key of an event's notice to a recipient by a channel, claimed by the write
    that records it: a name-based UUID, the same for every delivery of the event."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{event_key(event)} {recipient} {channel}"))


# Handling an event ------------------------------------------------------------------------

def on_event(store, settings, event):
    """Record ``event`` in the feed, tell whom the table names, queue the agencies'
    webhooks. Each write claims its own key: a redelivery repeats none of them."""
    name, data = routing_key(event), event["data"]
    facts = {k: data[k] for k in PRODUCT_FACTS if k in data}
    if data.get("product_id") and facts:
        store.learn_product(data["product_id"], facts)
    directory = store.product_facts(data.get("product_id"))
    if service_of(event) in feed.SOURCES:
        province = feed.province_of(event, directory)
        record_in_feed(store, event, name, province)
        queue_webhooks(store, event, name, province)
    known = {**directory.get(data.get("product_id"), {}), **data}
    for notice in recipients.notices_of(name):
        recipient = recipients.recipient_key(notice.recipient, data, directory)
        if recipient is not None and notice.applies(known):
            tell(store, settings, event, notice, recipient, known)


def record_in_feed(store, event, name, province):
    store.record_in_feed({"_id": store.next_position(), "event": event_key(event),
                          "type": name, "province": province,
                          "cloudevent": feed.for_agencies(event), "recorded": time.time()})


def subscribed(endpoint, name, province):
    return ((not endpoint["types"] or name in endpoint["types"])
            and (not endpoint["provinces"] or province in endpoint["provinces"]))


def queue_webhooks(store, event, name, province):
    body = encode(feed.for_agencies(event))
    for endpoint in store.enabled_endpoints():
        if subscribed(endpoint, name, province):
            recipient = f"{recipients.AGENCY}:{endpoint['owner']}"
            store.add_delivery(new_delivery(
                event, f"{recipient}/{endpoint['_id']}", WEBHOOK, recipient=recipient,
                endpoint_id=endpoint["_id"], body=body))


def tell(store, settings, event, notice, recipient, data):
    texts = templates.text(notice.template, data)
    if INBOX in notice.channels:
        store.deliver_to_inbox(pages.stamped({
            "_id": delivery_key(event, recipient, INBOX), "event": event_key(event),
            "event_type": event["type"], "subject": event["subject"],
            "recipient": recipient, "text": texts, "read": False}))
    contact = store.contact(recipient) if EMAIL in notice.channels and settings.smtp else None
    if contact:
        store.add_delivery(new_delivery(event, recipient, EMAIL, recipient=recipient,
                                        to=contact["email"], language=contact["language"],
                                        text=texts))


def new_delivery(event, keyed_recipient, channel, **details):
    return pages.stamped({
        "_id": delivery_key(event, keyed_recipient, channel), "channel": channel,
        "event_id": event["id"], "event_type": event["type"], "endpoint_id": None,
        **details, "status": PENDING, "due": time.time(), "lease_until": 0,
        "attempt_count": 0, "round_attempts": 0, "attempts": {}})


# Dispatching e-mail and webhooks ----------------------------------------------------------

def dispatch_due(store, settings):
    """Claim the deliveries that are due and attempt them side by side; each claim is a
    lease, so two replicas never attempt one delivery at the same time."""
    pool = eventlet.GreenPool(CONCURRENT_ATTEMPTS)
    while True:
        delivery = store.claim_due(time.time(), settings.lease_seconds)
        if delivery is None:
            break
        pool.spawn_n(attempt, store, settings, delivery)
        if pool.free() == 0:
            pool.waitall()
    pool.waitall()


def attempt(store, settings, delivery):
    started = time.monotonic()
    if delivery["channel"] == EMAIL:
        result = send_email(settings, delivery)
    else:
        result = send_webhook(store, settings, delivery)
    status, verdict, retry_after, error = result
    number = delivery["attempt_count"] + 1
    change = {"$set": {
        f"attempts.{number}": {"at": timestamp(), "status_code": status, "error": error,
                               "latency_ms": round((time.monotonic() - started) * 1000)},
        "attempt_count": number, "round_attempts": delivery["round_attempts"] + 1,
        "lease_until": 0}}
    delivery = {**delivery, "attempt_count": number}
    schedule = settings.email_schedule if delivery["channel"] == EMAIL \
        else settings.webhook_schedule
    delay = None if verdict != webhooks.RETRY else webhooks.retry_delay(
        schedule, delivery["round_attempts"] + 1, retry_after)
    if verdict == webhooks.DELIVERED:
        change["$set"].update(status=DELIVERED, delivered_at=timestamp())
        events = [delivery_event("notification.delivered", delivery,
                                 delivered_at=change["$set"]["delivered_at"])]
    elif delay is not None:
        change["$set"]["due"] = time.time() + delay
        events = []
    else:
        change["$set"].update(status=FAILED, failed_at=timestamp())
        events = [delivery_event("notification.failed", delivery,
                                 failed_at=change["$set"]["failed_at"],
                                 reason=(error or f"HTTP {status}")[:2000])]
    recorded = store.record_attempt(delivery, change, events)
    if recorded and delivery["channel"] == WEBHOOK and delay is None and \
            verdict in (webhooks.GONE, webhooks.RETRY):
        disable(store, delivery["endpoint_id"], "410 Gone" if verdict == webhooks.GONE else
                f"every attempt of the retry schedule failed; the last: {error or status}")


def delivery_event(name, delivery, **details):
    return make_event(name, f"deliveries/{delivery['_id']}", {
        "delivery_id": delivery["_id"], "event_id": delivery["event_id"],
        "event_type": delivery["event_type"], "recipient": delivery["recipient"],
        "channel": delivery["channel"], "endpoint_id": delivery["endpoint_id"],
        "attempts": delivery["attempt_count"], **details})


def send_email(settings, delivery):
    """(status, verdict, retry_after, error) of handing the e-mail to the SMTP server."""
    if settings.smtp is None:
        return None, webhooks.RETRY, None, "no SMTP_URL is configured"
    message = templates.email(delivery["text"], delivery["language"], settings.smtp.sender,
                              delivery["to"])
    try:
        mail.send(settings.smtp, message)
    except mail.SEND_ERRORS as exc:
        return None, webhooks.RETRY, None, f"{type(exc).__name__}: {exc}"[:2000]
    return None, webhooks.DELIVERED, None, None


def send_webhook(store, settings, delivery):
    """(status, verdict, retry_after, error) of one POST to the delivery's endpoint,
    whose URL is checked again now (DNS rebinding)."""
    endpoint = store.endpoint(delivery["endpoint_id"])
    if endpoint is None or not endpoint["enabled"]:
        return None, ENDPOINT_DISABLED, None, "the endpoint is disabled"
    try:
        destination = ssrf.resolve(endpoint["url"], settings.guard)
    except InvalidInput as exc:
        return None, webhooks.RETRY, None, exc.message_en
    now = utc_now()
    headers = webhooks.signed_headers(delivery["event_id"], now, delivery["body"],
                                      valid_secrets(endpoint, now.timestamp()))
    try:
        status, retry_after = webhooks.post(destination, headers, delivery["body"],
                                            settings.webhook_timeout)
    except webhooks.POST_ERRORS as exc:
        return None, webhooks.RETRY, None, f"{type(exc).__name__}: {exc}"[:2000]
    return (status, webhooks.outcome(status), webhooks.retry_after_seconds(retry_after),
            None if 200 <= status < 300 else f"HTTP {status}")


def disable(store, endpoint_id, reason):
    """Disable the endpoint once and say so (its owner is told through the event)."""
    endpoint = store.endpoint(endpoint_id)
    disabled_at = timestamp()
    event = make_event("webhook.endpoint_disabled", f"webhooks/{endpoint_id}", {
        "endpoint_id": endpoint_id, "owner": endpoint["owner"], "url": endpoint["url"],
        "reason": reason[:2000], "disabled_at": disabled_at})
    store.disable_endpoint(endpoint_id, {"$set": {
        "enabled": False, "disabled_reason": reason[:2000], "disabled_at": disabled_at}},
        [event])


def valid_secrets(endpoint, now):
    """The current secret, and the previous one while its overlap lasts."""
    previous = endpoint.get("previous_secret")
    return [endpoint["secret"]] + (
        [previous] if previous and endpoint.get("previous_until", 0) > now else [])


# Inboxes and contacts ---------------------------------------------------------------------

def checked_recipient(recipient, parameter="recipient"):
    if recipients.parse(recipient) is None:
        raise InvalidInput(f"Không có người nhận {recipient}", f"No recipient {recipient}",
                           [{"parameter": parameter, "detail": "producer:<id>, "
                             "commune:<mã>, province:<mã>, council:<hội đồng>, central, "
                             "agency:<subject>"}])
    return recipient


def inbox(store, recipient, limit=pages.DEFAULT_LIMIT, cursor=None):
    found = store.inbox_page(checked_recipient(recipient), limit, cursor)
    return {"items": [resource(item) for item in found["items"]], "next": found["next"]}


def unread(store, recipient):
    return {"recipient": recipient, "unread": store.unread(checked_recipient(recipient))}


def found(document, what_vi, what_en, key):
    """``document``, or the 404 that names what was looked for."""
    if document is None:
        raise NotFound(f"Không có {what_vi} {key}", f"No {what_en} {key}")
    return document


def item_or_404(store, item_id):
    return found(store.inbox_item(item_id), "thông báo", "notification", item_id)


def message_scope(store, item_id):
    return {"recipient": item_or_404(store, item_id)["recipient"]}


def mark_read(store, item_id):
    item_or_404(store, item_id)
    return resource(store.mark_read(item_id, timestamp()))


def set_contact(store, recipient, payload):
    contact = load(MailContactSchema(), payload)
    store.set_contact(checked_recipient(recipient), contact)
    return {"recipient": recipient, **contact}


# Agencies' webhook endpoints ---------------------------------------------------------------

def create_endpoint(store, settings, caller, payload):
    """An agency's endpoint for the event types and provinces it names (all when it names
    none; an agency of one province, its province only). Its URL passes the SSRF guard."""
    body = load(NewEndpointSchema(), payload)
    ssrf.resolve(body["url"], settings.guard)
    feed.checked_types(body.get("types", []), parameter="types")
    provinces = body.get("provinces") or ([caller.province] if caller.province else [])
    for index, province in enumerate(provinces):
        if caller.province and province != caller.province:
            raise InvalidInput("Cơ quan chỉ được đăng ký tỉnh của mình",
                               "An agency may subscribe to its own province only",
                               [field_error(f"/provinces/{index}", f"Chỉ {caller.province}",
                                            f"Only {caller.province}")])
    secret = webhooks.new_secret()
    endpoint = pages.stamped({
        "_id": str(uuid.uuid4()), "owner": caller.subject, "url": body["url"],
        "types": body.get("types", []), "provinces": provinces, "secret": secret,
        "previous_secret": None, "previous_until": 0, "enabled": True,
        "disabled_reason": None, "disabled_at": None})
    store.add_endpoint(endpoint)
    return endpoint_view(endpoint, with_secret=True)


def endpoint_view(endpoint, with_secret=False):
    view = {k: v for k, v in resource(endpoint).items()
            if k not in ("secret", "previous_secret", "previous_until", "listed")}
    if with_secret:
        view["secret"] = endpoint["secret"]
    return view


def endpoint_or_404(store, endpoint_id):
    return found(store.endpoint(endpoint_id), "webhook", "webhook endpoint", endpoint_id)


def endpoint_scope(store, endpoint_id):
    return {"owner": endpoint_or_404(store, endpoint_id)["owner"]}


def endpoints_of(store, owner):
    return [endpoint_view(e) for e in store.endpoints_of(owner)]


def rotate_secret(store, settings, endpoint_id):
    """A new secret; the one it replaces stays valid for the overlap."""
    endpoint = endpoint_or_404(store, endpoint_id)
    return endpoint_view(store.update_endpoint(endpoint_id, {"$set": {
        "secret": webhooks.new_secret(), "previous_secret": endpoint["secret"],
        "previous_until": time.time() + settings.secret_overlap}}), with_secret=True)


def enable_endpoint(store, settings, endpoint_id):
    endpoint = endpoint_or_404(store, endpoint_id)
    ssrf.resolve(endpoint["url"], settings.guard)
    return endpoint_view(store.update_endpoint(endpoint_id, {"$set": {
        "enabled": True, "disabled_reason": None, "disabled_at": None}}))


def delivery_log(store, endpoint_id, limit=pages.DEFAULT_LIMIT, cursor=None):
    endpoint_or_404(store, endpoint_id)
    found = store.delivery_log(endpoint_id, limit, cursor)
    return {"items": [delivery_view(d) for d in found["items"]], "next": found["next"]}


def delivery_view(delivery):
    attempts = [{"attempt": int(n), **a} for n, a in sorted(
        delivery["attempts"].items(), key=lambda item: int(item[0]))]
    return {"id": delivery["_id"], "event_id": delivery["event_id"],
            "event_type": delivery["event_type"], "status": delivery["status"],
            "created_at": delivery["created_at"], "attempts": attempts,
            "next_attempt_at": rfc3339_of(delivery["due"])
            if delivery["status"] == PENDING else None}


def rfc3339_of(seconds):
    return rfc3339(datetime.fromtimestamp(seconds, timezone.utc))


def replay_delivery(store, endpoint_id, delivery_id):
    delivery = store.delivery(delivery_id)
    found(delivery if delivery and delivery["endpoint_id"] == endpoint_id else None,
          "lần gửi", "delivery", delivery_id)
    store.replay({"_id": delivery_id}, time.time())
    return delivery_view(store.delivery(delivery_id))


def replay_range(store, endpoint_id, payload):
    """Send again every delivery to the endpoint made in ``[from, to)``."""
    endpoint_or_404(store, endpoint_id)
    window = load(ReplaySchema(), payload)
    start, end = (int(window[k].timestamp() * 1_000_000) for k in ("from_", "to"))
    if end <= start:
        raise InvalidInput("Khoảng thời gian rỗng", "The time range is empty",
                           [field_error("/to", "Phải sau from", "Must be after from")])
    replayed = store.replay({"endpoint_id": endpoint_id,
                             "listed": {"$gte": start, "$lt": end}}, time.time())
    return {"replayed": replayed}


# The feed -------------------------------------------------------------------------------------

def read_feed(store, settings, after=None, types=None, province=None, limit=100):
    """The events after the cursor ``after`` (from the start without one), oldest first,
    and the cursor to go on from; settled events only (``feed`` module). ``types`` is a
    comma-separated list of short names."""
    position = feed.position_of(after)
    wanted = [name.strip() for name in (types or "").split(",") if name.strip()]
    found = store.feed_after(position, time.time() - settings.feed_settle,
                             feed.checked_types(wanted), feed.checked_province(province),
                             pages.checked_limit(limit))
    return {"events": [entry["cloudevent"] for entry in found],
            "next": feed.cursor_after(found[-1]["_id"] if found else position)}

