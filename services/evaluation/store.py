"""Evaluation's MongoDB repository: evaluations and councils."""
from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from chassis import outbox, pages

OPEN = "open"


# The list of evaluations (``EvaluationStore.page``): by council and status (the list a
# council works through, "waiting for me" included), by council alone, by product.
LIST_INDEXES = ([("scope", ASCENDING), ("status", ASCENDING), *pages.INDEXED],
                [("scope", ASCENDING), *pages.INDEXED],
                [("product_id", ASCENDING), *pages.INDEXED])


def current_revision(revision):
    """The filter value of a write that must find ``revision`` still current: null for
    revision 0 also matches a document written before revisions were counted."""
    return revision or None


def prepare(database):
    for keys in LIST_INDEXES:
        database.evaluations.create_index(keys)


class EvaluationStore:
    def __init__(self, database):
        self.evaluations = database.evaluations
        self.councils = database.councils

    def open(self, evaluation, events):
        return outbox.insert_new(self.evaluations, evaluation, events)

    def get(self, evaluation_id):
        return self.evaluations.find_one({"_id": evaluation_id}, {"outbox": 0})

    def change_open(self, evaluation_id, change, events=(), condition=None):
        """Apply ``change`` (with its events) only while the evaluation is open and
        ``condition`` holds: one atomic write that also bumps ``revision``, so a decision
        can insist that the sheets it read are still the sheets. True if it applied."""
        change = {**change, "$inc": {**change.get("$inc", {}), "revision": 1}}
        result = self.evaluations.update_one(
            {"_id": evaluation_id, "status": OPEN, **(condition or {})},
            outbox.update(change, events))
        return result.modified_count == 1

    def page(self, query, limit, cursor):
        """A page of evaluations, newest first. ``query`` filters on ``scope`` (then
        ``status``) or on ``product_id``: one of ``LIST_INDEXES`` serves it; round, level and
        "waiting for me" narrow what that index finds."""
        return pages.page(self.evaluations, query, limit, cursor, {"outbox": 0})

    def write_council(self, council, revision):
        """Set up a council (``revision`` None) or replace the one at ``revision``; False
        when another write came first."""
        if revision is None:
            try:
                self.councils.insert_one(council)
            except DuplicateKeyError:
                return False
            return True
        return self.councils.replace_one({"_id": council["_id"],
                                          "revision": current_revision(revision)},
                                         council).matched_count == 1

    def change_status(self, evaluation_id, status, change, events=()):
        """Apply ``change`` (with its events) only while the evaluation has ``status``: one
        atomic write. True if it applied."""
        result = self.evaluations.update_one({"_id": evaluation_id, "status": status},
                                             outbox.update(change, events))
        return result.modified_count == 1

    def last_recognised(self, product_id):
        """The product's latest completed result that may be recognised ({level, stars}),
        or None; served by the list's (product_id, listed) index, newest first."""
        for evaluation in self.evaluations.find(
                {"product_id": product_id, "status": "completed"},
                {"result": 1, "stars": 1}).sort(pages.INDEXED):
            if (evaluation.get("result") or {}).get("recognised"):
                return {"level": evaluation["result"]["level"], "stars": evaluation["stars"]}
        return None

    def council(self, scope):
        return self.councils.find_one({"_id": scope})

    def add_interest(self, scope, member, producer_id):
        return self.councils.update_one(
            {"_id": scope}, {"$set": {f"interests.{member}.{producer_id}": True}}
        ).matched_count == 1
