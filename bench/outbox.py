"""Events per second out of the outbox relay (windowed publisher confirms) beside nameko's
``EventDispatcher`` (one synchronous confirm per publish), measured in one run.

    python -m bench.outbox [--events 2000] [--rounds 3] [--window 256]

Starts its own MongoDB stand-in and RabbitMQ vhost, and runs under eventlet, as the
services do. Each round publishes the same ``--events`` events (``product.submitted``
with a realistic body) to ``registration.events``, bound to one durable queue, three ways:

- nameko: ``nameko.standalone.events.event_dispatcher``, one dispatch per event, each
  waiting for its broker confirm (what a service's ``EventDispatcher`` does);
- relay: the same events written into as many aggregates' outboxes first (not timed),
  then ``chassis.outbox.Relay`` reading them from the store, publishing them mandatory
  with a window of ``--window`` unconfirmed publishes and taking each out of its outbox
  once acknowledged — the whole of the relay's work, store included.

- window: the same publishes through the relay's confirm window alone, no store: the
  publishing method itself against nameko's, the very same work.

The queue is purged before each run. Prints each round's figures, then the median of each
with its ratio to nameko beside the target (issue #15: ≥ 3×).
"""
import eventlet

eventlet.monkey_patch()  # noqa: E402 — before anything opens a socket, as `nameko run` does

import argparse  # noqa: E402
import logging  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from functools import partial  # noqa: E402
from pathlib import Path  # noqa: E402

from kombu import Connection, Exchange, Queue  # noqa: E402
from nameko.standalone.events import event_dispatcher  # noqa: E402
from pymongo import MongoClient  # noqa: E402

from chassis import events, outbox  # noqa: E402
from scripts import devstack  # noqa: E402

VHOST = "ocop-bench-outbox"
SERVICE = "registration"
EVENT = "product.submitted"
TARGET_RATIO = 3.0


def sample_events(count):
    """``count`` product.submitted events as registration writes them."""
    return [events.new_event(SERVICE, EVENT, f"products/{n}", {
        "product_id": str(uuid.uuid4()), "producer_id": str(uuid.uuid4()),
        "producer_name": "Hợp tác xã Nông nghiệp Phú Tân", "name": f"Gạo thơm Phú Tân {n}",
        "category": "03", "province_code": "91", "kind": "first",
        "proposed_on": "2026-11-30", "commune_code": "30406",
        "product_code": f"91-30406-{n:03d}-2026"}) for n in range(count)]


def rate(count, run):
    started = time.perf_counter()
    run()
    return count / (time.perf_counter() - started)


def nameko_rate(amqp_uri, sample):
    dispatch = event_dispatcher({"AMQP_URI": amqp_uri})
    return rate(len(sample), lambda: [dispatch(SERVICE, EVENT, event) for event in sample])


def relay_rate(relay, collection, sample):
    collection.insert_many([outbox.new_document({"_id": event["id"]}, [event])
                            for event in sample])

    def relay_all():
        while relay.relay_pending():
            pass
    per_second = rate(len(sample), relay_all)
    left = collection.count_documents({outbox.PENDING: {"$gt": 0}})
    if left:
        raise SystemExit(f"the relay left {left} events in the outbox")
    return per_second


def window_rate(relay, sample):
    """The same publishes and confirms without the store."""
    pending = [outbox.Pending("none", event["id"], event) for event in sample]
    window = relay.connected()

    def publish_all():
        for item in pending:
            relay.publish(window, item)
        window.flush()
    per_second = rate(len(sample), publish_all)
    window.settled()
    return per_second


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--window", type=int, default=outbox.DEFAULT_WINDOW)
    args = parser.parse_args()
    logging.getLogger("chassis.outbox").setLevel(logging.WARNING)  # no line per event

    devstack.ensure_rabbitmq(devstack.DEFAULT_AMQP_URI)
    amqp_uri = devstack.ensure_vhost(devstack.DEFAULT_AMQP_URI, VHOST, fresh=True)
    exchange = Exchange(f"{SERVICE}.events", type="topic", durable=True)
    with tempfile.TemporaryDirectory() as directory, Connection(amqp_uri) as admin:
        mongo = devstack.MongoStandIn(Path(directory), devstack.free_port(),
                                      Path(directory) / "nx.log").start()
        try:
            queue = Queue("bench.outbox", exchange=exchange, routing_key=EVENT, durable=True)
            queue(admin.default_channel).declare()
            database = MongoClient(mongo.uri)["bench_outbox"]
            outbox.prepare(database.products)
            relay = outbox.Relay(SERVICE, database, ["products"], amqp_uri, exchange,
                                 window=args.window)
            figures = {"nameko": [], "relay": [], "window": []}
            for round_number in range(1, args.rounds + 1):
                sample = sample_events(args.events)
                measures = {"nameko": partial(nameko_rate, amqp_uri, sample),
                            "relay": partial(relay_rate, relay, database.products, sample),
                            "window": partial(window_rate, relay, sample)}
                for name, measure in measures.items():
                    queue(admin.default_channel).purge()
                    figures[name].append(measure())
                print(f"round {round_number}: nameko {figures['nameko'][-1]:7.0f}/s   "
                      f"relay {figures['relay'][-1]:7.0f}/s   "
                      f"window alone {figures['window'][-1]:7.0f}/s", flush=True)
            relay.close()
        finally:
            mongo.stop()
            devstack.drop_vhost(devstack.DEFAULT_AMQP_URI, VHOST)
    nameko, relay_, window = (statistics.median(figures[name])
                              for name in ("nameko", "relay", "window"))
    print(f"\n{args.events} events × {args.rounds} rounds, window {args.window}, medians:")
    print(f"  nameko EventDispatcher, a confirm per publish:        {nameko:7.0f} events/s")
    print(f"  windowed confirms, the same publishes (no store):     {window:7.0f} events/s"
          f"   {verdict(window / nameko)}")
    print(f"  outbox relay: store read + windowed confirms + removal: {relay_:5.0f} events/s"
          f"   {verdict(relay_ / nameko)}")


def verdict(ratio):
    return (f"{ratio:.2f}× nameko, target ≥ {TARGET_RATIO:.0f}×: "
            f"{'met' if ratio >= TARGET_RATIO else 'NOT met'}")

if __name__ == "__main__":
    main()
