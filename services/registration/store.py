"""Registration's MongoDB repository: producers, products (with their dossier and
timeline), ideas and plans (steps 2–3), imports, the serial counters, the provinces' added
days off and the evidence files (GridFS bucket ``evidence``).

The lists (``chassis.pages``, newest first) and the index that serves each filter: a list
filtered on several fields is served by the index of the first of them in ``LISTED_BY``
(the others are checked on the documents that index finds); a list without filters by
``listed`` alone. Searches by name use the multikey index of the folded words of names
(``search_words``, kept on write, ``chassis.names``).
"""
import gridfs
from pymongo import ASCENDING, ReturnDocument
from pymongo.errors import BulkWriteError, DuplicateKeyError

from chassis import outbox, pages
from chassis.events import timestamp
from services.registration import timeline
from services.registration.stages import Stage, allowed_from, target_of

# filter → the fields it is stored as, most selective first: the list's index is
# [(those fields…), *pages.INDEXED].
LISTED_BY = {
    "producers": (
        ("producer", ("_id",)),  # a producer's own: at most a few, by the primary key
        ("commune", ("province_code", "commune_code")),
        ("province", ("province_code",)),
        ("name", ("search_words",)),
        ("kind", ("kind",)),
    ),
    "products": (
        ("producer", ("producer_id",)),
        ("commune", ("province_code", "commune_code")),
        ("province", ("province_code",)),
        ("name", ("search_words",)),
        ("category", ("category",)),
        ("stars", ("stars",)),
        ("stage", ("stage",)),
    ),
}
FIELD_OF = {"producer": {"producers": "_id", "products": "producer_id"},
            "province": "province_code", "commune": "commune_code", "name": "search_words"}


def prepare(database):
    database.producers.create_index([("tax_code", ASCENDING)], unique=True)
    database.products.create_index([("import_id", ASCENDING)])
    database.producers.create_index([("import_id", ASCENDING)])
    for collection, filters in LISTED_BY.items():
        for _, fields in filters:
            if fields != ("_id",):  # the stand-in cannot index _id in a compound key
                database[collection].create_index(
                    [(f, ASCENDING) for f in fields] + pages.INDEXED)
        database[collection].create_index(pages.INDEXED)
    # overdue_dossiers: filed dossiers of a province, by deadline
    database.products.create_index([("stage", ASCENDING), ("province_code", ASCENDING),
                                    ("dossier.deadline_day", ASCENDING)])
    database.evidence.create_index([("product_id", ASCENDING)])


def list_query(collection, filters):
    """The MongoDB query of a list's ``filters`` (already validated and scoped)."""
    query = {}
    for name, value in filters.items():
        field = FIELD_OF.get(name, name)
        field = field[collection] if isinstance(field, dict) else field
        query[field] = {"$all": value} if name == "name" else value
    return query


class DuplicateProducer(Exception):
    pass


class RegistrationStore:
    def __init__(self, database):
        self.producers = database.producers
        self.products = database.products
        self.imports = database.imports
        self.ideas = database.ideas
        self.plans = database.plans
        self.counters = database.counters
        self.calendars = database.calendars
        self.evidence = database.evidence
        self.files = gridfs.GridFSBucket(database, bucket_name="evidence")

    def add_producer(self, producer, events=()):
        try:
            self.producers.insert_one(outbox.new_document(producer, events))
        except DuplicateKeyError:
            raise DuplicateProducer(producer["tax_code"]) from None

    def page(self, collection, filters, limit, cursor):
        return pages.page(getattr(self, collection), list_query(collection, filters), limit,
                          cursor, projection={"outbox": 0, "search_words": 0})

    def producers_by_tax_code(self, tax_codes):
        return {p["tax_code"]: p for p in self.producers.find(
            {"tax_code": {"$in": list(tax_codes)}}, {"tax_code": 1, "name": 1})}

    def insert_new(self, collection, documents):
        """Insert those of ``documents`` that do not exist yet (by a unique key): what an
        earlier, interrupted attempt inserted is left as it is."""
        if not documents:
            return
        try:
            getattr(self, collection).insert_many(documents, ordered=False)
        except BulkWriteError as exc:
            others = [e for e in exc.details["writeErrors"] if e["code"] != 11000]
            if others:
                raise

    def count_imported(self, collection, import_id):
        return getattr(self, collection).count_documents({"import_id": import_id})

    def add_import(self, document):
        """Record an import, unless it exists (the same file for the same province)."""
        try:
            self.imports.insert_one(document)
        except DuplicateKeyError:
            pass

    def get_import(self, import_id, with_rows=False):
        return self.imports.find_one({"_id": import_id},
                                     None if with_rows else {"pending_rows": 0, "outbox": 0})

    def complete_import(self, import_id, counts, events):
        """Mark the import completed, with its counts and events, once."""
        change = {"$set": {"status": "completed", "completed_at": timestamp(), **counts},
                  "$unset": {"pending_rows": ""}}
        self.imports.update_one({"_id": import_id, "status": {"$ne": "completed"}},
                                outbox.update(change, events))

    def producer(self, producer_id):
        return self.producers.find_one({"_id": producer_id}, {"outbox": 0, "search_words": 0})

    def add_product(self, product):
        self.products.insert_one(product)


    def product(self, product_id):
        return self.products.find_one({"_id": product_id}, {"outbox": 0, "search_words": 0})

    def move(self, product_id, move, changes=None, events=(), entry=None, where=None,
             unset=()):
        """Apply ``move`` only if the product's stage allows it (and ``where`` holds), in
        one atomic write together with the events it causes and its timeline ``entry``.
        True if the product moved."""
        sources = [stage.value for stage in allowed_from(move)]
        target = target_of(move).value
        now = timestamp()
        change = {"$set": {"stage": target, "updated_at": now, **(changes or {})}}
        if entry is not None:
            change["$set"][f"timeline.{timeline.key(entry)}"] = entry
        if unset:
            change["$unset"] = {name: "" for name in unset}
        result = self.products.update_one(
            {"_id": product_id, "stage": {"$in": sources}, **(where or {})},
            outbox.update(change, events))
        return result.modified_count == 1

    def update_product(self, product_id, where, changes):
        """Change a product's dossier without a move (a completeness check, a proposal's
        claim): True if ``where`` still held."""
        return self.products.update_one({"_id": product_id, **where},
                                        changes).modified_count == 1

    def overdue(self, province_code, today_day, limit=pages.MAX_LIMIT):
        """A province's dossiers still with a commune past their deadline, the longest
        overdue first (a short list: each is a fault to chase)."""
        return list(self.products.find(
            {"stage": Stage.FILED.value, "province_code": province_code,
             "dossier.deadline_day": {"$lt": today_day}},
            {"outbox": 0, "timeline": 0}).sort("dossier.deadline_day", ASCENDING).limit(limit))

    def filed_not_reminded(self, today_day):
        """Dossiers still with a commune, their deadline not passed, their commune not yet
        reminded of it (served by the overdue list's index, by stage)."""
        return list(self.products.find(
            {"stage": Stage.FILED.value, "dossier.deadline_day": {"$gte": today_day},
             "dossier.reminded_on": {"$exists": False}},
            {"outbox": 0, "timeline": 0}))

    def claim_reminder(self, product_id, form_number, claimed_on, events):
        """The commune reminded once per filing: the claim and its event in one write,
        refused to every other process or run that got there first (and to a dossier
        forwarded or returned meanwhile)."""
        changed = self.products.update_one(
            {"_id": product_id, "stage": Stage.FILED.value,
             "dossier.form_number": form_number, "dossier.reminded_on": {"$exists": False}},
            outbox.update({"$set": {"dossier.reminded_on": claimed_on}}, events))
        return changed.modified_count == 1

    def count_by_stage(self):
        counts = {stage.value: 0 for stage in Stage}
        for row in self.products.aggregate([{"$group": {"_id": "$stage", "n": {"$sum": 1}}}]):
            counts[row["_id"]] = row["n"]
        return counts

    # Serial numbers --------------------------------------------------------------------

    def next_serial(self, kind, commune_code, year):
        """The next serial of ``kind`` in a commune and year: one atomic ``$inc`` on the
        counter document of that commune and year (created by the first)."""
        counter = self.counters.find_one_and_update(
            {"_id": f"{kind}:{commune_code}:{year}"},
            {"$inc": {"last": 1}, "$set": {"kind": kind, "commune_code": commune_code,
                                           "year": year}},
            upsert=True, return_document=ReturnDocument.AFTER)
        return counter["last"]

    def claim(self, product_id, kind, where, now, stale_after):
        """Claim the product for the act that numbers it (``kind``: the form or the
        product code), so that two such acts at once cannot both draw a serial: True for
        the one that got it. A claim older than ``stale_after`` seconds (its process died)
        is taken over, with the serial it drew. ``now`` in whole seconds (a number: the
        stand-in compares strings at whole seconds anyway)."""
        held = f"claims.{kind}"
        return self.update_product(product_id, {**where, "$or": [
            {held: None}, {f"{held}.at": {"$lt": now - stale_after}}]},
            {"$set": {f"{held}.at": now}})

    def claimed_serial(self, product_id, kind, commune_code, year, claimed_at):
        """The serial of the claim: the one a crashed holder drew, or the next one, kept in
        the claim before anything else happens so a retry reuses it."""
        product = self.products.find_one({"_id": product_id}, {"claims": 1})
        serial = product.get("claims", {}).get(kind, {}).get("serial")
        if serial is None:
            serial = self.next_serial(kind, commune_code, year)
            self.update_product(product_id, {f"claims.{kind}.at": claimed_at},
                                {"$set": {f"claims.{kind}.serial": serial}})
        return serial

    # Steps 2 and 3: ideas and plans ----------------------------------------------------

    def add_step(self, step, document, events):
        self.collection(step).insert_one(outbox.new_document(document, events))

    def step(self, step, step_id):
        return self.collection(step).find_one({"_id": step_id}, {"outbox": 0})

    def change_step(self, step, step_id, status, change, events=()):
        """Change an idea or plan only if it still has ``status``: True if it did."""
        result = self.collection(step).update_one(
            {"_id": step_id, "status": status}, outbox.update(change, events))
        return result.modified_count == 1

    def collection(self, step):
        return {"idea": self.ideas, "plan": self.plans}[step]

    # The provinces' added days off -----------------------------------------------------

    def days_off(self, province_code):
        calendar = self.calendars.find_one({"_id": province_code}) or {}
        return calendar.get("days", [])

    def set_days_off(self, province_code, days, by):
        self.calendars.replace_one(
            {"_id": province_code},
            {"_id": province_code, "days": days, "updated_at": timestamp(), "updated_by": by},
            upsert=True)

    # Evidence files --------------------------------------------------------------------

    def add_evidence(self, record, content):
        """The file into GridFS first, then its record: a record never names a file that
        is not stored."""
        self.files.upload_from_stream_with_id(
            record["_id"], record["filename"], content,
            metadata={"product_id": record["product_id"], "sha256": record["sha256"],
                      "content_type": record["content_type"]})
        self.evidence.insert_one(record)

    def evidence_record(self, product_id, evidence_id):
        return self.evidence.find_one({"_id": evidence_id, "product_id": product_id})

    def evidence_ids(self, product_id):
        return {r["_id"] for r in self.evidence.find({"product_id": product_id}, {"_id": 1})}

    def evidence_content(self, evidence_id):
        return self.files.open_download_stream(evidence_id).read()
