"""The import's writes through the real driver: an import interrupted half-way is completed
when the same file is sent again, with nothing written twice; and the command line."""
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from pymongo import MongoClient

from chassis.outbox import PENDING
from services.registration import store, workflow
from tests.e2e.journeys import csv_file, row

ROOT = Path(__file__).resolve().parents[2]
OFFICE = {"subject": "office-91", "roles": ["province_officer"]}


@pytest.fixture
def database(mongo_uri):
    client = MongoClient(mongo_uri)
    database = client[f"imports_{uuid.uuid4().hex[:8]}"]
    store.prepare(database)
    yield database
    client.drop_database(database.name)
    client.close()


class CrashingStore(store.RegistrationStore):
    """The real store, whose process dies after its first batch of products."""

    def __init__(self, database):
        super().__init__(database)
        self.batches = 0

    def insert_new(self, collection, documents):
        if collection == "products":
            self.batches += 1
            if self.batches == 2:
                raise SystemExit("killed mid-import")
        super().insert_new(collection, documents)


def spreadsheet(n):
    shared = row()  # one producer with several products, and producers of their own
    return csv_file([row(producer=shared[0], tax_code=shared[1], certificate_number=f"C-{i}")
                     if i % 3 else row(certificate_number=f"C-{i}") for i in range(n)])


def test_an_interrupted_import_is_completed_by_sending_the_file_again(database, monkeypatch):
    monkeypatch.setattr(workflow, "IMPORT_BATCH", 10)
    data = spreadsheet(25)
    with pytest.raises(SystemExit):
        workflow.import_products(CrashingStore(database), "91", "ocop.csv", data, OFFICE)
    assert database.products.count_documents({}) == 10
    half = database.imports.find_one()
    assert half["status"] == "applying" and len(half["pending_rows"]) == 25

    registration = store.RegistrationStore(database)
    report = workflow.import_products(registration, "91", "ocop.csv", data, OFFICE)
    assert report["status"] == "completed" and report["products_created"] == 25
    assert report["producers_created"] == database.producers.count_documents({}) == 10
    assert "pending_rows" not in database.imports.find_one()
    events = [e for d in database.products.find() for e in d["outbox"].values()]
    assert len(events) == 25 and {e["type"] for e in events} == \
        {"vn.gov.ocop.product.imported.v1"}
    completed = database.imports.find_one()["outbox"]
    assert [e["data"]["products_created"] for e in completed.values()] == [25]

    again = workflow.import_products(registration, "91", "ocop.csv", data, OFFICE)
    assert again == report and database.products.count_documents({}) == 25
    assert database.imports.find_one()[PENDING] == 1  # no second import.completed


def test_the_command_line_imports_a_file_and_lists_bad_rows(database, mongo_uri, tmp_path):
    environment = {**os.environ, "MONGO_URI": mongo_uri, "MONGO_DB": database.name,
                   "PYTHONWARNINGS": "ignore"}
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_bytes(csv_file([row(certificate_number="CLI-1"), row(certificate_number="CLI-2")]))
    bad.write_bytes(csv_file([row(tax_code="0100109107")]))

    def run(path):
        return subprocess.run(
            [sys.executable, "-m", "services.registration.imports", str(path), "--province",
             "91", "--by", "tester"], cwd=ROOT, env=environment, capture_output=True,
            text=True, timeout=60)

    done = run(good)
    assert done.returncode == 0, done.stderr
    assert "2 rows, 2 products" in done.stdout
    assert database.imports.find_one()["by"] == {"subject": "cli:tester"}
    refused = run(bad)
    assert refused.returncode == 1 and "Line 2: Wrong check digit" in refused.stderr
    assert database.products.count_documents({}) == 2
