"""Notification's MongoDB repository: the producers' in-app inbox."""
from pymongo import ASCENDING, DESCENDING
from pymongo.errors import DuplicateKeyError


def prepare(database):
    database.inbox.create_index([("producer_id", ASCENDING), ("created_at", DESCENDING)])


class NotificationStore:
    def __init__(self, database):
        self.inbox = database.inbox

    def deliver(self, message):
        """Once per event: the message id is derived from the event's identity."""
        try:
            self.inbox.insert_one(message)
        except DuplicateKeyError:
            pass

    def for_producer(self, producer_id, limit):
        return list(self.inbox.find({"producer_id": producer_id})
                    .sort("created_at", DESCENDING).limit(limit))
