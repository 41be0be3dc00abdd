"""Rows per second of a province's import, beside the ceiling of the same store.

    python -m bench.imports [--rows 5000] [--per-producer 4]

Generates a spreadsheet (CSV) of ``--rows`` certified products of An Giang, units written
as before 2025 (An Giang and Kiên Giang communes), imports it with registration's own code
(every row checked, then applied) into a MongoDB stand-in of its own, and then inserts the
very documents the import wrote with one raw ``insert_many`` per collection into an empty
database of the same store: the ceiling the import's writes could reach there.
"""
import argparse
import json
import random
import shutil
import tempfile
import time
from pathlib import Path

from pymongo import MongoClient

from bench import table
from scripts import devstack
from services.registration import store, units, workflow
from tests.e2e.journeys import csv_file, row, tax_code

OFFICE = {"subject": "bench", "roles": ["province_officer"]}


def legacy_communes_of(province_code):
    """(province, district, commune) as written before 2025, for the current province."""
    data = json.loads(units.LEGACY_UNITS.read_text(encoding="utf-8"))["provinces"]
    return [(province["name"], district["name"], name)
            for province in data.values() if province["current"] == province_code
            for district in province["districts"].values()
            for name, _ in district["communes"].values()]


def spreadsheet(rows, per_producer):
    places = legacy_communes_of("91")
    lines, producer = [], None
    for n in range(rows):
        if n % per_producer == 0:
            producer = (f"HTX Bench số {n // per_producer}", tax_code())
        province, district, commune = random.choice(places)
        stars = random.choice((3, 4, 5))
        lines.append(row(producer=producer[0], tax_code=producer[1],
                         product=f"Sản phẩm bench {n}", certificate_number=f"BENCH-{n}",
                         category=f"{random.randrange(1, 26):02d}", stars=str(stars),
                         score=str({3: 60, 4: 80, 5: 95}[stars]), province=province,
                         district=district, commune=commune))
    return csv_file(lines)


def rows(rows=5000, per_producer=4):
    data = spreadsheet(rows, per_producer)
    directory = Path(tempfile.mkdtemp())
    mongo = devstack.MongoStandIn(directory, devstack.free_port(), directory / "nx.log").start()
    client = MongoClient(mongo.uri)
    try:
        imported = client.bench_import
        store.prepare(imported)
        started = time.perf_counter()
        report = workflow.import_products(store.RegistrationStore(imported), "91",
                                          "bench.csv", data, OFFICE)
        import_seconds = time.perf_counter() - started
        assert report["products_created"] == rows, report

        ceiling = client.bench_raw
        store.prepare(ceiling)
        documents = {name: list(imported[name].find()) for name in ("producers", "products")}
        started = time.perf_counter()
        for name, batch in documents.items():
            ceiling[name].insert_many(batch, ordered=False)
        raw_seconds = time.perf_counter() - started
        written = sum(len(batch) for batch in documents.values())
    finally:
        client.close()
        mongo.stop()
        shutil.rmtree(directory, ignore_errors=True)
    return [table.Row(
        f"rows/s of an import ({rows:,} rows, {report['producers_created']:,} producers, "
        f"{report['communes_mapped']:,} communes mapped)",
        f"{rows / import_seconds:,.0f} ({import_seconds:.1f} s), "
        f"{100 * raw_seconds / import_seconds:.0f}% of the ceiling",
        f"{rows / raw_seconds:,.0f} rows/s: raw insert_many of the same {written:,} "
        f"documents ({written / raw_seconds:,.0f} documents/s, {raw_seconds:.1f} s)")]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--per-producer", type=int, default=4)
    arguments = parser.parse_args()
    print(table.heading("python -m bench.imports"))
    print(table.markdown(rows(**vars(arguments))))


if __name__ == "__main__":
    main()
