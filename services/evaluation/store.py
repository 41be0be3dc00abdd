"""Evaluation's MongoDB repository: evaluations and councils."""
from pymongo import ASCENDING, DESCENDING

from chassis import outbox

OPEN = "open"


def prepare(database):
    database.evaluations.create_index([("product_id", ASCENDING), ("opened_at", DESCENDING)])


class EvaluationStore:
    def __init__(self, database):
        self.evaluations = database.evaluations
        self.councils = database.councils

    def open(self, evaluation, events):
        return outbox.insert_new(self.evaluations, evaluation, events)

    def get(self, evaluation_id):
        return self.evaluations.find_one({"_id": evaluation_id}, {"outbox": 0})

    def for_product(self, product_id):
        return list(self.evaluations.find({"product_id": product_id}, {"outbox": 0})
                    .sort("opened_at", DESCENDING))

    def change_open(self, evaluation_id, change, events=(), condition=None):
        """Apply ``change`` (with its events) only while the evaluation is open and
        ``condition`` holds: one atomic write that also bumps ``revision``, so a decision
        can insist that the sheets it read are still the sheets. True if it applied."""
        change = {**change, "$inc": {**change.get("$inc", {}), "revision": 1}}
        result = self.evaluations.update_one(
            {"_id": evaluation_id, "status": OPEN, **(condition or {})},
            outbox.update(change, events))
        return result.modified_count == 1

    def change_status(self, evaluation_id, status, change, events=()):
        """Apply ``change`` (with its events) only while the evaluation has ``status``: one
        atomic write. True if it applied."""
        result = self.evaluations.update_one({"_id": evaluation_id, "status": status},
                                             outbox.update(change, events))
        return result.modified_count == 1

    def last_recognised(self, product_id):
        """The product's latest completed result that may be recognised ({level, stars}),
        or None; served by the (product_id, opened_at) index."""
        for evaluation in self.evaluations.find(
                {"product_id": product_id, "status": "completed"},
                {"result": 1, "stars": 1}).sort("opened_at", DESCENDING):
            if (evaluation.get("result") or {}).get("recognised"):
                return {"level": evaluation["result"]["level"], "stars": evaluation["stars"]}
        return None

    def replace_council(self, council):
        self.councils.replace_one({"_id": council["_id"]}, council, upsert=True)

    def council(self, scope):
        return self.councils.find_one({"_id": scope})

    def add_interest(self, scope, member, producer_id):
        return self.councils.update_one(
            {"_id": scope}, {"$set": {f"interests.{member}.{producer_id}": True}}
        ).matched_count == 1
