"""Public reads beside the ceiling of the same process: requests/s and p99 of the gateway's
trivial handler (``/livez``) and of each public read, measured with ``wrk`` (2 threads, 20
connections) one after the other; then how long a revocation takes to show on the public
page of a gateway that did not relay it; and the memory of every process.

    python -m bench.public_reads [--certificates 20000] [--seconds 5] [--profile READ]

Starts its own stack (``bench.stack``: own MongoDB stand-in, own RabbitMQ vhost) without
the gateway. The certificates are then written into certification's store before the
gateway starts, as a restored database would be (across the 34 provinces, a tenth of them
no longer in force), so the gateway loads them all in its snapshot; the time it takes is a
row. ``wrk`` is Debian's package, installed with apt when this runs as root and it is
missing; without it the throughput is skipped, with the reason. ``--profile READ`` samples
the gateway with ``py-spy`` while ``wrk`` reads ``READ`` (e.g. ``verification-json``), and
prints where its time goes.
"""
import argparse
import itertools
import random
import time
import uuid
from datetime import datetime, timedelta, timezone

import requests
from pymongo import MongoClient

from bench import table
from bench.load import ensure_wrk, memory, print_profiles, profiled, wrk
from bench.stack import bench_stack
from chassis import pages
from chassis.events import rfc3339
from chassis.provinces import COMMUNES
from scripts import devstack
from services.certification.validity import EXPIRED, REVOKED, SUPERSEDED, VALID, \
    certificate_code, expires_on, vietnam_day

CONNECTIONS = 20
TARGET_RATIO, TARGET_P99_MS = 0.80, 50.0
RSS_TARGET_MB = 150
REVOCATIONS = 5
REVOKING_PROVINCE = "91"
BATCH = 1000


# The certificates ---------------------------------------------------------------------------

def certificates(count, now):
    """``count`` certificates as certification stores them, newest first over three years,
    across every province and commune; one in ten superseded, revoked or expired."""
    communes = sorted(COMMUNES.items())
    rng = random.Random(2026)
    serials = itertools.count(1)
    for n in range(count):
        commune, (_, province) = communes[n % len(communes)] if n % 7 else \
            next((c, p) for c, p in communes if p[1] == REVOKING_PROVINCE)
        issued_at = now - timedelta(minutes=n * 5)
        issued_on = vietnam_day(issued_at)
        stars = rng.choice((3, 3, 3, 4, 4, 5))
        state = VALID if n % 10 else rng.choice((SUPERSEDED, REVOKED, EXPIRED))
        product_id = str(uuid.uuid4())
        level = "central" if stars == 5 else "province"
        yield pages.stamped({
            "_id": certificate_code("TW" if level == "central" else province, issued_on.year,
                                    next(serials)),
            "authority": "TW" if level == "central" else province,
            "evaluation_id": str(uuid.uuid4()), "product_id": product_id,
            "product_code": None, "producer_id": str(uuid.uuid4()),
            "product_name": f"Sản phẩm OCOP số {n}", "producer_name": f"HTX Nông nghiệp {n}",
            "category": f"{rng.randint(1, 26):02d}", "province_code": province,
            "commune_code": commune, "stars": stars, "score": 50 + stars * 9,
            "level": level, "kind": "first", "rule_version": "26/2026",
            "recognition": {"reference": f"{n}/QĐ-UBND", "date": issued_on.isoformat(),
                            "by": "chair"},
            "issued_on": issued_on.isoformat(), "expires_on": expires_on(issued_on).isoformat(),
            "issued_at": rfc3339(issued_at), "state": state, "revision": 1,
            "superseded_by": None, "superseded_at": None, "revoked_at": None,
            "revocation": None, "re_rating": None, "milestones": {},
            **({"valid_product_id": product_id} if state == VALID else {})}, issued_at)


def seed(mongo_uri, db_prefix, count):
    """Write ``count`` certificates; the numbers of the province's valid ones it may revoke."""
    revocable = []
    with MongoClient(mongo_uri) as client:
        collection = client[f"{db_prefix}certification"].certificates
        batch = []
        for certificate in certificates(count, datetime.now(timezone.utc)):
            batch.append(certificate)
            if certificate["state"] == VALID and certificate["level"] == "province" and \
                    certificate["province_code"] == REVOKING_PROVINCE:
                revocable.append(certificate["_id"])
            if len(batch) == BATCH:
                collection.insert_many(batch)
                batch = []
        if batch:
            collection.insert_many(batch)
    return revocable


# Measuring ----------------------------------------------------------------------------------

def revocation_to_page(reader_url, writer_url, token, code):
    """Seconds from the revocation's request to one gateway until another's public page
    of the certificate says it is revoked."""
    started = time.perf_counter()
    answer = requests.post(f"{writer_url}/api/v1/certificates/{code}/revocation", json={
        "ground": "criteria_not_met", "finding_reference": "1/KL-QLTT",
        "finding_date": vietnam_day(datetime.now(timezone.utc)).isoformat()},
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())},
        timeout=30)
    answer.raise_for_status()
    while 'data-state="revoked"' not in requests.get(f"{reader_url}/verify/{code}",
                                                     timeout=10).text:
        if time.perf_counter() - started > 30:
            raise TimeoutError(f"{code}: not shown revoked within 30 s")
        time.sleep(0.005)
    return time.perf_counter() - started


# What is read: a name, and the address on the operations port (the ceiling) or the API's.
READS = [("livez", "{ops}/livez"),
         ("verification-json", "{root}/api/v1/certificates/{code}"),
         ("verify-page", "{root}/verify/{code}"),
         ("qr-png", "{root}/api/v1/certificates/{code}/qr.png"),
         ("certified-products", "{root}/api/v1/certified-products?province=91"),
         ("categories", "{root}/api/v1/categories"),
         ("criteria", "{root}/api/v1/categories/03/criteria")]


def addresses(stack, code):
    return {name: url.format(ops=stack.ops_url("gateway"), root=stack.gateway_url, code=code)
            for name, url in READS}


def throughput(seconds, reads, profile_read, directory, gateway_pid):
    """Each public read under wrk right after the ceiling measured again (the machine's
    other load drifts): a row each. ``profile_read``: the read under which py-spy samples
    the gateway, its profile printed."""
    for url in reads.values():
        requests.get(url, timeout=30).raise_for_status()  # rendered and kept once
    ceiling_url, results = reads["livez"], []
    for name, url in reads.items():
        if url == ceiling_url:
            continue
        ceiling = wrk(ceiling_url, CONNECTIONS, seconds)
        profile = profiled({"gateway": gateway_pid}, seconds, directory) \
            if name == profile_read else None
        read = wrk(url, CONNECTIONS, seconds)
        if profile:
            print_profiles(f"wrk reading {url}", profile())
        ratio = read.per_second / ceiling.per_second
        failures = f", {read.failed} failed" if read.failed else ""
        results.append(table.Row(
            f"{name} (`/{url.split('/', 3)[-1]}`), wrk -t2 -c{CONNECTIONS} -d{seconds}s",
            f"{read.per_second:,.0f}/s = {ratio:.0%} of /livez, p99 {read.p99_ms:.1f} ms"
            f"{failures}",
            f"/livez: {ceiling.per_second:,.0f}/s, p99 {ceiling.p99_ms:.1f} ms",
            f"≥ {TARGET_RATIO:.0%} of /livez's requests/s, p99 ≤ {TARGET_P99_MS:g} ms",
            ratio >= TARGET_RATIO and read.p99_ms <= TARGET_P99_MS and not read.failed))
        print(f"{name}: {results[-1].measured}", flush=True)
    return results


def rows(certificates=20000, seconds=5, profile=None):
    """``profile``: the name of a read in ``READS`` under which py-spy samples the
    gateway."""
    wrk_found = ensure_wrk()
    # Counted as every public read is, but no limit is reached: a window of a second
    # keeps the limiter's record of one client's hits short (tests.conftest.UNLIMITED's
    # minute would make it a list of some hundred thousand entries, one client being
    # the whole load, which a province's many phones never are).
    settings = {"RATE_LIMIT_PUBLIC": "1000000/second"}
    services = [name for name in devstack.PROCESSES if name != "gateway"]
    vhost = f"ocop-bench-reads-{uuid.uuid4().hex[:6]}"  # apart from another run's
    with bench_stack(vhost, processes=services, settings=settings) as bench:
        stack = bench.stack
        started = time.perf_counter()
        revocable = seed(bench.mongo.uri, bench.db_prefix, certificates)
        written = time.perf_counter() - started
        print(f"{certificates} certificates written in {written:.1f} s", flush=True)
        started = time.perf_counter()
        stack.start("gateway").wait_ready(300, names=["gateway"])
        gateway_ready = time.perf_counter() - started
        # Another gateway replica, which relays the revocations.
        writer = devstack.Stack(bench.amqp_uri, bench.mongo.uri, db_prefix=bench.db_prefix,
                                ports={"gateway": devstack.free_port()},
                                ops_ports={"gateway": devstack.free_port()},
                                log_dir=bench.directory / "log-writer",
                                extra_env=stack.extra_env)
        writer.amqp_uris = stack.amqp_uris
        try:
            writer.start("gateway").wait_ready(300)
            at_rest = memory(stack)
            if wrk_found:
                results = throughput(seconds, addresses(stack, revocable[-1]), profile,
                                     bench.directory, stack.processes["gateway"].pid)
            else:
                results = [table.Row("public reads under wrk", "skipped: wrk is not "
                                     "installed and cannot be here (not root, or no apt-get)")]
            token = bench.issuer.token(["province_authority"], province=REVOKING_PROVINCE)
            latencies = sorted(revocation_to_page(stack.gateway_url, writer.gateway_url, token,
                                                  code) for code in revocable[:REVOCATIONS])
            loaded = memory(stack)
        finally:
            writer.stop("gateway")
    results.insert(0, table.Row(
        f"gateway ready, its snapshot of {certificates:,} certificates loaded",
        f"{gateway_ready:.1f} s (written into certification's store in {written:.1f} s)"))
    results.append(table.Row(
        f"revocation through another gateway → this gateway's /verify page says revoked, "
        f"{REVOCATIONS} times", f"median {latencies[len(latencies) // 2]:.3f} s, "
        f"max {latencies[-1]:.3f} s", "", "≤ 1 s each", latencies[-1] <= 1))
    results.extend(table.Row(
        f"RSS of {name}, {certificates:,} certificates loaded", f"{at_rest[name]:.1f} MB at "
        f"rest → {loaded[name]:.1f} MB after the load", "", f"< {RSS_TARGET_MB} MB",
        max(at_rest[name], loaded[name]) < RSS_TARGET_MB) for name in at_rest)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--certificates", type=int, default=20000)
    parser.add_argument("--seconds", type=int, default=5, help="of each wrk run")
    parser.add_argument("--profile", metavar="READ", choices=[name for name, _ in READS],
                        help="sample the gateway with py-spy under this read")
    arguments = parser.parse_args()
    print(table.heading("python -m bench.public_reads"))
    print(table.markdown(rows(**vars(arguments))))


if __name__ == "__main__":
    main()
