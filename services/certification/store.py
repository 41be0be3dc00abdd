"""Certification's MongoDB repository."""
from pymongo import ASCENDING, ReturnDocument

from chassis import outbox, pages
from chassis.events import rfc3339


def prepare(database):
    database.certificates.create_index([("evaluation_id", ASCENDING)], unique=True)
    database.certificates.create_index([("product_id", ASCENDING)])
    # The public list of certified products (``in_force``): one province's, or a commune's
    # (its province is matched too), on the first; the whole country's on the second. The
    # other filters (category, stars) and being in force are checked on the documents the
    # index walks, newest first.
    database.certificates.create_index([("province_code", ASCENDING), *pages.INDEXED])
    database.certificates.create_index(pages.INDEXED)


class CertificationStore:
    def __init__(self, database):
        self.certificates = database.certificates
        self.serials = database.serials

    def next_serial(self, province_code, year):
        counter = self.serials.find_one_and_update(
            {"_id": f"{province_code}-{year}"}, {"$inc": {"last": 1}},
            upsert=True, return_document=ReturnDocument.AFTER)
        return counter["last"]

    def for_evaluation(self, evaluation_id):
        return self.certificates.find_one({"evaluation_id": evaluation_id}, {"outbox": 0})

    def issue(self, certificate, events):
        """False if the evaluation already has its certificate (unique evaluation_id)."""
        return outbox.insert_new(self.certificates, certificate, events)

    def supersede(self, code, superseded_by, superseded_at, events):
        """Once: a certificate already superseded (a redelivery) is left as it is."""
        self.certificates.update_one(
            {"_id": code, "superseded_by": None},
            outbox.update({"$set": {"superseded_by": superseded_by,
                                    "superseded_at": superseded_at}}, events))

    def for_product(self, product_id):
        return list(self.certificates.find({"product_id": product_id}, {"outbox": 0})
                    .sort("issued_at", -1))

    def get(self, code):
        return self.certificates.find_one({"_id": code}, {"outbox": 0})

    def in_force(self, filters, now, limit, cursor):
        """A page of the certificates matching ``filters`` that are in force at ``now``: as
        ``validity.status`` says "valid" (not revoked, not superseded, not yet expired).
        Certificates issued before the list existed carry no ``listed`` key and are left
        out of it."""
        return pages.page(self.certificates, {
            **filters, "revoked_at": None, "superseded_by": None,
            "expires_at": {"$gt": rfc3339(now)}, "listed": {"$exists": True}},
            limit, cursor, projection={"outbox": 0})
