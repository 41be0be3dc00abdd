"""The CloudEvents 1.0 envelope every OCOP event travels in.

``type`` is ``vn.gov.ocop.<aggregate>.<past-tense verb>.v1``; its middle part is the
routing key on the publishing service's ``<service>.events`` topic exchange, so
``product.submitted`` is published as ``vn.gov.ocop.product.submitted.v1``.
``source`` + ``id`` identify an event; a re-sent event keeps both.
"""
import json
import uuid
from datetime import datetime, timezone

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/cloudevents+json"
TYPE_PREFIX = "vn.gov.ocop."
TYPE_VERSION = ".v1"


def utc_now():
    return datetime.now(timezone.utc)


def timestamp():
    """Now, as stored and exchanged everywhere: RFC 3339 in UTC, which sorts in time
    order as text and reads the same in every store and event."""
    return rfc3339(utc_now())


def rfc3339(moment):
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds").replace(
        "+00:00", "Z")


def new_event(service, name, subject, data):
    """An event named by its routing key, e.g. ``new_event("registration",
    "product.submitted", "products/42", {...})``."""
    return {
        "specversion": SPEC_VERSION,
        "id": str(uuid.uuid4()),
        "source": f"/ocop/{service}",
        "type": f"{TYPE_PREFIX}{name}{TYPE_VERSION}",
        "subject": subject,
        "time": timestamp(),
        "datacontenttype": "application/json",
        "data": data,
    }


def routing_key(event):
    return event["type"][len(TYPE_PREFIX):-len(TYPE_VERSION)]


def service_of(event):
    """The publishing service, e.g. ``registration`` for source ``/ocop/registration``."""
    return event["source"].rsplit("/", 1)[-1]


def encode(event):
    return json.dumps(event, ensure_ascii=False, separators=(",", ":"))


decode = json.loads
