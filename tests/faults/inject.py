"""Messages the fault suite puts on the broker: every event a second time, and poison."""
import json
import threading
import uuid

from kombu import Connection, Exchange, Queue
from nameko.amqp.publish import get_producer

from chassis import brokers, events
from chassis.handlers import consumer_queue, requeue_exchange
from scripts.asyncapi import consumers

COPY_HEADER = "x-ocop-fault-copy"


class Doubler:
    """While open, publishes every event on every events exchange once more, as a relay
    that crashed between publishing and recording would: same body, same properties."""

    def __init__(self, amqp_uri):
        self.amqp_uri = amqp_uri
        self.copies = 0
        self.stopping = threading.Event()

    def __enter__(self):
        self.connection = Connection(self.amqp_uri)
        channel = self.connection.channel()
        self.queue = Queue(f"fault-doubler-{uuid.uuid4().hex[:8]}", exclusive=True)(channel)
        self.queue.declare()
        for service in brokers.SERVICES:
            self.queue.bind_to(Exchange(brokers.events_exchange(service), type="topic",
                                        durable=True, no_declare=True), routing_key="#")
        self.consumer = self.connection.Consumer(self.queue, on_message=self.copy)
        self.consumer.consume()
        self.thread = threading.Thread(target=self.drain, daemon=True)
        self.thread.start()
        return self

    def copy(self, message):
        if not (message.headers or {}).get(COPY_HEADER):
            info = message.delivery_info
            properties = {k: v for k, v in message.properties.items()
                          if k in ("message_id", "type", "app_id", "timestamp", "correlation_id")}
            with get_producer(self.amqp_uri) as producer:
                producer.publish(message.body, exchange=info["exchange"],
                                 routing_key=info["routing_key"],
                                 content_type=message.content_type,
                                 content_encoding=message.content_encoding,
                                 headers={**(message.headers or {}), COPY_HEADER: 1},
                                 delivery_mode=2, **properties)
            self.copies += 1
        message.ack()

    def drain(self):
        while not self.stopping.is_set():
            try:
                self.connection.drain_events(timeout=0.2)
            except TimeoutError:
                pass

    def __exit__(self, *exc_info):
        self.stopping.set()
        self.thread.join(5)
        self.connection.release()


def poison(amqp_uri, marker):
    """Into each consumer's own queue (through its service's requeue exchange): an event of
    the right source and type whose data breaks its contract, and a body that is no JSON.
    The messages, as {(service, queue name, kind)}."""
    sent = set()
    with get_producer(amqp_uri) as producer:
        for consumer in consumers():
            service = consumer.service
            queue = consumer_queue(service, consumer.method, consumer.source, consumer.event)
            event = {"specversion": "1.0", "id": f"{marker}-{uuid.uuid4()}",
                     "source": f"/ocop/{consumer.source}",
                     "type": f"{events.TYPE_PREFIX}{consumer.event}{events.TYPE_VERSION}",
                     "subject": f"poison/{marker}", "time": events.timestamp(),
                     "datacontenttype": "application/json", "data": {"poison": marker}}
            for kind, body, content_type in (
                    ("poison", json.dumps(event), events.CONTENT_TYPE),
                    ("undecodable", f"\x00not json {marker}", "text/plain")):
                producer.publish(body, exchange=requeue_exchange(service),
                                 routing_key=queue.name, content_type=content_type,
                                 content_encoding="utf-8", delivery_mode=2, retry=True)
                sent.add((service, queue.name, kind))
    return sent
