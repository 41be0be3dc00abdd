"""Progress and statistics requests per second on a national-size read model, beside the
gateway's trivial handler.

    python -m bench.statistics [--certificates 20000] [--seconds 5] [--concurrency 8]

Writes ``--certificates`` certificates across the 34 provinces (3★–5★, issued 2020–2026,
some superseded, revoked or expired) straight into the read model's store, as its event
handlers would have left it, with An Giang's plan for 2026, then starts certification and
the gateway on that MongoDB stand-in and a RabbitMQ vhost of their own (``bench.stack``); then, for ``--seconds`` each,
asks through the gateway for An Giang's progress, An Giang's statistics and the country's,
and ``/livez`` of the same gateway process (no call behind it): the ceiling of the HTTP
path itself. Each province's statistics are counted once first (a summary kept until the
province's records change), as the first reads after a deployment would.
"""
import argparse
import random
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests
from pymongo import MongoClient

from bench import table
from bench.stack import bench_stack
from chassis.provinces import COMMUNES, PROVINCES
from services.certification import statistics_store

YEARS = range(2020, 2027)
ENDINGS = (None,) * 8 + ("superseded", "revoked", "expired")


def read_model(count, seed=26):
    """The records the read model's handlers would keep for ``count`` certificates: one
    product each, a certificate each (a tenth of them ended)."""
    chance = random.Random(seed)
    communes = {}
    for code, (_, province) in COMMUNES.items():
        communes.setdefault(province, []).append(code)
    provinces = sorted(PROVINCES)
    certificates, products = [], []
    for n in range(count):
        province = provinces[n % len(provinces)]
        commune = chance.choice(communes[province])
        stars, year = chance.choice((3, 3, 3, 4, 4, 5)), chance.choice(YEARS)
        issued_on = f"{year}-{chance.randrange(1, 13):02d}-{chance.randrange(1, 29):02d}"
        code = f"OCOP-{'TW' if stars == 5 else province}-{year}-{n:05d}"
        ended = chance.choice(ENDINGS)
        certificate = {"_id": code, "product_id": f"bench-{n}", "province_code": province,
                       "commune_code": commune, "category": f"{chance.randrange(1, 27):02d}",
                       "stars": stars, "level": "central" if stars == 5 else "province",
                       "issued_on": issued_on, "issued_at": f"{issued_on}T03:00:00.000000Z",
                       "expires_on": f"{year + 3}{issued_on[4:]}", "imported": False,
                       "facts": [f"issued-{n}"] + ([f"ended-{n}"] if ended else [])}
        if ended:
            certificate["ended"] = ended
        certificates.append(certificate)
        products.append({
            "_id": f"bench-{n}", "province_code": province, "commune_code": commune,
            "category": certificate["category"], "stage": ended or "certified",
            "stage_at": "", "certificates_revision": f"{len(certificate['facts']):012d}",
            "current": None if ended else {k: certificate[k] for k in (
                "_id", "stars", "level", "issued_on", "expires_on", "imported")}})
    return certificates, products


PLAN = {"_id": "91-2026", "province_code": "91", "year": 2026, "last_year": 2026,
        "reference": "1/KH-UBND", "adopted_on": "2026-01-15", "former_province": None,
        "targets": [{"measure": "certified_new", "at_least": 40, "at_most": 50},
                    {"measure": "certified_4_plus", "at_least": 10, "at_most": None},
                    {"measure": "certified_per_unit", "at_least": 1, "at_most": None},
                    {"measure": "re_rated_percent", "at_least": 100, "at_most": None}],
        "recorded_by": "bench", "recorded_at": "2026-01-15T03:00:00.000000Z", "revision": 1}


def rate(url, headers, seconds, concurrency):
    """Requests per second answered 200, the median latency in ms, and how many were not
    answered 200."""
    deadline = time.monotonic() + seconds

    def worker(_):
        session, latencies, failed = requests.Session(), [], 0
        while time.monotonic() < deadline:
            started = time.perf_counter()
            if session.get(url, headers=headers, timeout=120).status_code == 200:
                latencies.append(time.perf_counter() - started)
            else:
                failed += 1
        return latencies, failed

    started = time.monotonic()
    with ThreadPoolExecutor(concurrency) as pool:
        done = list(pool.map(worker, range(concurrency)))
    elapsed = time.monotonic() - started
    latencies = sorted(t for answered, _ in done for t in answered)
    median = 1000 * latencies[len(latencies) // 2] if latencies else float("nan")
    return len(latencies) / elapsed, median, sum(failed for _, failed in done)


def rows(certificates=20_000, seconds=5, concurrency=8):
    def seed(mongo_uri, db_prefix):
        with MongoClient(mongo_uri) as client:
            database = client[f"{db_prefix}certification"]
            statistics_store.prepare(database)
            tallied, products = read_model(certificates)
            database.tally_certificates.insert_many(tallied)
            database.tally_products.insert_many(products)
            database.plans.insert_one(PLAN)

    vhost = f"ocop-bench-statistics-{uuid.uuid4().hex[:6]}"
    with bench_stack(vhost, seed, processes=("certification", "gateway")) as bench:
        stack, issuer = bench.stack, bench.issuer
        office = {"Authorization": "Bearer " + issuer.token(["province_officer"],
                                                            province="91")}
        ministry = {"Authorization": "Bearer " + issuer.token(["central_officer"])}
        api = f"{stack.gateway_url}/api/v1"
        started = time.perf_counter()
        for province in sorted(PROVINCES):  # each province's summary counted once
            requests.get(f"{api}/statistics", params={"province": province},
                         headers=ministry, timeout=120).raise_for_status()
        first_count = time.perf_counter() - started
        figures = [
            ("GET /plans/91/2026/progress", f"{api}/plans/91/2026/progress", office),
            ("GET /statistics (An Giang)", f"{api}/statistics", office),
            ("GET /statistics (national)", f"{api}/statistics", ministry),
            ("GET /livez (same gateway)", f"{stack.ops_url('gateway')}/livez", {}),
        ]
        measured = [(name, *rate(url, headers, seconds, concurrency))
                    for name, url, headers in figures]
    (_, ceiling, ceiling_median, _) = measured[-1]
    size = (f"{certificates:,} certificates across {len(PROVINCES)} provinces, "
            f"{concurrency} at once, {seconds:g} s each")
    results = [table.Row(
        f"{name} requests/s ({size})",
        f"{per_second:,.1f} (median {median:.1f} ms, {100 * per_second / ceiling:.1f}% of "
        f"/livez)" + (f", {failed} not answered 200" if failed else ""),
        f"/livez of the same gateway: {ceiling:,.1f}/s, median {ceiling_median:.1f} ms")
        for name, per_second, median, failed in measured[:-1]]
    results.append(table.Row(
        f"first count of the {len(PROVINCES)} provinces' statistics summaries (then only a "
        "province whose records changed is counted again)", f"{first_count:.1f} s"))
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--certificates", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--concurrency", type=int, default=8)
    arguments = parser.parse_args()
    print(table.heading("python -m bench.statistics"))
    print(table.markdown(rows(**vars(arguments))))


if __name__ == "__main__":
    main()
