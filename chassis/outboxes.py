"""Operators' view of a service's outbox: what waits to be published, and why.

    python -m chassis.outboxes status --service registration [--events N]

Prints one JSON line per collection whose aggregates carry events (the collections of
the service's ``OutboxRelay``): how many events wait (``pending``), the oldest one's
``time``, and how many of them the broker returned unroutable (``unroutable``). Then one
line per event waiting (``--events``, default 20, oldest first): its ``id``, ``type``,
``subject``, ``time`` and, for one the broker returned, ``returns`` (how many times),
``last_returned`` (UTC) and its ``routing_key``: no queue is bound for it, so the broker
is provisioned wrong (``python -m scripts.broker setup``, or the Topology Operator's
bindings); the relay publishes it again every ``OUTBOX_UNROUTABLE_RETRY_SECONDS`` until
one is. The count goes to stderr.

``--mongo-uri`` (default: ``MONGO_URI``) and ``--db`` (default: ``MONGO_DB``, else
``ocop_<service>``): inside the service's container, its own.
"""
import argparse
import importlib
import json
import os
import sys
import warnings
from datetime import datetime, timezone

# eventlet (under nameko) announces its deprecation on import: not in an operator's output.
warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")

from pymongo import MongoClient  # noqa: E402
from pymongo.errors import PyMongoError  # noqa: E402

from chassis.brokers import SERVICES  # noqa: E402
from chassis.outbox import PENDING, UNROUTABLE, OutboxRelay  # noqa: E402

DEFAULT_MONGO_URI = "mongodb://127.0.0.1:27017"


def outbox_collections(service):
    """The collections whose aggregates carry ``service``'s events: its relay's."""
    module = importlib.import_module(f"services.{service}.service")
    for candidate in vars(module).values():
        relay = getattr(candidate, "relay", None)
        if isinstance(candidate, type) and isinstance(relay, OutboxRelay):
            return relay.collections
    raise LookupError(f"services.{service}.service runs no outbox relay")


def waiting(database, collection):
    """Every event waiting in ``collection``, oldest first, with its mark if returned."""
    found = [
        {**event, "unroutable": (document.get(UNROUTABLE) or {}).get(event_id)}
        for document in database[collection].find({PENDING: {"$gt": 0}},
                                                  {"outbox": 1, UNROUTABLE: 1})
        for event_id, event in (document.get("outbox") or {}).items()]
    return sorted(found, key=lambda event: event["time"])


def summary(collection, events):
    return {"collection": collection, "pending": len(events),
            "oldest": events[0]["time"] if events else None,
            "unroutable": sum(event["unroutable"] is not None for event in events)}


def line(collection, event):
    described = {"collection": collection, **{attribute: event.get(attribute) for attribute
                                              in ("id", "type", "subject", "time")}}
    mark = event["unroutable"]
    if mark:
        described.update(
            returns=mark.get("returns"), routing_key=mark.get("routing_key"),
            last_returned=datetime.fromtimestamp(mark["returned_at"], timezone.utc)
            .isoformat(timespec="seconds").replace("+00:00", "Z"))
    return described


def status(database, collections, limit, out):
    """Print the summary of each of ``collections`` and up to ``limit`` waiting events:
    how many wait in all."""
    shown = total = 0
    for collection in collections:
        found = waiting(database, collection)
        total += len(found)
        print(json.dumps(summary(collection, found), ensure_ascii=False), file=out)
        for event in found[:max(0, limit - shown)]:
            print(json.dumps(line(collection, event), ensure_ascii=False), file=out)
            shown += 1
    return total


def main(argv=None, out=sys.stdout):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=["status"])
    parser.add_argument("--service", required=True, choices=SERVICES)
    parser.add_argument("--events", type=int, default=20,
                        help="at most this many waiting events, oldest first")
    parser.add_argument("--mongo-uri", default=os.environ.get("MONGO_URI", DEFAULT_MONGO_URI))
    parser.add_argument("--db", default=os.environ.get("MONGO_DB"))
    args = parser.parse_args(argv)
    client = MongoClient(args.mongo_uri, serverSelectionTimeoutMS=5000)
    try:
        total = status(client[args.db or f"ocop_{args.service}"],
                       outbox_collections(args.service), args.events, out)
    except PyMongoError as exc:
        sys.exit(f"error: the store at {args.mongo_uri} did not answer: {exc}")
    finally:
        client.close()
    print(f"{total} event(s) waiting", file=sys.stderr)


if __name__ == "__main__":
    main()
