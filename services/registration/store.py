"""Registration's MongoDB repository: producers and products."""
from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from chassis import outbox
from chassis.events import timestamp
from services.registration.stages import Stage, allowed_from, target_of


def prepare(database):
    database.producers.create_index([("tax_code", ASCENDING)], unique=True)
    database.products.create_index([("producer_id", ASCENDING)])
    database.products.create_index([("stage", ASCENDING)])


class DuplicateProducer(Exception):
    pass


class RegistrationStore:
    def __init__(self, database):
        self.producers = database.producers
        self.products = database.products

    def add_producer(self, producer):
        try:
            self.producers.insert_one(producer)
        except DuplicateKeyError:
            raise DuplicateProducer(producer["tax_code"]) from None

    def producer(self, producer_id):
        return self.producers.find_one({"_id": producer_id})

    def add_product(self, product):
        self.products.insert_one(product)

    def product(self, product_id):
        return self.products.find_one({"_id": product_id}, {"outbox": 0})

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
