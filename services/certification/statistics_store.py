"""The statistics read model and the provinces' plans, in certification's database
(``statistics`` says what each record holds and why it stays right under redelivery and
reordering)."""
from datetime import datetime

from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from chassis.events import timestamp

# The trade promotion's points of sale and showrooms (``promotion``), read by the agreed
# shape: ``province_code``, ``kind`` ("point_of_sale" | "showroom"), ``opened_on`` (a
# Vietnam date, ISO).
POINTS_OF_SALE = "points_of_sale"
PLACE_KINDS = ("point_of_sale", "showroom")


def prepare(database):
    database.tally_certificates.create_index([("product_id", ASCENDING)])
    database.tally_certificates.create_index([("province_code", ASCENDING)])
    database.tally_products.create_index([("province_code", ASCENDING)])
    database.tally_steps.create_index([("province_code", ASCENDING)])
    database.plan_reports.create_index([("plan_id", ASCENDING)])


# Below every revision and every key of the kind ``sortable`` makes.
LOWEST = ""


def sortable(moment):
    """A day or an RFC 3339 instant as digits of one length, which sort in time order.
    (The MongoDB stand-in does not compare date-like texts as text, so keys are not kept
    in ISO form.)"""
    parsed = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    return parsed.strftime("%Y%m%d%H%M%S%f")


class StatisticsStore:
    def __init__(self, database):
        self.certificates = database.tally_certificates
        self.products = database.tally_products
        self.steps = database.tally_steps
        self.revisions = database.tally_revisions
        self.summaries = database.tally_summaries
        self.plans = database.plans
        self.reports = database.plan_reports
        self.points_of_sale = database[POINTS_OF_SALE]

    # The read model, kept by events ---------------------------------------------------------

    def set_certificate_fact(self, code, fields, event_id):
        """The fields an event states about a certificate, and that it was applied: the
        same event again sets the same values."""
        self.certificates.update_one({"_id": code}, {"$set": fields,
                                                     "$addToSet": {"facts": event_id}},
                                     upsert=True)

    def certificates_of_product(self, product_id):
        return list(self.certificates.find({"product_id": product_id}))

    def summarise(self, product_id, where, current, revision):
        """The product's current certificate, unless a summary made from as many facts or
        more is already there (a concurrent handler saw more)."""
        key = f"{revision:012d}"
        self.upsert_unless_newer(product_id, "certificates_revision", key,
                                 {**where, "current": current, "certificates_revision": key})

    def set_stage(self, product_id, where, stage, at, event_id):
        """The stage of the latest event: an earlier one arriving late changes nothing."""
        key = f"{sortable(at)}|{event_id}"  # the event's id breaks a tie the same everywhere
        self.upsert_unless_newer(product_id, "stage_at", key,
                                 {**where, "stage": stage, "stage_at": key})

    def upsert_unless_newer(self, product_id, field, value, changes):
        """The record and its ``field`` first (the lowest of values where there was none),
        then the change only over a lower value: each write is idempotent, and the change
        is one conditional update."""
        self.products.update_one({"_id": product_id}, {"$setOnInsert": {field: LOWEST}},
                                 upsert=True)
        self.products.update_one({"_id": product_id, field: {"$exists": False}},
                                 {"$set": {field: LOWEST}})
        self.products.update_one({"_id": product_id, field: {"$lt": value}}, {"$set": changes})

    def record_step(self, step):
        self.steps.update_one({"_id": step["_id"]}, {"$setOnInsert": step}, upsert=True)

    def changed(self, province_code):
        """The province's records changed: its summary is to be made again. A revision
        number, not a figure: the figures are always counted from the records."""
        self.revisions.update_one({"_id": province_code}, {"$inc": {"revision": 1}},
                                  upsert=True)

    # Summaries: each province's statistics, counted again only after its records changed --

    def revisions_of(self, province_codes):
        return {r["_id"]: r["revision"] for r in self.revisions.find(
            {"_id": {"$in": list(province_codes)}})}

    def summaries_of(self, province_codes):
        return {s["_id"]: s for s in self.summaries.find({"_id": {"$in": list(province_codes)}})}

    def keep_summary(self, province_code, revision, figures):
        """A summary counted at ``revision``; one counted concurrently at another may win,
        and the next read counts again if it is not the latest."""
        self.summaries.update_one({"_id": province_code}, {"$set": {
            "province_code": province_code, "revision": revision, "figures": figures}},
            upsert=True)

    def counted_for(self, plan_id, revision):
        """What the records gave the plan's measures when they were at ``revision``."""
        kept = self.summaries.find_one({"_id": f"plan:{plan_id}"})
        return kept["figures"] if kept and kept["revision"] == revision else None

    def keep_counted(self, plan_id, revision, figures):
        self.summaries.update_one({"_id": f"plan:{plan_id}"}, {"$set": {
            "revision": revision, "figures": figures}}, upsert=True)

    # Reads --------------------------------------------------------------------------------

    def all_products(self, province_code=None):
        query = {} if province_code is None else {"province_code": province_code}
        return list(self.products.find(query, {"current": 1, "stage": 1, "province_code": 1,
                                               "commune_code": 1, "category": 1}))

    def all_certificates(self, province_code=None):
        query = {} if province_code is None else {"province_code": province_code}
        return list(self.certificates.find(query, {"facts": 0}))

    def steps_of(self, province_code):
        return list(self.steps.find({"province_code": province_code}))

    def points_of_sale_of(self, province_code):
        return list(self.points_of_sale.find(
            {"province_code": province_code, "kind": {"$in": list(PLACE_KINDS)}},
            {"opened_on": 1, "kind": 1}))

    # Plans --------------------------------------------------------------------------------

    def plan(self, plan_id):
        return self.plans.find_one({"_id": plan_id})

    def write_plan(self, document, revision):
        """Create the plan (``revision`` None) or replace the one at ``revision``; False
        when someone else wrote it first."""
        if revision is None:
            try:
                self.plans.insert_one(document)
            except DuplicateKeyError:
                return False
            return True
        return self.plans.replace_one({"_id": document["_id"], "revision": revision},
                                      document).modified_count == 1

    def record_report(self, plan_id, measure, report):
        """The office's figure for ``measure``: the latest report (by its day, then when
        it was recorded) stands."""
        report = {**report, "plan_id": plan_id, "measure": measure,
                  "recorded_at": timestamp()}
        key = f"{sortable(report['reported_on'])}|{sortable(report['recorded_at'])}"
        report_id = f"{plan_id}:{measure}"
        self.reports.update_one({"_id": report_id}, {"$setOnInsert": {"key": LOWEST}},
                                upsert=True)
        self.reports.update_one({"_id": report_id, "key": {"$lt": key}},
                                {"$set": {**report, "key": key}})

    def reports_of(self, plan_id):
        return {r["measure"]: r for r in self.reports.find({"plan_id": plan_id})}
