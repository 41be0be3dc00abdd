"""Certification's MongoDB repository."""
from pymongo import ASCENDING, ReturnDocument

from chassis import outbox


def prepare(database):
    database.certificates.create_index([("evaluation_id", ASCENDING)], unique=True)
    database.certificates.create_index([("product_id", ASCENDING)])


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
