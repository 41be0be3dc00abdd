"""Certification's MongoDB repository.

At most one valid certificate per product is the store's rule, not only the code's: a valid
certificate carries ``valid_product_id`` — and only a valid one: the field is removed when it
is superseded, revoked or expires — under a unique sparse index, so a second valid
certificate of a product cannot be written, whoever writes it and however concurrently.
(The MongoDB stand-in has no partial indexes; a sparse unique index leaves out documents
without the field both there and in MongoDB.)"""
from pymongo import ASCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError

from chassis import outbox, pages
from services.certification.promotion import ACTIVE, REMOVED, WITHDRAWN
from services.certification.validity import EXPIRED, ISSUING, REVOKED, SUPERSEDED, VALID, \
    certificate_code

# Every change of what the public sees of a certificate counts one revision
# (``records.revision_of``); a change is made only from the revision it was decided on, so
# the revision its events carry is the one it makes.
NEXT_REVISION = {"$inc": {"revision": 1}}


def at_revision(revision):
    """Matches a certificate still at ``revision`` (at 0: also one written before revisions
    were counted, which has none)."""
    return {"revision": revision} if revision else {"revision": {"$in": [None, 0]}}


def prepare(database):
    database.certificates.create_index([("evaluation_id", ASCENDING)], unique=True)
    # A product's certificates (``listed``, also ``for_product``), newest first.
    database.certificates.create_index([("product_id", ASCENDING), *pages.INDEXED])
    database.certificates.create_index([("valid_product_id", ASCENDING)], unique=True,
                                       sparse=True)
    # The daily timer's query: valid certificates whose next milestone has come.
    database.certificates.create_index([("next_milestone_day", ASCENDING)], sparse=True)
    # The public list of certified products (``in_force``) and the list of certificates
    # (``listed``) without a product: one province's, or a commune's (its province is
    # matched too), on the first; the whole country's on the second. The other filters
    # (category, stars) and the state are checked on the documents the index walks, newest
    # first.
    database.certificates.create_index([("province_code", ASCENDING), *pages.INDEXED])
    database.certificates.create_index(pages.INDEXED)


class CertificationStore:
    def __init__(self, database):
        self.certificates = database.certificates
        self.results = database.results
        self.serials = database.serials

    # Results awaiting recognition ---------------------------------------------------------

    def keep_result(self, result):
        """Once: a redelivered result changes nothing."""
        try:
            self.results.insert_one(result)
        except DuplicateKeyError:
            pass

    def result(self, evaluation_id):
        return self.results.find_one({"_id": evaluation_id})

    def number_for(self, evaluation_id, authority, year):
        """The certificate number of the result: allocated once, kept on the result, so a
        recognition tried again after a crash issues under the same number."""
        result = self.result(evaluation_id)
        if result.get("code"):
            return result["code"]
        serial = self.serials.find_one_and_update(
            {"_id": f"{authority}-{year}"}, {"$inc": {"last": 1}}, upsert=True,
            return_document=ReturnDocument.AFTER)["last"]
        code = certificate_code(authority, year, serial)
        self.results.update_one({"_id": evaluation_id, "code": None}, {"$set": {"code": code}})
        return self.result(evaluation_id)["code"]

    # Certificates -------------------------------------------------------------------------

    def insert(self, certificate):
        """False if the evaluation already has its certificate (unique evaluation_id)."""
        try:
            self.certificates.insert_one(certificate)
        except DuplicateKeyError:
            return False
        return True

    def activate(self, code, product_id, next_milestone_day, events):
        """Make an issuing certificate the product's valid one. "done", "already" (it is no
        longer issuing: a retry), or "taken" (the product has another valid certificate)."""
        try:
            changed = self.certificates.update_one(
                {"_id": code, "state": ISSUING},
                outbox.update({"$set": {"state": VALID, "valid_product_id": product_id,
                                        "next_milestone_day": next_milestone_day},
                               **NEXT_REVISION}, events))
        except DuplicateKeyError:
            return "taken"
        return "done" if changed.modified_count else "already"

    def valid_for_product(self, product_id):
        return self.certificates.find_one({"valid_product_id": product_id}, {"outbox": 0})

    def end(self, code, revision, state, changes, events, condition=None):
        """End a valid certificate's validity (superseded, revoked or expired), once, from
        ``revision``: False if it was no longer valid or had changed meanwhile."""
        changed = self.certificates.update_one(
            {"_id": code, "state": VALID, **at_revision(revision), **(condition or {})},
            outbox.update({"$set": {"state": state, **changes},
                           "$unset": {"valid_product_id": "", "next_milestone_day": ""},
                           **NEXT_REVISION}, events))
        return changed.modified_count == 1

    def supersede(self, code, revision, changes, events):
        return self.end(code, revision, SUPERSEDED, changes, events)

    def revoke(self, code, revision, changes, events):
        return self.end(code, revision, REVOKED, changes, events)

    def expire(self, code, revision, claimed_on, events):
        """The ``expired`` milestone and the end of validity in one write, once."""
        return self.end(code, revision, EXPIRED, {"milestones.expired": claimed_on}, events,
                        {"milestones.expired": {"$exists": False}})

    def claim_milestone(self, code, milestone, claimed_on, events):
        """The milestone announced once: the claim and its event in one write, refused to
        every other process or run that got there first."""
        changed = self.certificates.update_one(
            {"_id": code, "state": VALID, f"milestones.{milestone}": {"$exists": False}},
            outbox.update({"$set": {f"milestones.{milestone}": claimed_on}}, events))
        return changed.modified_count == 1

    def reschedule(self, code, next_milestone_day):
        """When the next milestone falls (None: no more), for the timer's query."""
        change = {"$set": {"next_milestone_day": next_milestone_day}} \
            if next_milestone_day is not None else {"$unset": {"next_milestone_day": ""}}
        self.certificates.update_one({"_id": code, "state": VALID}, change)

    def with_milestones_due(self, day):
        return list(self.certificates.find({"next_milestone_day": {"$lte": day}},
                                           {"outbox": 0}))

    def record_re_rating(self, code, revision, re_rating, events, condition):
        """The certificate's re-rating becomes ``re_rating``, from ``revision`` and where
        ``condition`` still holds: False if the certificate had changed meanwhile."""
        changed = self.certificates.update_one(
            {"_id": code, **at_revision(revision), **condition},
            outbox.update({"$set": {"re_rating": re_rating}, **NEXT_REVISION}, events))
        return changed.modified_count == 1

    def re_rated_by(self, evaluation_id):
        return self.certificates.find_one({"re_rating.evaluation_id": evaluation_id},
                                          {"outbox": 0})

    def for_evaluation(self, evaluation_id):
        return self.certificates.find_one({"evaluation_id": evaluation_id}, {"outbox": 0})

    def for_product(self, product_id):
        return list(self.certificates.find({"product_id": product_id}, {"outbox": 0})
                    .sort("issued_at", -1))

    def get(self, code):
        return self.certificates.find_one({"_id": code}, {"outbox": 0})

    def listed(self, filters, states, limit, cursor):
        """A page of the certificates matching ``filters`` stored in one of ``states``,
        newest first."""
        return pages.page(self.certificates, {**filters, "state": {"$in": list(states)}},
                          limit, cursor, projection={"outbox": 0})

    def public(self, limit, after=None):
        """A page of every issued certificate, newest first: the public records in bulk.
        ``after`` is where the previous page ended: the ``listed`` of its last certificate
        and the numbers of those it gave with that ``listed``. Only a range of ``listed``
        is queried, which its index serves in either store (a cursor on ``(listed, _id)``
        makes the stand-in scan)."""
        issued = {"state": {"$ne": ISSUING}}
        listed, given = after if after else (None, [])
        query = {**issued, "listed": {"$lte": listed}} if listed is not None else issued
        found = list(self.certificates.find(query, {"outbox": 0}).sort(pages.ORDER)
                     .limit(limit + len(given)))
        items = [c for c in found if not (c["listed"] == listed and c["_id"] in given)][:limit]
        if len(found) < limit + len(given) or not items:
            return {"items": items, "next": None}
        last = items[-1]["listed"]
        return {"items": items, "next": [last, [c["_id"] for c in items if c["listed"] == last]
                                         + (given if last == listed else [])]}

    def in_force(self, filters, limit, cursor):
        """A page of the valid certificates matching ``filters``, newest first."""
        return pages.page(self.certificates, {**filters, "state": VALID},
                          limit, cursor, projection={"outbox": 0})


# Trade promotion (``promotion``, ``trade``) --------------------------------------------------

def prepare_promotion(database):
    # The public lists of points of sale and fairs: all, or one province's, newest first.
    for collection in (database.points_of_sale, database.fairs):
        collection.create_index([("province_code", ASCENDING), *pages.INDEXED])
        collection.create_index(pages.INDEXED)
    # A place's products, a product's places, and the products sold in a province or on a
    # platform (the public list's filters). Single scalar fields: the MongoDB stand-in
    # cannot match array elements through an index.
    for field in ("place_id", "product_id", "province_code", "platform_key"):
        database.placements.create_index([(field, ASCENDING)])


class PromotionStore(CertificationStore):
    """Certification's store with the collections of trade promotion: ``points_of_sale``
    and ``fairs`` (the places), ``placements`` (one document per product and place it is
    promoted at, ``promotion.placement_id``) and ``withdrawals`` (one per certificate whose
    end withdrew its product: the withdrawal's record and its event)."""

    def __init__(self, database):
        super().__init__(database)
        self.points_of_sale = database.points_of_sale
        self.fairs = database.fairs
        self.placements = database.placements
        self.withdrawals = database.withdrawals

    # The places ---------------------------------------------------------------------------

    def insert_point_of_sale(self, point_of_sale, events):
        outbox.insert_new(self.points_of_sale, point_of_sale, events)

    def insert_fair(self, fair):
        self.fairs.insert_one(fair)

    def place(self, collection, place_id):
        """A point of sale or fair (``collection``: ``points_of_sale`` or ``fairs``)."""
        return getattr(self, collection).find_one({"_id": place_id}, {"outbox": 0})

    def page_of(self, collection, filters, limit, cursor):
        return pages.page(getattr(self, collection), filters, limit, cursor,
                          projection={"outbox": 0})

    # Placements ---------------------------------------------------------------------------

    def promote(self, placement, events):
        """Promote a product at a place, with its events: True, or False when it is
        promoted there already (nothing written)."""
        if outbox.insert_new(self.placements, placement, events):
            return True
        changes = {k: v for k, v in placement.items() if k != "_id"}
        again = self.placements.update_one(
            {"_id": placement["_id"], "state": {"$in": [REMOVED, WITHDRAWN]}},
            outbox.update({"$set": changes, "$unset": {"withdrawn_by": ""}}, events))
        return again.modified_count == 1

    def take_off(self, placement_id, events):
        """An active placement ended by the office or the producer, with its events, once:
        False when it was not active."""
        changed = self.placements.update_one(
            {"_id": placement_id, "state": ACTIVE},
            outbox.update({"$set": {"state": REMOVED}}, events))
        return changed.modified_count == 1

    def withdraw_placement(self, placement_id, code):
        """Withdrawn with certificate ``code``, once; the withdrawal's event says so."""
        self.placements.update_one({"_id": placement_id, "state": ACTIVE},
                                   {"$set": {"state": WITHDRAWN, "withdrawn_by": code}})

    def placement(self, placement_id):
        return self.placements.find_one({"_id": placement_id}, {"outbox": 0})

    def placements_of(self, product_id):
        return list(self.placements.find({"product_id": product_id}, {"outbox": 0})
                    .sort("since", 1))

    def active_at(self, place_id):
        return list(self.placements.find({"place_id": place_id, "state": ACTIVE},
                                         {"outbox": 0}).sort("since", 1))

    def products_promoted(self, match):
        """The ids of the products actively promoted at the placements ``match`` names."""
        return {p["product_id"] for p in self.placements.find(
            {**match, "state": ACTIVE}, {"product_id": 1})}

    # Withdrawals --------------------------------------------------------------------------

    def record_withdrawal(self, withdrawal, events):
        """Once per certificate: False when another delivery or process recorded it."""
        return outbox.insert_new(self.withdrawals, withdrawal, events)
