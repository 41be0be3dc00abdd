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

The queue is purged before each run. Prints each round's figures (on stderr), then the
median of each, with its ratio to nameko beside the target (issue #15: ≥ 3×), as rows.
``rows()`` called in a process eventlet has not patched (``python -m bench``) measures in a
``python -m bench.outbox`` of its own, which hands it the medians (``--medians``).
"""
if __name__ == "__main__":  # run alone: patched before anything opens a socket, as
    import eventlet  # `nameko run` does

    eventlet.monkey_patch()

import argparse  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from functools import partial  # noqa: E402
from pathlib import Path  # noqa: E402

import eventlet.patcher  # noqa: E402
from kombu import Connection, Exchange, Queue  # noqa: E402
from nameko.standalone.events import event_dispatcher  # noqa: E402
from pymongo import MongoClient  # noqa: E402

from bench import table  # noqa: E402
from chassis import events, outbox  # noqa: E402
from scripts import devstack  # noqa: E402

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


def medians(events, rounds, window):
    """The median events/s of each way over ``rounds`` rounds of ``events`` events; needs
    a process eventlet has patched."""
    logging.getLogger("chassis.outbox").setLevel(logging.WARNING)  # no line per event
    devstack.ensure_rabbitmq(devstack.DEFAULT_AMQP_URI)
    vhost = f"ocop-bench-outbox-{uuid.uuid4().hex[:6]}"  # apart from another run's
    amqp_uri = devstack.ensure_vhost(devstack.DEFAULT_AMQP_URI, vhost, fresh=True)
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
                                 window=window)
            figures = {"nameko": [], "relay": [], "window": []}
            for round_number in range(1, rounds + 1):
                sample = sample_events(events)
                measures = {"nameko": partial(nameko_rate, amqp_uri, sample),
                            "relay": partial(relay_rate, relay, database.products, sample),
                            "window": partial(window_rate, relay, sample)}
                for name, measure in measures.items():
                    queue(admin.default_channel).purge()
                    figures[name].append(measure())
                print(f"round {round_number}: nameko {figures['nameko'][-1]:7.0f}/s   "
                      f"relay {figures['relay'][-1]:7.0f}/s   "
                      f"window alone {figures['window'][-1]:7.0f}/s", file=sys.stderr,
                      flush=True)
            relay.close()
        finally:
            mongo.stop()
            devstack.drop_vhost(devstack.DEFAULT_AMQP_URI, vhost)
    return {name: statistics.median(rates) for name, rates in figures.items()}


def medians_of_its_own_process(events, rounds, window):
    """``medians`` in a ``python -m bench.outbox`` patched by eventlet from its start."""
    output = subprocess.run(
        [sys.executable, "-m", "bench.outbox", "--events", str(events), "--rounds",
         str(rounds), "--window", str(window), "--medians"],
        stdout=subprocess.PIPE, text=True, check=True).stdout
    return json.loads(output.splitlines()[-1])


def rows(events=2000, rounds=3, window=outbox.DEFAULT_WINDOW):
    measure = medians if eventlet.patcher.is_monkey_patched("socket") \
        else medians_of_its_own_process
    figures = measure(events, rounds, window)
    nameko, relay, windowed = figures["nameko"], figures["relay"], figures["window"]
    size = f"{events:,} events × {rounds} rounds, median"
    target = f"≥ {TARGET_RATIO:.0f}× nameko (issue #15)"
    return [
        table.Row(f"nameko EventDispatcher, a confirm per publish ({size})",
                  f"{nameko:,.0f} events/s"),
        table.Row(f"windowed confirms (window {window}), the same publishes, no store "
                  f"({size})", f"{windowed:,.0f} events/s = {windowed / nameko:.2f}× nameko",
                  "", target, windowed / nameko >= TARGET_RATIO),
        table.Row(f"outbox relay: store read + windowed confirms + removal ({size})",
                  f"{relay:,.0f} events/s = {relay / nameko:.2f}× nameko",
                  f"{windowed:,.0f} events/s: the same publishes without the store", target,
                  relay / nameko >= TARGET_RATIO),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--window", type=int, default=outbox.DEFAULT_WINDOW)
    parser.add_argument("--medians", action="store_true",
                        help="print only the medians, as JSON (what rows() reads)")
    arguments = parser.parse_args()
    if arguments.medians:
        print(json.dumps(medians(arguments.events, arguments.rounds, arguments.window)))
        return
    print(table.heading("python -m bench.outbox"))
    print(table.markdown(rows(arguments.events, arguments.rounds, arguments.window)))


if __name__ == "__main__":
    main()
