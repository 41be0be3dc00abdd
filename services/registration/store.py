"""Registration's MongoDB repository: producers, products and imports.

The lists (``chassis.pages``, newest first) and the index that serves each filter: a list
filtered on several fields is served by the index of the first of them in ``LISTED_BY``
(the others are checked on the documents that index finds); a list without filters by
``listed`` alone. Searches by name use the multikey index of the folded words of names
(``search_words``, kept on write, ``chassis.names``).
"""
from pymongo import ASCENDING
from pymongo.errors import BulkWriteError, DuplicateKeyError

from chassis import outbox, pages
from chassis.events import timestamp
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

    def move(self, product_id, move, changes=None, events=()):
        """Apply ``move`` only if the product's stage allows it, in one atomic write
        together with the events it causes. True if the product moved."""
        sources = [stage.value for stage in allowed_from(move)]
        change = {"$set": {"stage": target_of(move).value, "updated_at": timestamp(), **(changes or {})}}
        result = self.products.update_one(
            {"_id": product_id, "stage": {"$in": sources}}, outbox.update(change, events))
        return result.modified_count == 1

    def count_by_stage(self):
        counts = {stage.value: 0 for stage in Stage}
        for row in self.products.aggregate([{"$group": {"_id": "$stage", "n": {"$sum": 1}}}]):
            counts[row["_id"]] = row["n"]
        return counts
