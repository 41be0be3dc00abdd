"""Evaluation's MongoDB repository."""
from pymongo import ASCENDING, DESCENDING
from pymongo.errors import DuplicateKeyError

from chassis import outbox


def prepare(database):
    database.evaluations.create_index([("product_id", ASCENDING), ("opened_at", DESCENDING)])


class EvaluationStore:
    def __init__(self, database):
        self.evaluations = database.evaluations

    def open(self, evaluation, events):
        """False if this evaluation was already opened (a redelivered event)."""
        try:
            self.evaluations.insert_one(outbox.new_document(evaluation, events))
        except DuplicateKeyError:
            return False
        return True

    def get(self, evaluation_id):
        return self.evaluations.find_one({"_id": evaluation_id}, {"outbox": 0})

    def for_product(self, product_id):
        return list(self.evaluations.find({"product_id": product_id}, {"outbox": 0})
                    .sort("opened_at", DESCENDING))

    def add_sheet(self, evaluation_id, member, sheet):
        """Only into an open evaluation, and once per member."""
        result = self.evaluations.update_one(
            {"_id": evaluation_id, "status": "open", f"sheets.{member}": {"$exists": False}},
            {"$set": {f"sheets.{member}": sheet}})
        return result.modified_count == 1

    def complete(self, evaluation_id, result, events):
        updated = self.evaluations.update_one(
            {"_id": evaluation_id, "status": "open"},
            outbox.update({"$set": {"status": "completed", **result}}, events))
        return updated.modified_count == 1
