"""Notification's MongoDB repository.

- ``inbox``: one item per (event, recipient); list by ``(recipient, listed)``, unread
  count by ``(recipient, read)``.
- ``deliveries``: one per (event, recipient, channel) for what leaves the platform
  (e-mail, webhooks); the dispatcher claims due ones by ``(status, due)``; an endpoint's
  delivery log is listed by ``(endpoint_id, listed)``.
- ``endpoints``: agencies' webhook endpoints, listed by ``(owner, listed)``.
- ``contacts``: a recipient key's e-mail address and language.
- ``feed``: every event once, numbered in the order recorded (``_id``), unique by
  ``event``; ``counters`` hands out the numbers.
- ``products``: what events said of each product (province, producer, name), for events
  that do not repeat it.

Each item, delivery and feed entry has a deterministic unique key, so recording it is the
one write that claims it: a redelivered event, or the same event handled by two replicas,
finds the key taken and changes nothing.
"""
from pymongo import ASCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError

from chassis import outbox, pages

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


def prepare(database):
    database.inbox.create_index([("recipient", ASCENDING), *pages.INDEXED])
    database.inbox.create_index([("recipient", ASCENDING), ("read", ASCENDING)])
    database.deliveries.create_index([("status", ASCENDING), ("due", ASCENDING)])
    database.deliveries.create_index([("endpoint_id", ASCENDING), *pages.INDEXED])
    database.endpoints.create_index([("owner", ASCENDING), *pages.INDEXED])
    database.feed.create_index([("event", ASCENDING)], unique=True)


def insert_once(collection, document):
    """False when the document's key is taken: it was recorded before."""
    try:
        collection.insert_one(document)
    except DuplicateKeyError:
        return False
    return True


class NotificationStore:
    def __init__(self, database):
        self.inbox = database.inbox
        self.deliveries = database.deliveries
        self.endpoints = database.endpoints
        self.contacts = database.contacts
        self.feed = database.feed
        self.counters = database.counters
        self.products = database.products

    # Product directory ----------------------------------------------------------------
    def product_facts(self, product_id):
        found = self.products.find_one({"_id": product_id}, {"_id": 0}) if product_id else None
        return {product_id: found} if found else {}

    def learn_product(self, product_id, facts):
        self.products.update_one({"_id": product_id}, {"$set": facts}, upsert=True)

    # Feed --------------------------------------------------------------------------------
    def next_position(self):
        counter = self.counters.find_one_and_update(
            {"_id": "feed"}, {"$inc": {"last": 1}}, upsert=True,
            return_document=ReturnDocument.AFTER)
        return counter["last"]

    def record_in_feed(self, entry):
        return insert_once(self.feed, entry)

    def feed_after(self, position, settled_before, types, province, limit):
        query = {"_id": {"$gt": position}, "recorded": {"$lt": settled_before}}
        if types:
            query["type"] = {"$in": types}
        if province:
            query["province"] = province
        return list(self.feed.find(query).sort("_id", ASCENDING).limit(limit))

    # Inbox -------------------------------------------------------------------------------
    def deliver_to_inbox(self, item):
        return insert_once(self.inbox, item)

    def inbox_page(self, recipient, limit, cursor):
        return pages.page(self.inbox, {"recipient": recipient}, limit, cursor)

    def unread(self, recipient):
        return self.inbox.count_documents({"recipient": recipient, "read": False})

    def inbox_item(self, item_id):
        return self.inbox.find_one({"_id": item_id})

    def mark_read(self, item_id, at):
        return self.inbox.find_one_and_update(
            {"_id": item_id}, {"$set": {"read": True, "read_at": at}},
            return_document=ReturnDocument.AFTER)

    # Contacts ----------------------------------------------------------------------------
    def contact(self, recipient):
        return self.contacts.find_one({"_id": recipient})

    def set_contact(self, recipient, contact):
        self.contacts.replace_one({"_id": recipient}, {"_id": recipient, **contact},
                                  upsert=True)

    # Deliveries --------------------------------------------------------------------------
    def add_delivery(self, delivery):
        return insert_once(self.deliveries, delivery)

    def claim_due(self, now, lease_seconds):
        """One due delivery, leased to this worker for ``lease_seconds`` in one write: a
        second replica cannot claim it until the lease runs out."""
        return self.deliveries.find_one_and_update(
            {"status": PENDING, "due": {"$lte": now}, "lease_until": {"$lte": now}},
            {"$set": {"lease_until": now + lease_seconds}}, sort=[("due", ASCENDING)],
            projection={"outbox": 0}, return_document=ReturnDocument.AFTER)

    def record_attempt(self, delivery, change, events=()):
        """The attempt's outcome, if this worker's lease still holds."""
        return self.deliveries.update_one(
            {"_id": delivery["_id"], "lease_until": delivery["lease_until"]},
            outbox.update(change, list(events))).modified_count == 1

    def delivery_log(self, endpoint_id, limit, cursor):
        return pages.page(self.deliveries, {"endpoint_id": endpoint_id}, limit, cursor,
                          projection={"outbox": 0})

    def delivery(self, delivery_id):
        return self.deliveries.find_one({"_id": delivery_id}, {"outbox": 0})

    def replay(self, query, now):
        """Send the deliveries matching ``query`` again, from the start of the schedule."""
        return self.deliveries.update_many(query, {"$set": {
            "status": PENDING, "due": now, "lease_until": 0, "round_attempts": 0}}).modified_count

    # Endpoints ---------------------------------------------------------------------------
    def add_endpoint(self, endpoint):
        self.endpoints.insert_one(endpoint)

    def endpoint(self, endpoint_id):
        return self.endpoints.find_one({"_id": endpoint_id}, {"outbox": 0})

    def endpoints_of(self, owner):
        return list(self.endpoints.find({"owner": owner}, {"outbox": 0}).sort(pages.ORDER))

    def enabled_endpoints(self):
        return list(self.endpoints.find({"enabled": True}, {"outbox": 0}))

    def update_endpoint(self, endpoint_id, change):
        return self.endpoints.find_one_and_update(
            {"_id": endpoint_id}, change, projection={"outbox": 0},
            return_document=ReturnDocument.AFTER)

    def disable_endpoint(self, endpoint_id, change, events):
        """Once: an endpoint already disabled stays as it was, its event not repeated."""
        return self.endpoints.update_one({"_id": endpoint_id, "enabled": True},
                                         outbox.update(change, events)).modified_count == 1
