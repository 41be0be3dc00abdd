"""Webhooks for agencies, as Standard Webhooks (https://www.standardwebhooks.com) has them.

Each delivery is an HTTP POST of the CloudEvent (structured JSON, what the feed serves:
``feed.for_agencies``) signed with the endpoint's secret:

- ``webhook-id``: the event's id, the same on every attempt and replay, so a receiver
  de-duplicates;
- ``webhook-timestamp``: the attempt's time, in seconds since the epoch;
- ``webhook-signature``: ``v1,<base64 HMAC-SHA256 of "id.timestamp.body">``, one per
  valid secret, space-separated. After a rotation the previous secret stays valid for
  ``WEBHOOK_SECRET_OVERLAP_SECONDS``, so a receiver switches at its pace.

A delivery that fails is tried again after each step of the retry schedule (about a day
in all by default: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, ± 20 % jitter so that
endpoints coming back are not flooded at once); an answer with ``Retry-After`` (``429``,
``503``) waits at least that long, up to a day; ``410 Gone`` disables the endpoint at
once; a delivery still failing at the end of the schedule disables its endpoint and its
owner is told.
Redirects are not followed (they could lead past the SSRF guard).
"""
import base64
import random
import re
import secrets
import time
from email.utils import parsedate_to_datetime

import urllib3
from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"
CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"
DEFAULT_SCHEDULE = "5s,5m,30m,2h,5h,10h,10h"
JITTER = 0.2
UNITS = {"s": 1, "m": 60, "h": 3600, "": 1}
CONNECT_TIMEOUT_SECONDS = 5
# A Retry-After longer than this is taken as this: an endpoint may not park its deliveries
# beyond the day the schedule spans.
RETRY_AFTER_LIMIT_SECONDS = 86400
DELIVERED, RETRY, GONE = "delivered", "retry", "gone"


def new_secret():
    """A secret as Standard Webhooks writes them: ``whsec_`` and 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signed_headers(message_id, moment, body, valid_secrets):
    """The headers of one attempt: ``body`` (text) signed with every valid secret."""
    return {"webhook-id": message_id,
            "webhook-timestamp": str(int(moment.timestamp())),
            "webhook-signature": " ".join(Webhook(secret).sign(message_id, moment, body)
                                          for secret in valid_secrets),
            "content-type": CONTENT_TYPE}


def parse_schedule(text):
    """Seconds to wait before each retry, from e.g. ``5s,5m,30m,2h`` (a bare number is
    seconds). A setting that cannot be read stops the process at start."""
    steps = []
    for step in str(text).split(","):
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", step)
        if not match:
            raise ValueError(f"WEBHOOK_RETRY_SCHEDULE: {step!r} is not like 5s, 5m or 2h")
        steps.append(float(match.group(1)) * UNITS[match.group(2)])
    return tuple(steps)


def retry_delay(schedule, attempts, retry_after=None, rng=random):
    """Seconds until the next attempt after ``attempts`` failed ones, or None when the
    schedule is spent. A ``Retry-After`` is waited out, up to a day."""
    if attempts > len(schedule):
        return None
    delay = schedule[attempts - 1] * rng.uniform(1 - JITTER, 1 + JITTER)
    if retry_after is not None:
        delay = max(delay, min(retry_after, RETRY_AFTER_LIMIT_SECONDS))
    return delay


def retry_after_seconds(value, now=None):
    """``Retry-After`` as seconds from now: delta-seconds or an HTTP date; None if absent
    or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - (now or time.time()))


def outcome(status):
    """What an answer means: delivered (2xx), gone (410: disable the endpoint), or retry."""
    if 200 <= status < 300:
        return DELIVERED
    return GONE if status == 410 else RETRY


def post(destination, headers, body, timeout):
    """POST ``body`` to the address the SSRF guard checked (``ssrf.Destination``), naming
    the host in ``Host`` and, for https, in TLS (SNI and certificate check). Returns the
    HTTP status and the ``Retry-After`` header; raises ``urllib3`` errors when there is no
    answer."""
    options = {}
    pool_class = urllib3.HTTPConnectionPool
    if destination.scheme == "https":
        pool_class = urllib3.HTTPSConnectionPool
        options = {"server_hostname": destination.host, "assert_hostname": destination.host}
    default_port = 443 if destination.scheme == "https" else 80
    host = destination.host if destination.port == default_port else \
        f"{destination.host}:{destination.port}"
    with pool_class(destination.address, destination.port, maxsize=1, retries=False,
                    timeout=urllib3.Timeout(connect=CONNECT_TIMEOUT_SECONDS, read=timeout),
                    **options) as pool:
        response = pool.urlopen("POST", destination.target, body=body.encode("utf-8"),
                                headers={**headers, "host": host, "user-agent": "ocop-webhooks/1"},
                                redirect=False, retries=False, assert_same_host=False)
        return response.status, response.headers.get("retry-after")


POST_ERRORS = (urllib3.exceptions.HTTPError, OSError)
