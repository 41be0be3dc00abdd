"""Safe retries of POST requests: the ``Idempotency-Key`` header, as the IETF draft
draft-ietf-httpapi-idempotency-key-header says.

A client sends a key of its choosing with a POST. The first request with that key runs and
its response is kept; a retry with the same key and the same request (method, path, query
and body bytes) gets that response again, status and body, without running anything; the
same key with another request is refused (422); a retry while the first is still running
gets 409. Keys belong to the caller: the token's subject, or the client address of an
anonymous caller.

The records are the gateway's own, in its MongoDB database (``MONGO_URI``, ``MONGO_DB``),
so every gateway replica sees them and a restart loses none. They expire after
``IDEMPOTENCY_TTL_HOURS`` (a TTL index removes them). A record still marked running after
``IDEMPOTENCY_LEASE_SECONDS`` belongs to a gateway that died mid-request: a retry takes
it over. A response the client should retry anyway (5xx, 429) is not kept.
"""
import hashlib
import re
import time
from datetime import datetime, timedelta, timezone

from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError
from werkzeug.wrappers import Response

from gateway.problems import Problem

HEADER = "Idempotency-Key"
# The draft's key is a structured-field string: printable ASCII; quotes are optional here.
KEY = re.compile(r'^"?([\x20-\x21\x23-\x5b\x5d-\x7e]{1,255})"?$')
RUNNING, DONE = "running", "done"
KEPT_HEADERS = ("Content-Type", "Content-Language", "Location", "ETag", "Link")
DEFAULT_TTL_HOURS = 24
DEFAULT_LEASE_SECONDS = 60
COLLECTION = "idempotency_keys"


def prepare(database):
    """The TTL index that forgets a key ``IDEMPOTENCY_TTL_HOURS`` after its first use."""
    database[COLLECTION].create_index([("expires_at", ASCENDING)], expireAfterSeconds=0)


def not_kept(status):
    return status >= 500 or status == 429


class Claim:
    """This request runs under the key: ``settle`` keeps its response."""

    replay = None

    def __init__(self, records, record_id):
        self.records, self.record_id = records, record_id

    def settle(self, response):
        if not_kept(response.status_code):
            self.records.delete_one({"_id": self.record_id, "state": RUNNING})
            return
        kept = {"status": response.status_code, "body": response.get_data(as_text=True),
                "headers": [[name, response.headers[name]] for name in KEPT_HEADERS
                            if name in response.headers]}
        self.records.update_one({"_id": self.record_id, "state": RUNNING},
                                {"$set": {"state": DONE, "response": kept}})


class Replay:
    """The kept response of an earlier request with the same key."""

    def __init__(self, kept):
        self.kept = kept

    @property
    def replay(self):
        response = Response(self.kept["body"], status=self.kept["status"])
        for name, value in self.kept["headers"]:
            response.headers[name] = value
        response.headers[HEADER + "-Replayed"] = "true"
        return response

    def settle(self, response):
        pass


class IdempotencyKeys:
    """The records of one gateway's database (a ``chassis.mongo.MongoDatabase``)."""

    def __init__(self, database, ttl_hours=DEFAULT_TTL_HOURS,
                 lease_seconds=DEFAULT_LEASE_SECONDS):
        self.records = database[COLLECTION]
        self.ttl = timedelta(hours=float(ttl_hours))
        self.lease = float(lease_seconds)

    def claim(self, request, caller):
        """None when the request carries no key; else a ``Claim`` to run it under, a
        ``Replay`` of the first response, or the refusal (400, 409, 422)."""
        header = request.headers.get(HEADER)
        if header is None:
            return None
        match = KEY.fullmatch(header.strip())
        if not match:
            raise Problem(400, "Idempotency-Key không hợp lệ / Invalid Idempotency-Key",
                          "Khóa gồm 1–255 ký tự ASCII in được / The key is 1 to 255 "
                          "printable ASCII characters",
                          [{"parameter": HEADER, "detail": "1–255 ASCII"}])
        record_id = hashlib.sha256(f"{caller}\n{match.group(1)}".encode()).hexdigest()
        fingerprint = hashlib.sha256(b"\n".join((
            request.method.encode(), request.path.encode(), request.query_string,
            request.get_data()))).hexdigest()
        for _ in range(3):  # a record that expires or is taken over meanwhile: look again
            outcome = self.try_claim(record_id, fingerprint)
            if outcome is not None:
                return outcome
        raise in_progress()

    def try_claim(self, record_id, fingerprint):
        now = datetime.now(timezone.utc)
        try:
            self.records.insert_one({"_id": record_id, "fingerprint": fingerprint,
                                     "state": RUNNING, "lease_until": time.time() + self.lease,
                                     "expires_at": now + self.ttl})
            return Claim(self.records, record_id)
        except DuplicateKeyError:
            record = self.records.find_one({"_id": record_id})
        if record is None:
            return None
        if record["expires_at"] <= now:  # not yet swept by the TTL monitor
            self.records.delete_one({"_id": record_id, "expires_at": record["expires_at"]})
            return None
        if record["fingerprint"] != fingerprint:
            raise Problem(422, "Idempotency-Key đã dùng / Idempotency-Key reused",
                          "Khóa này đã được dùng cho một yêu cầu khác / This key was used "
                          "for a different request", [{"parameter": HEADER,
                                                       "detail": "Đã dùng / Already used"}],
                          slug="idempotency-key-reused")
        if record["state"] == DONE:
            return Replay(record["response"])
        if record["lease_until"] < time.time():  # its gateway died mid-request
            taken = self.records.update_one(
                {"_id": record_id, "state": RUNNING, "lease_until": record["lease_until"]},
                {"$set": {"lease_until": time.time() + self.lease}})
            return Claim(self.records, record_id) if taken.modified_count else None
        raise in_progress()


def in_progress():
    return Problem(409, "Yêu cầu đang được xử lý / Request in progress",
                   "Một yêu cầu với cùng Idempotency-Key đang được xử lý; thử lại sau / "
                   "A request with this Idempotency-Key is still being processed; retry later",
                   headers={"Retry-After": "1"}, slug="idempotency-in-progress")
