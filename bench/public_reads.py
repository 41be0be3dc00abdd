"""Public reads beside the ceiling of the same process: requests/s and p99 of the gateway's
trivial handler (``/livez``) and of each public read, measured with ``wrk`` (2 threads, 20
connections) one after the other; then how long a revocation takes to show on the public
page of a gateway that did not relay it; and the memory of every process.

    python -m bench.public_reads [--certificates 20000] [--seconds 5] [--profile]

Starts its own stack (own MongoDB stand-in, own RabbitMQ vhost). The certificates are
written into certification's store before the gateway starts, as a restored database
would be (across the 34 provinces, a tenth of them no longer in force), so the gateway
loads them all in its snapshot; the time it takes is printed. ``wrk`` is Debian's package,
installed with apt when this runs as root and it is missing; without it the throughput is
skipped, with the reason. ``--profile`` samples the gateway with ``py-spy`` while ``wrk``
reads the verification JSON, and prints where its time goes.
"""
import argparse
import collections
import itertools
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests
from pymongo import MongoClient

from chassis import pages
from chassis.events import rfc3339
from chassis.provinces import COMMUNES
from gateway.tokens import DevelopmentIssuer
from scripts import devstack
from services.certification.validity import EXPIRED, REVOKED, SUPERSEDED, VALID, \
    certificate_code, expires_on, vietnam_day
from tests.conftest import UNLIMITED

THREADS, CONNECTIONS = 2, 20
TARGET_RATIO, TARGET_P99_MS = 0.80, 50.0
REVOCATIONS = 5
REVOKING_PROVINCE = "91"
BATCH = 1000


def ensure_wrk():
    """The path of ``wrk``, installed with apt when running as root; None when it cannot
    be had here."""
    if shutil.which("wrk") is None:
        devstack.apt_install("wrk")
    return shutil.which("wrk")


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

def wrk(path, url, seconds):
    """(requests/s, p99 in ms) of ``url`` under wrk."""
    result = subprocess.run([path, f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s",
                             "--latency", url], capture_output=True, text=True, check=True)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout).group(1))
    value, unit = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", result.stdout,
                            re.MULTILINE).groups()
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} answers were not 2xx:\n{result.stdout}")
    return rate, float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def profile(pid, wrk_path, url, seconds):
    """Sample process ``pid`` with py-spy while wrk reads ``url``: the functions it spends
    most of its samples in, with and without what they call."""
    with tempfile.NamedTemporaryFile(suffix=".txt") as out:
        spy = subprocess.Popen([str(Path(sys.executable).parent / "py-spy"), "record", "--function", "--pid", str(pid), "--duration",
                                str(seconds), "--format", "raw", "--output", out.name,
                                "--nonblocking"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        wrk(wrk_path, url, seconds)
        spy.wait()
        stacks = Path(out.name).read_text().splitlines()
    inclusive, own, total = collections.Counter(), collections.Counter(), 0
    for line in stacks:
        frames, _, count = line.rpartition(" ")
        names = [re.sub(r" \(.*/(site-packages|wt-[^/]+|main)/", " (", frame)
                 for frame in frames.split(";")]
        total += int(count)
        own[names[-1]] += int(count)
        for name in set(names):
            inclusive[name] += int(count)
    print(f"\npy-spy, {total} samples of the gateway while wrk read {url}")
    print("with what they call:")
    for name, count in inclusive.most_common(25):
        print(f"  {count / total:6.1%}  {name}")
    print("in themselves:")
    for name, count in own.most_common(15):
        print(f"  {count / total:6.1%}  {name}")


def rss_mb(pid):
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024


def memory(stack):
    return {name: rss_mb(process.pid) for name, process in stack.processes.items()}


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


def report(wrk_path, seconds, reads):
    """Each public read, right after the ceiling measured again (the machine's other load
    drifts): both, and the ratio."""
    for url in reads.values():
        requests.get(url, timeout=30).raise_for_status()  # rendered and kept once
    print(f"\nwrk -t{THREADS} -c{CONNECTIONS} -d{seconds}s, the ceiling (/livez) then the "
          f"read; target: ≥ {TARGET_RATIO:.0%} of the ceiling's requests/s, p99 ≤ "
          f"{TARGET_P99_MS:g} ms")
    print(f"{'read':20} {'/livez req/s':>12} {'p99 ms':>7} {'read req/s':>11} {'p99 ms':>7} "
          f"{'ratio':>6}  target")
    ceiling_url = reads["livez"]
    for name, url in reads.items():
        if url == ceiling_url:
            continue
        ceiling, ceiling_p99 = wrk(wrk_path, ceiling_url, seconds)
        rate, p99 = wrk(wrk_path, url, seconds)
        met = rate >= TARGET_RATIO * ceiling and p99 <= TARGET_P99_MS
        print(f"{name:20} {ceiling:12.0f} {ceiling_p99:7.1f} {rate:11.0f} {p99:7.1f} "
              f"{rate / ceiling:6.0%}  {'met' if met else 'MISSED'}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--certificates", type=int, default=20000)
    parser.add_argument("--seconds", type=int, default=5, help="of each wrk run")
    parser.add_argument("--profile", metavar="READ", choices=[name for name, _ in READS],
                        help="sample the gateway with py-spy under this read")
    args = parser.parse_args()
    wrk_path = ensure_wrk()

    devstack.ensure_rabbitmq(devstack.DEFAULT_AMQP_URI)
    amqp_uri = devstack.ensure_vhost(devstack.DEFAULT_AMQP_URI, "ocop-bench-reads",
                                     fresh=True)
    with tempfile.TemporaryDirectory() as directory:
        mongo = devstack.MongoStandIn(Path(directory), devstack.free_port(),
                                      Path(directory) / "nx.log").start()
        issuer = DevelopmentIssuer(Path(directory) / "identity")
        ports, ops_ports = devstack.free_ports()
        # Counted as every public read is, but no limit is reached: a window of a second
        # keeps the limiter's record of one client's hits short (tests.conftest.UNLIMITED's
        # minute would make it a list of some hundred thousand entries, one client being
        # the whole load, which a province's many phones never are).
        settings = {**issuer.gateway_settings(), **UNLIMITED,
                    "RATE_LIMIT_PUBLIC": "1000000/second"}
        stack = devstack.Stack(amqp_uri, mongo.uri, db_prefix=f"bench_{uuid.uuid4().hex[:6]}_",
                               ports=ports, ops_ports=ops_ports, log_dir=Path(directory) / "log",
                               extra_env=settings)
        # Another gateway replica, which relays the revocations.
        writer = devstack.Stack(amqp_uri, mongo.uri, db_prefix=stack.db_prefix,
                                ports={"gateway": devstack.free_port()},
                                ops_ports={"gateway": devstack.free_port()},
                                log_dir=Path(directory) / "log-writer", extra_env=settings)
        try:
            services = [name for name in devstack.PROCESSES if name != "gateway"]
            stack.start(*services).wait_ready(90)
            started = time.perf_counter()
            revocable = seed(mongo.uri, stack.db_prefix, args.certificates)
            print(f"{args.certificates} certificates written in "
                  f"{time.perf_counter() - started:.1f} s", flush=True)
            started = time.perf_counter()
            stack.start("gateway").wait_ready(300, names=["gateway"])
            print(f"gateway ready, its snapshot loaded, in {time.perf_counter() - started:.1f} s")
            writer.amqp_uris = stack.amqp_uris
            writer.start("gateway").wait_ready(300)
            at_rest = memory(stack)
            if wrk_path is None:
                print("\nwrk is not installed and cannot be here (not root, or no apt-get): "
                      "throughput skipped")
            else:
                reads = addresses(stack, revocable[-1])
                report(wrk_path, args.seconds, reads)
                if args.profile:
                    profile(stack.processes["gateway"].pid, wrk_path, reads[args.profile],
                            args.seconds)
            token = issuer.token(["province_authority"], province=REVOKING_PROVINCE)
            latencies = sorted(revocation_to_page(stack.gateway_url, writer.gateway_url, token,
                                                  code) for code in revocable[:REVOCATIONS])
            loaded = memory(stack)
        finally:
            writer.stop("gateway")
            stack.stop()
            mongo.stop()
            devstack.drop_vhost(devstack.DEFAULT_AMQP_URI, "ocop-bench-reads")
    print(f"\nrevocation through another gateway → this gateway's /verify page says revoked "
          f"(target ≤ 1 s), {REVOCATIONS} times: median {latencies[len(latencies) // 2]:.3f} s, "
          f"max {latencies[-1]:.3f} s")
    print(f"\nRSS, MB (target < 150): at rest with {args.certificates} certificates loaded → "
          "after the load")
    for name in at_rest:
        print(f"  {name:14} {at_rest[name]:6.1f} → {loaded[name]:6.1f}")


if __name__ == "__main__":
    main()
