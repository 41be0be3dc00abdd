"""Journeys per second: N products from the dossier's filing to the certificate's
notification.

    python -m bench.journeys [--products 50] [--concurrency 8]

Starts its own stack (own MongoDB stand-in, own RabbitMQ vhost), drives every journey
through the gateway like a front-end would, and prints throughput and latencies.
"""
import argparse
import statistics
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from gateway.tokens import DevelopmentIssuer
from scripts import devstack
from tests.conftest import UNLIMITED, People
from tests.e2e.journeys import council_of, lowered_picks, producer_registration, propose, \
    set_up_council, vietnam_today


def journey(people, session):
    """Register; file the dossier, the commune forwards it, the province proposes it; three
    members of the council score every criterion, decide, the province's chair recognises
    the result; wait for the producer to be told of the certificate. Each step is signed in
    as the role that does it. Returns seconds from the dossier's filing to that
    notification."""
    api = people.base_url + "/api/v1"
    producer = session.post(f"{api}/producers", json=producer_registration(
        name="HTX Bench", contact={"email": "bench@example.vn", "phone": "0296 3812 345"})
    ).json()
    owner = {"Authorization": "Bearer " + people.issuer.token(["producer"],
                                                             producers=[producer["id"]])}
    product = session.post(f"{api}/products", headers=owner, json={
        "producer_id": producer["id"], "name": "Gạo bench", "category": "03"}).json()
    started = time.perf_counter()
    propose(people.producer(producer), product["id"])
    evaluation = wait(lambda: session.get(f"{api}/evaluations", headers=owner,
                                          params={"product_id": product["id"]}).json())[0]
    for member, picks in council_of(PICKS).items():
        session.post(f"{api}/evaluations/{evaluation['id']}/scores", json={"picks": picks},
                     headers=MEMBERS[member]).raise_for_status()
    session.post(f"{api}/evaluations/{evaluation['id']}/decision", headers=MEMBERS["chair"]
                 ).raise_for_status()

    def recognition():  # 404 until certification has the result; a list, as a refusal is falsy
        response = session.post(f"{api}/evaluations/{evaluation['id']}/recognition",
                                headers=AUTHORITY, json={
                                    "reference": "1/QĐ-UBND",
                                    "date": vietnam_today().isoformat()})
        return None if response.status_code == 404 else [response]
    wait(recognition)[0].raise_for_status()
    wait(lambda: any(m["event_type"] == "vn.gov.ocop.certificate.issued.v1" for m in
                     session.get(f"{api}/notifications", headers=owner,
                                 params={"recipient": f"producer:{producer['id']}"}).json()))
    return time.perf_counter() - started


PICKS = {}
MEMBERS = {}
AUTHORITY = {}


def prepare(people):
    """The provincial council, the members' and the province chair's sign-ins, and a 4★
    sheet for rice (set 03) like a member would fill."""
    set_up_council(people, "province-91")
    for member in council_of({}):
        MEMBERS[member] = {"Authorization": "Bearer " + people.issuer.token(
            ["council_member"], subject=member, councils=["province-91"])}
    AUTHORITY["Authorization"] = "Bearer " + people.issuer.token(["province_authority"],
                                                                 province="91")
    rice = requests.get(f"{people.base_url}/api/v1/categories/03/criteria", timeout=10).json()
    PICKS.update(lowered_picks(rice, drop=15))


def wait(probe, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = probe()
        if result:
            return result
        time.sleep(0.05)
    raise TimeoutError("a journey did not finish in time")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--products", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    devstack.ensure_rabbitmq(devstack.DEFAULT_AMQP_URI)
    amqp_uri = devstack.ensure_vhost(devstack.DEFAULT_AMQP_URI, "ocop-bench", fresh=True)
    with tempfile.TemporaryDirectory() as directory:
        mongo = devstack.MongoStandIn(Path(directory), devstack.free_port(),
                                      Path(directory) / "nx.log").start()
        issuer = DevelopmentIssuer(Path(directory) / "identity")
        ports, ops_ports = devstack.free_ports()
        stack = devstack.Stack(amqp_uri, mongo.uri, db_prefix=f"bench_{uuid.uuid4().hex[:6]}_",
                               ports=ports, ops_ports=ops_ports, log_dir=Path(directory) / "log",
                               extra_env={**issuer.gateway_settings(), **UNLIMITED})
        try:
            stack.start().wait_ready(90)
            people = People(stack.gateway_url, issuer)
            prepare(people)
            sessions = [requests.Session() for _ in range(args.concurrency)]
            started = time.perf_counter()
            with ThreadPoolExecutor(args.concurrency) as pool:
                latencies = list(pool.map(lambda i: journey(people,
                                                            sessions[i % len(sessions)]),
                                          range(args.products)))
            elapsed = time.perf_counter() - started
        finally:
            stack.stop()
            mongo.stop()
            devstack.drop_vhost(devstack.DEFAULT_AMQP_URI, "ocop-bench")
    latencies.sort()
    print(f"products: {args.products}, concurrency: {args.concurrency}")
    print(f"journeys/second: {args.products / elapsed:.2f} ({elapsed:.1f}s in all)")
    print(f"dossier → certificate notification: median {statistics.median(latencies):.2f}s,"
          f" p95 {latencies[int(0.95 * (len(latencies) - 1))]:.2f}s, max {latencies[-1]:.2f}s")


if __name__ == "__main__":
    main()
