"""Cursor pagination of a MongoDB collection: newest first, stable under inserts.

A page is read by key (keyset pagination), never by offset: the cursor is the sort key of
the last item returned, so a document inserted while a client pages through a list
neither shifts nor repeats what it sees. Listed documents carry ``listed``, the
microseconds since the epoch of their ``created_at`` (``stamped``), and sort on
``(listed, _id)`` descending; the collection needs an index of the fields the list filters
on by equality followed by ``INDEXED`` (the list's store says which).

Why a number beside the RFC 3339 ``created_at``: the MongoDB stand-in used in development
compares date-shaped strings at whole seconds, which would reorder a page; ``_id`` is left
out of the index because the stand-in cannot index it in a compound key (ties on the same
microsecond are few enough to sort in memory).
"""
import base64
import binascii
import json

from pymongo import DESCENDING

from chassis.errors import InvalidInput
from chassis.events import rfc3339, utc_now

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
ORDER = [("listed", DESCENDING), ("_id", DESCENDING)]
INDEXED = [("listed", DESCENDING)]


def stamped(document, moment=None):
    """``document`` with its creation time, as text and as the list's sort key."""
    moment = moment or utc_now()
    return {**document, "created_at": rfc3339(moment),
            "listed": int(moment.timestamp() * 1_000_000)}


def page(collection, query, limit=DEFAULT_LIMIT, cursor=None, projection=None):
    """``{"items": [...], "next": cursor or None}``: up to ``limit`` documents matching
    ``query`` that come after ``cursor``; ``next`` is None on the last page."""
    limit = checked_limit(limit)
    if cursor:
        listed, last_id = decode(cursor)
        query = {"$and": [query, {"$or": [
            {"listed": {"$lt": listed}}, {"listed": listed, "_id": {"$lt": last_id}}]}]}
    items = list(collection.find(query, projection).sort(ORDER).limit(limit + 1))
    more = len(items) > limit
    items = items[:limit]
    return {"items": items, "next": encode(items[-1]) if more else None}


def checked_limit(limit):
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit phải từ 1 đến {MAX_LIMIT}",
                           f"limit must be 1 to {MAX_LIMIT}",
                           [{"parameter": "limit", "detail": f"1–{MAX_LIMIT}"}])
    return limit


def encode(document):
    key = json.dumps([document["listed"], document["_id"]], separators=(",", ":"))
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def decode(cursor):
    try:
        listed, last_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if isinstance(listed, bool) or not isinstance(listed, int) or \
                not isinstance(last_id, str):
            raise ValueError(cursor)
    except (ValueError, TypeError, binascii.Error):
        raise InvalidInput("Con trỏ trang không hợp lệ", "The cursor is not one this API gave",
                           [{"parameter": "cursor", "detail": "Không hợp lệ / Invalid"}]
                           ) from None
    return listed, last_id
