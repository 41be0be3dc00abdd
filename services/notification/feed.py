"""The pull feed of events for agencies (``GET /api/v1/events``), and what an agency sees
of an event, there and in its webhooks.

Notification consumes every event registration, evaluation and certification publish (a
handler per type their contracts declare) and numbers each one as it records it, once
per event (``source`` + ``id``). The feed serves them in that order after an opaque
cursor; no cursor replays from the first event. An event is served only once it has been
recorded for ``FEED_SETTLE_SECONDS``: two replicas record concurrently, and a number
taken by one may become visible a moment after a higher number taken by the other; the
wait keeps a reader that has passed a number from missing the one before it.

What agencies see (Decision 26/2026 Art. 9 shares results with other state agencies;
design.md §2 keeps personal data out of events a subscriber does not need): the CloudEvent
without ``PERSONAL_FIELDS`` of its data — the producer's name (often a person's, for a
household business), a council or advisory member's identity, an advisory note in free
text.
"""
import base64
import binascii

from chassis.errors import InvalidInput
from chassis.events import routing_key
from chassis.provinces import PROVINCES
from services.certification.contracts import PUBLISHED as CERTIFICATION
from services.evaluation.contracts import PUBLISHED as EVALUATION
from services.registration.contracts import PUBLISHED as REGISTRATION

SOURCES = {"registration": REGISTRATION, "evaluation": EVALUATION,
           "certification": CERTIFICATION}
# Every event type of the feed: its short name → the publishing service.
TYPES = {name: source for source, published in SOURCES.items() for name in published}
PERSONAL_FIELDS = ("producer_name", "member", "note")
CURSOR_PREFIX = "e1."


def for_agencies(event):
    """The event as agencies receive it: personal data left out."""
    return {**event, "data": {key: value for key, value in event["data"].items()
                              if key not in PERSONAL_FIELDS}}


def province_of(event, directory):
    """The province an event concerns: its data's, or what earlier events said of its
    product; None when neither says (only unfiltered readers see it)."""
    data = event["data"]
    return data.get("province_code") or directory.get(data.get("product_id"), {}).get(
        "province_code")


def short_type(event):
    return routing_key(event)


def cursor_after(position):
    return base64.urlsafe_b64encode(f"{CURSOR_PREFIX}{position}".encode()).decode().rstrip("=")


def position_of(cursor):
    """The position a cursor of this feed stands at; 0 (the beginning) without one."""
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not text.startswith(CURSOR_PREFIX) or not text[len(CURSOR_PREFIX):].isdigit():
            raise ValueError(cursor)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput("Con trỏ không hợp lệ", "The cursor is not one this feed gave",
                           [{"parameter": "after", "detail": "Không hợp lệ / Invalid"}]
                           ) from None
    return int(text[len(CURSOR_PREFIX):])


def checked_types(types, parameter="types"):
    """Event type short names (``certificate.issued``), each one the feed carries."""
    unknown = [name for name in types if name not in TYPES]
    if unknown:
        raise InvalidInput(
            f"Không có loại sự kiện {', '.join(unknown)}", f"No event type {', '.join(unknown)}",
            [{"parameter": parameter, "detail": f"Một trong / One of: {', '.join(sorted(TYPES))}"}])
    return list(types)


def checked_province(province, parameter="province"):
    if province is not None and province not in PROVINCES:
        raise InvalidInput(f"Không có tỉnh mã {province}", f"No province with code {province}",
                           [{"parameter": parameter, "detail": "Mã tỉnh 2 chữ số / "
                                                               "Two-digit province code"}])
    return province
