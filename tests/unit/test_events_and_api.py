import uuid
from datetime import datetime

from openapi_spec_validator import validate

from chassis import events
from gateway import openapi, service  # noqa: F401  (declares the operations)


def test_new_event_is_a_cloudevent_envelope():
    event = events.new_event("registration", "product.submitted", "products/7", {"a": 1})
    assert event["specversion"] == "1.0" and uuid.UUID(event["id"])
    assert event["source"] == "/ocop/registration"
    assert event["type"] == "vn.gov.ocop.product.submitted.v1"
    assert event["datacontenttype"] == "application/json"
    assert event["time"].endswith("Z") and datetime.fromisoformat(event["time"])
    assert events.routing_key(event) == "product.submitted"
    assert events.service_of(event) == "registration"
    assert events.decode(events.encode(event)) == event


def test_timestamps_sort_in_time_order_as_text():
    earlier = events.rfc3339(datetime(2026, 1, 2, 3, 4, 5, 6).astimezone())
    later = events.rfc3339(datetime(2026, 1, 2, 3, 4, 5, 7).astimezone())
    assert earlier < later and len(earlier) == len(later)


def test_openapi_document_is_valid_3_1_and_covers_every_operation():
    document = openapi.document("http://127.0.0.1:8000")
    validate(document)
    assert document["openapi"] == "3.1.0"
    paths = document["paths"]
    assert set(paths["/api/v1/producers"]) == {"get", "post"}
    listed = paths["/api/v1/producers"]["get"]
    assert {p.get("name") for p in listed["parameters"]} >= {"province", "name", "limit", "cursor"}
    assert "Link" in listed["responses"]["200"]["headers"]
    post = paths["/api/v1/producers"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/NewProducer"}
    assert "422" in post["responses"]
    assert paths["/api/v1/certificates/{code}"]["get"]["security"] == []
    kinds = document["components"]["schemas"]["NewProducer"]["properties"]["kind"]
    assert set(kinds["enum"]) >= {"cooperative", "production_household", "operating_centre"}


def test_every_schema_of_the_openapi_document_has_a_name_of_its_own(recwarn):
    """apispec names a schema after its class and, when two classes share a name, calls the
    second ``<name>1`` with a warning: a client would get a type named ``Plan1``."""
    openapi.document.cache_clear()
    names = set(openapi.document("http://127.0.0.1:8000")["components"]["schemas"])
    assert not [str(w.message) for w in recwarn if "Multiple schemas" in str(w.message)]
    assert {"Plan", "ProvincePlan", "ProvincePlanView"} <= names
