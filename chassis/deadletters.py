"""Operators' tool for messages parked in ``dlq.<service>``.

    python -m chassis.deadletters list   --service certification [--limit N]
    python -m chassis.deadletters show   --service certification MESSAGE
    python -m chassis.deadletters replay --service certification [MESSAGE] [--limit N]
    python -m chassis.deadletters purge  --service certification [MESSAGE] [--limit N]

``MESSAGE`` is a message's index as ``list`` numbers them (1 is the oldest) or its id:
the event's ``id``, or the message's AMQP ``message_id``. Without it, ``replay`` and
``purge`` take every parked message (up to ``--limit``).

``list`` prints one JSON line per parked message without removing it: the event's
``id``, ``type``, ``source`` and ``subject`` (a body that is no event: the start of the
body instead), the queue it failed on, the attempts and the error (for a message the broker
dead-lettered past its queue's delivery limit, that limit). ``show`` prints one
message whole: properties, headers and body (as JSON when it is JSON, else as text).
``replay`` sends each back to the queue it failed in (through the service's
``<service>.requeue`` exchange, as the service itself re-queues), with a fresh attempt
count, and removes it from the dead letters only once the broker has confirmed the
re-publish. ``purge`` removes them for good. Any body is handled: an event, other JSON,
bytes that are no JSON at all.

``--amqp-uri`` (default: ``AMQP_URI``) needs read on ``dlq.<service>`` and write on
``<service>.requeue``: the administrator's or that service's own credentials.
"""
import argparse
import json
import os
import sys
import warnings

# eventlet (under nameko) announces its deprecation on import: not in an operator's output.
warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")

from amqp.exceptions import AMQPError  # noqa: E402
from kombu import Connection  # noqa: E402
from kombu.exceptions import OperationalError  # noqa: E402
from nameko.amqp.publish import get_producer  # noqa: E402

from chassis.handlers import (ATTEMPTS_HEADER, ERROR_HEADER,  # noqa: E402
                             ORIGINAL_QUEUE_HEADER, OUTAGES_HEADER, dead_letter_queue,
                             is_event, kept_properties, requeue_exchange)
from chassis.queues import DELIVERY_LIMIT  # noqa: E402

DEFAULT_AMQP_URI = "amqp://guest:guest@127.0.0.1:5672/"
PREVIEW_CHARS = 200
# What a parked message carries about its failures, which a replay starts afresh: the
# handler's headers, and the broker's when it dead-lettered the message itself.
FAILURE_HEADERS = (ATTEMPTS_HEADER, ERROR_HEADER, ORIGINAL_QUEUE_HEADER, OUTAGES_HEADER,
                   "x-death", "x-delivery-count", "x-first-death-exchange",
                   "x-first-death-queue", "x-first-death-reason", "x-last-death-exchange",
                   "x-last-death-queue", "x-last-death-reason")


class NotParked(LookupError):
    pass


def parked(connection, service, limit):
    """Fetch up to ``limit`` of the messages parked now, oldest first, unacknowledged: they
    stay parked until acked. Those parked meanwhile (a replayed one failing again) wait
    for the next run."""
    queue = connection.SimpleQueue(dead_letter_queue(service))
    messages = []
    for _ in range(min(limit, queue.qsize())):
        try:
            messages.append(queue.get(block=False))
        except queue.Empty:
            break
    return messages


def text_of(message):
    body = message.body
    return body.decode("utf-8", "backslashreplace") if isinstance(body, bytes) else str(body)


def body_of(message):
    """The body as JSON where it is JSON, else as text: (value, is_json)."""
    text = text_of(message)
    try:
        return json.loads(text), True
    except ValueError:
        return text, False


def event_of(message):
    """The CloudEvent a message carries, or None."""
    body, is_json = body_of(message)
    return body if is_json and is_event(body) else None


def origin(message):
    """The queue a parked message failed in, and why: as the handler parked it, or, where
    the broker dead-lettered it past its queue's delivery limit, as its ``x-death`` says."""
    headers = message.headers or {}
    deaths = headers.get("x-death") or []
    if deaths and deaths[0].get("reason") == "delivery_limit":
        return deaths[0].get("queue"), (
            f"delivered more than {DELIVERY_LIMIT} times without being settled (the queue's "
            "delivery limit): its consumer died or lost the broker each time")
    return headers.get(ORIGINAL_QUEUE_HEADER), headers.get(ERROR_HEADER)


def describe(message, index):
    """One line of ``list``."""
    headers = message.headers or {}
    event = event_of(message)
    summary = ({attribute: event.get(attribute) for attribute in
                ("id", "type", "source", "subject")} if event else
               {"body": text_of(message)[:PREVIEW_CHARS]})
    queue, error = origin(message)
    return {"index": index, **summary, "content_type": message.content_type,
            "queue": queue, "attempts": headers.get(ATTEMPTS_HEADER), "error": error}


def detail(message, index):
    """Everything ``show`` prints about one message."""
    body, is_json = body_of(message)
    properties = {k: v for k, v in message.properties.items() if k != "application_headers"}
    return {"index": index, "properties": properties, "headers": message.headers or {},
            "body" if is_json else "body_text": body}


def identifiers(message):
    event = event_of(message)
    return {value for value in (event and event["id"], message.properties.get("message_id"))
            if value}


def select(messages, wanted):
    """The ``(index, message)`` pairs ``wanted`` names: all of them when it is None."""
    numbered = list(enumerate(messages, start=1))
    if wanted is None:
        return numbered
    chosen = [(index, message) for index, message in numbered
              if (wanted.isdigit() and index == int(wanted)) or wanted in identifiers(message)]
    if not chosen:
        raise NotParked(f"no parked message {wanted!r} among the {len(messages)} fetched")
    return chosen


def replay(amqp_uri, service, message):
    """Send ``message`` back to the queue it failed in; False if it names none."""
    headers = message.headers or {}
    queue, _ = origin(message)
    if not queue:
        return False
    with get_producer(amqp_uri) as producer:
        producer.publish(message.body, exchange=requeue_exchange(service),
                         routing_key=queue,
                         content_type=message.content_type,
                         content_encoding=message.content_encoding,
                         headers={k: v for k, v in headers.items()
                                  if k not in FAILURE_HEADERS},
                         delivery_mode=2, retry=True, **kept_properties(message))
    message.ack()
    return True


def run(args, out):
    with Connection(args.amqp_uri) as connection:
        messages = parked(connection, args.service, args.limit)
        chosen = select(messages, args.message)
        done = 0
        for index, message in chosen:
            if args.action == "list":
                print(json.dumps(describe(message, index), ensure_ascii=False, default=str),
                      file=out)
            elif args.action == "show":
                print(json.dumps(detail(message, index), ensure_ascii=False, default=str,
                                 indent=2), file=out)
            elif args.action == "purge":
                message.ack()
                print(json.dumps(describe(message, index), ensure_ascii=False, default=str),
                      file=out)
            elif replay(args.amqp_uri, args.service, message):
                print(json.dumps(describe(message, index), ensure_ascii=False, default=str),
                      file=out)
            else:
                print(f"message {index} names no queue to go back to: left parked",
                      file=sys.stderr)
                continue
            done += 1
        verb = {"list": "parked", "show": "shown", "replay": "replayed", "purge": "purged"}
        print(f"{done} message(s) {verb[args.action]}", file=sys.stderr)


def main(argv=None, out=sys.stdout):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=["list", "show", "replay", "purge"])
    parser.add_argument("message", nargs="?",
                        help="index as `list` numbers them, event id or AMQP message_id")
    parser.add_argument("--service", required=True)
    parser.add_argument("--limit", type=int, default=1000)
    parser.add_argument("--amqp-uri", default=os.environ.get("AMQP_URI", DEFAULT_AMQP_URI))
    # Intermixed: ``replay --service X MESSAGE``, as documented, and not only
    # ``replay MESSAGE --service X``.
    args = parser.parse_intermixed_args(argv)
    if args.action == "show" and args.message is None:
        parser.error("show needs the MESSAGE to show")
    if args.action == "list" and args.message is not None:
        parser.error("list takes no MESSAGE: use show")
    try:
        run(args, out)
    except NotParked as exc:
        sys.exit(f"error: {exc}")
    except (OSError, OperationalError, AMQPError) as exc:
        sys.exit(f"error: the broker at {Connection(args.amqp_uri).as_uri()} did not serve "
                 f"dlq.{args.service}: {exc}")


if __name__ == "__main__":
    main()
