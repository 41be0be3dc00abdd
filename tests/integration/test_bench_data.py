"""The bench's national data set is written with the services' own store functions: a
change of their signatures must fail here, in ``make test``, not in the next ``make bench``."""
import uuid

from pymongo import MongoClient

from bench import national


def test_a_small_national_data_set_is_written_as_the_services_would_store_it(mongo_uri):
    prefix = f"test_bench_{uuid.uuid4().hex[:8]}_"
    with MongoClient(mongo_uri, tz_aware=True) as client:
        databases = {name: client[prefix + name] for name in ("registration", "certification")}
        try:
            counts = national.write_national(databases, 40, 100)
            stored = databases["certification"].certificates
            revoked = list(stored.find({"state": "revoked"}))
            assert counts["producers"] == 40 and counts["products"] == 100
            assert sum(counts["certificates"].values()) == 100
            assert len(revoked) == 100 * national.REVOKED_PERCENT // 100 == \
                counts["certificates"]["revoked"]
            assert all(c["revocation"]["ground"] == "criteria_not_met" and c["revision"] >= 2
                       for c in revoked)
            assert databases["registration"].products.count_documents({}) == 100
        finally:
            for database in databases.values():
                client.drop_database(database.name)
