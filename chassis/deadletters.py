"""Operators' tool for messages parked in ``dlq.<service>``.

    python -m chassis.deadletters list   --service certification
    python -m chassis.deadletters replay --service certification [--limit N]

``list`` shows each parked event without removing it; ``replay`` sends each back to the
queue it failed in (through the service's ``<service>.requeue`` exchange, as the service
itself re-queues), with a fresh attempt count, and removes it from the dead letters only
once the broker has confirmed the re-publish. ``--amqp-uri`` (default: ``AMQP_URI``)
needs read on ``dlq.<service>`` and write on ``<service>.requeue``: the administrator's
or that service's own credentials.
"""
import argparse
import json
import os
import sys

from kombu import Connection
from nameko.amqp.publish import get_producer

from chassis.handlers import ATTEMPTS_HEADER, ERROR_HEADER, ORIGINAL_QUEUE_HEADER, \
    dead_letter_queue, requeue_exchange

DEFAULT_AMQP_URI = "amqp://guest:guest@127.0.0.1:5672/"


def parked(connection, service, limit):
    """Fetch up to ``limit`` messages unacknowledged: they stay parked until acked."""
    queue = connection.SimpleQueue(dead_letter_queue(service))
    messages = []
    while len(messages) < limit:
        try:
            messages.append(queue.get(block=False))
        except queue.Empty:
            break
    return messages


def describe(message):
    headers = message.headers or {}
    try:
        event = json.loads(message.body)
    except ValueError:
        event = {}
    return {"id": event.get("id"), "type": event.get("type"), "source": event.get("source"),
            "queue": headers.get(ORIGINAL_QUEUE_HEADER),
            "attempts": headers.get(ATTEMPTS_HEADER), "error": headers.get(ERROR_HEADER)}


def replay(amqp_uri, service, message):
    headers = {k: v for k, v in (message.headers or {}).items()
               if k not in (ATTEMPTS_HEADER, ERROR_HEADER, ORIGINAL_QUEUE_HEADER, "x-death")}
    with get_producer(amqp_uri) as producer:
        producer.publish(message.body, exchange=requeue_exchange(service),
                         routing_key=message.headers[ORIGINAL_QUEUE_HEADER],
                         content_type=message.content_type,
                         content_encoding=message.content_encoding, headers=headers,
                         delivery_mode=2, retry=True)
    message.ack()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=["list", "replay"])
    parser.add_argument("--service", required=True)
    parser.add_argument("--limit", type=int, default=1000)
    parser.add_argument("--amqp-uri", default=os.environ.get("AMQP_URI", DEFAULT_AMQP_URI))
    args = parser.parse_args(argv)
    with Connection(args.amqp_uri) as connection:
        messages = parked(connection, args.service, args.limit)
        for message in messages:
            print(json.dumps(describe(message), ensure_ascii=False))
            if args.action == "replay":
                replay(args.amqp_uri, args.service, message)
        print(f"{len(messages)} message(s) {'replayed' if args.action == 'replay' else 'parked'}",
              file=sys.stderr)


if __name__ == "__main__":
    main()
