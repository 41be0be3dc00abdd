"""Certificates a province issued before using this platform, brought in by its import
(registration's ``product.imported``, one event per product).

They are kept apart from the certificates this platform issues (``certificates``, coded
``OCOP-<province>-<year>-<serial>``): an imported certificate keeps the number the province
gave it, and its validity is the decision date plus 36 months (Decision 26/2026 Art. 4.3),
as registration computed it. One record per product: a redelivered event changes nothing.
"""
from pymongo import ASCENDING

from chassis.events import timestamp

FIELDS = ("product_id", "producer_id", "producer_name", "name", "category", "province_code",
          "commune_code", "stars", "score", "certificate_number", "decided_on", "expires_on",
          "import_id")


def prepare(database):
    database.imported_certificates.create_index(
        [("province_code", ASCENDING), ("certificate_number", ASCENDING)])


def record(database, event):
    """Store the imported certificate of ``event`` (``product.imported``) once."""
    data = event["data"]
    database.imported_certificates.update_one(
        {"_id": data["product_id"]},
        {"$setOnInsert": {**{f: data[f] for f in FIELDS}, "event_id": event["id"],
                          "recorded_at": timestamp()}},
        upsert=True)


def of_product(database, product_id):
    return database.imported_certificates.find_one({"_id": product_id})
