"""One product through the whole OCOP cycle, over HTTP and real RabbitMQ, with every
event checked as a CloudEvent."""
import re
import uuid

from cloudevents.core.formats.json import JSONFormat
from dateutil.relativedelta import relativedelta
from cloudevents.core.v1.event import CloudEvent

from tests.conftest import wait_until
from tests.e2e.journeys import council_of, criteria_set, lowered_picks, open_evaluation, \
    product_in_stage, recognise, recognition_of, registered, score, vietnam_today, \
    worst_picks

EXPECTED = ["product.submitted", "evaluation.opened", "evaluation.completed",
            "certificate.issued"]
# What the producer is told on the way: its dossier forwarded by the commune, then each step.
TOLD = ["dossier.forwarded"] + EXPECTED


def test_categories_are_the_26_criteria_sets(api):
    categories = api.get("/categories").json()
    assert [c["code"] for c in categories] == [f"{n:02d}" for n in range(1, 27)]
    rice = next(c for c in categories if c["code"] == "03")
    assert rice["name"]["vi"].startswith("Gạo, ngũ cốc")
    assert rice["name"]["en"] and rice["sector"]["code"] == "food"


def test_a_product_travels_the_whole_cycle(api, people, tap, councils):
    producer, owner, product = registered(api, people)
    assert product["stage"] == "registered"
    subject = f"products/{product['id']}"

    evaluation = open_evaluation(owner, product["id"])
    assert evaluation["status"] == "open" and evaluation["level"] == "province"
    product_in_stage(owner, product["id"], "under_evaluation")

    decided = score(people, evaluation, council_of(lowered_picks(criteria_set(api, "03"),
                                                                 drop=15)))
    assert decided["status"] == "completed"
    assert 70 <= decided["score"] < 90 and decided["stars"] == 4
    assert decided["result"]["recognised"] is True
    # The council proposes; until the province's chair recognises the result, no certificate.
    product_in_stage(owner, product["id"], "evaluated")
    assert api.get("/certificates", params={"product_id": product["id"]}).json() == []

    recognised = recognise(people, decided, reference="245/QĐ-UBND")
    certified = product_in_stage(owner, product["id"], "certified")
    assert certified["certificate_code"] == recognised["code"]
    assert certified["score"] == decided["score"] and certified["stars"] == 4
    code = certified["certificate_code"]
    assert re.fullmatch(r"OCOP-91-\d{4}-\d{5}", code)

    public = api.get(f"/certificates/{code}").json()
    assert public["status"] == "valid" and public["stars"] == 4
    assert public["product_name"] == "Gạo thơm Phú Tân"
    # The product code registration gave at the proposal travels to the certificate.
    assert re.fullmatch(r"91-30406-\d+-\d{4}", certified["product_code"])
    assert public["product_code"] == certified["product_code"]
    today = vietnam_today()
    assert public["issued_on"] == today.isoformat()
    assert public["expires_on"] == (today + relativedelta(months=36)).isoformat()
    assert public["recognition"] == {"reference": "245/QĐ-UBND", "date": today.isoformat()}

    inbox = wait_until(lambda: (lambda m: m if len(m) == len(TOLD) else None)(
        owner.get("/notifications", params={"recipient": f"producer:{producer['id']}"}).json()),
        what="the producer's notifications")
    assert sorted(m["event_type"] for m in inbox) == sorted(
        f"vn.gov.ocop.{n}.v1" for n in TOLD)
    assert any(code in m["text"]["vi"] and code in m["text"]["en"] for m in inbox)

    tap.wait_for("certificate.issued", subject)
    events = {key: tap.events(key, subject) for key in EXPECTED + [
        "dossier.submitted", "dossier.reviewed_by_commune", "dossier.forwarded"]}
    assert all(len(found) == 1 for found in events.values()), events
    for exchange, key, content_type, body in tap.collect():
        event = JSONFormat().read(CloudEvent, body)
        if event.get_subject() != subject:
            continue
        assert event.get_specversion() == "1.0"
        assert event.get_type() == f"vn.gov.ocop.{key}.v1"
        assert event.get_source() == f"/ocop/{EXPECTED_SOURCE[key]}"
        assert uuid.UUID(event.get_id())
        assert event.get_time().tzinfo is not None
    assert events["evaluation.completed"][0]["data"]["stars"] == 4
    issued = events["certificate.issued"][0]["data"]
    assert issued["code"] == code and issued["expires_on"] == public["expires_on"]
    assert issued["recognition_reference"] == "245/QĐ-UBND" and issued["level"] == "province"


EXPECTED_SOURCE = {"dossier.submitted": "registration", "dossier.reviewed_by_commune":
                   "registration", "dossier.forwarded": "registration",
                   "product.submitted": "registration", "evaluation.opened": "evaluation",
                   "evaluation.completed": "evaluation", "evaluation.sheet_submitted": "evaluation",
                   "certificate.issued": "certification"}


def test_every_message_is_a_structured_cloudevent_on_its_exchange(api, people, tap):
    producer, owner, product = registered(api, people)
    open_evaluation(owner, product["id"])
    tap.wait_for("evaluation.opened", f"products/{product['id']}")
    for exchange, routing_key, content_type, body in tap.collect():
        assert content_type == "application/cloudevents+json"
        event = JSONFormat().read(CloudEvent, body)
        assert exchange == f"{event.get_source().rsplit('/', 1)[-1]}.events"
        assert event.get_type() == f"vn.gov.ocop.{routing_key}.v1"
        assert len(body) < 64 * 1024


def test_below_three_stars_is_recorded_but_not_certified(api, people, tap, councils):
    producer, owner, product = registered(api, people, category="11", name="Trà sen")
    evaluation = open_evaluation(owner, product["id"])
    decided = score(people, evaluation, council_of(worst_picks(criteria_set(api, "11"))))
    assert decided["stars"] < 3 and decided["score"] < 50
    not_ranked = product_in_stage(owner, product["id"], "not_ranked")
    assert not_ranked["certificate_code"] is None
    completed = tap.wait_for("evaluation.completed", f"products/{product['id']}")
    assert completed["data"]["recognised"] is False
    refused = recognition_of(people.calling(["province_authority"], province="91"), decided,
                             {"reference": "1/QĐ-UBND", "date": vietnam_today().isoformat()})
    assert refused.status_code == 409 and "cannot be recognised" in refused.json()["detail"]
    assert api.get("/certificates", params={"product_id": product["id"]}).json() == []
