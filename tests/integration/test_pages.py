"""Cursor pagination through the real driver: newest first, every document once, stable
while documents are inserted between pages, and a cursor this API did not give refused."""
import uuid

import pytest
from pymongo import MongoClient

from chassis.errors import InvalidInput
from chassis.events import utc_now
from chassis.pages import INDEXED, page, stamped


@pytest.fixture
def collection(mongo_uri):
    client = MongoClient(mongo_uri)
    collection = client[f"pages_{uuid.uuid4().hex[:8]}"].things
    collection.create_index([("kind", 1), *INDEXED])
    yield collection
    client.drop_database(collection.database.name)
    client.close()


def insert(collection, n, kind="a"):
    documents = [stamped({"_id": str(uuid.uuid4()), "kind": kind}) for _ in range(n)]
    collection.insert_many(documents)
    return documents


def test_pages_run_newest_first_and_stay_stable_under_inserts(collection):
    older = insert(collection, 7)
    insert(collection, 3, kind="b")
    first = page(collection, {"kind": "a"}, limit=3)
    newer = insert(collection, 2)  # arrives while the client pages: not seen, nothing shifts
    seen, cursor = [d["_id"] for d in first["items"]], first["next"]
    while cursor:
        following = page(collection, {"kind": "a"}, limit=3, cursor=cursor)
        seen += [d["_id"] for d in following["items"]]
        cursor = following["next"]
    expected = sorted(older, key=lambda d: (d["listed"], d["_id"]), reverse=True)
    assert seen == [d["_id"] for d in expected]
    assert page(collection, {"kind": "a"}, limit=2)["items"][0]["_id"] in {
        d["_id"] for d in newer}


def test_the_last_page_has_no_next(collection):
    insert(collection, 2)
    assert page(collection, {"kind": "a"}, limit=2)["next"] is None
    assert page(collection, {"kind": "a"}, limit=1)["next"] is not None


@pytest.mark.parametrize("cursor", ["nonsense", "bm90IGpzb24", "WzEsMl0", "WyJhIiwiYiJd"])
def test_a_cursor_not_given_by_the_api_is_refused_naming_it(collection, cursor):
    with pytest.raises(InvalidInput) as refused:
        page(collection, {}, cursor=cursor)
    assert refused.value.errors[0]["parameter"] == "cursor"


@pytest.mark.parametrize("limit", [0, 201, "5", True])
def test_a_limit_out_of_bounds_is_refused_naming_it(collection, limit):
    with pytest.raises(InvalidInput) as refused:
        page(collection, {}, limit=limit)
    assert refused.value.errors[0]["parameter"] == "limit"


def test_documents_created_in_the_same_microsecond_are_each_listed_once(collection):
    moment = utc_now()
    same = [stamped({"_id": str(uuid.uuid4()), "kind": "a"}, moment) for _ in range(5)]
    collection.insert_many(same)
    seen, cursor = [], None
    while True:
        current = page(collection, {"kind": "a"}, limit=2, cursor=cursor)
        seen += [d["_id"] for d in current["items"]]
        if not (cursor := current["next"]):
            break
    assert seen == sorted((d["_id"] for d in same), reverse=True)
