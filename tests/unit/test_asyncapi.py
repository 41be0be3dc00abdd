"""The event catalogue (docs/asyncapi.yaml, docs/events.md) agrees with the contracts
(services/*/contracts.py) and with the services' event handlers. No broker needed."""
import copy
import importlib
import uuid
from datetime import date, datetime

import jsonschema
import pytest
import yaml
from marshmallow import ValidationError

from chassis import events
from chassis.contracts import ContractViolation, EventDataSchema, validated
from chassis.handlers import dead_letter_queue, retry_queue
from scripts import asyncapi
from services.certification import milestones, renewal, revocation, validity, workflow
from services.evaluation import rounds, scoring
from services.evaluation.catalogue import RULE_VERSION
from services.registration import product_codes

PUBLISHERS = ("registration", "evaluation", "certification")


@pytest.fixture(scope="module")
def published():
    return asyncapi.published_events()


@pytest.fixture(scope="module")
def consumers():
    return asyncapi.consumers()


@pytest.fixture(scope="module")
def document(published, consumers):
    return asyncapi.build(published, consumers)


def resolve(document, ref):
    assert ref.startswith("#/"), ref
    node = document
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return resolve(document, node["$ref"]) if set(node) == {"$ref"} else node


# The committed files --------------------------------------------------------------------

def test_committed_files_are_the_generated_ones(document):
    for path, text in asyncapi.outputs(document).items():
        assert path.read_text(encoding="utf-8") == text, (
            f"{path.relative_to(asyncapi.ROOT)} is stale: run `python -m scripts.asyncapi`")


def test_generation_is_deterministic(published, consumers):
    first = asyncapi.render(asyncapi.build(published, consumers))
    assert asyncapi.render(asyncapi.build(published, consumers)) == first
    assert yaml.safe_load(first)["asyncapi"] == "3.0.0"


def test_check_reports_a_stale_file(tmp_path, monkeypatch, capsys, document):
    stale = tmp_path / "asyncapi.yaml"
    stale.write_text(asyncapi.render(document).replace("durable: true", "durable: false", 1))
    events_md = tmp_path / "events.md"
    events_md.write_text(asyncapi.EVENTS_MD.read_text(encoding="utf-8"))
    monkeypatch.setattr(asyncapi, "ASYNCAPI", stale)
    monkeypatch.setattr(asyncapi, "EVENTS_MD", events_md)
    before = stale.read_text()
    assert asyncapi.main(["--check"]) == 1
    assert stale.read_text() == before  # --check never writes
    assert "-          durable: false" in capsys.readouterr().out


# Publishers ------------------------------------------------------------------------------

def test_the_generator_finds_every_published_dict(published):
    expected = []
    for service in PUBLISHERS:
        module = importlib.import_module(f"services.{service}.contracts")
        assert module.PUBLISHED, f"services/{service}/contracts.py publishes nothing"
        expected += [(service, name, schema) for name, schema in module.PUBLISHED.items()]
    found = [(e.service, e.name, e.schema) for e in published]
    assert set(expected) <= set(found)
    assert {"product.submitted", "evaluation.opened", "evaluation.completed",
            "certificate.issued"} <= {e.name for e in published}


def test_every_contract_is_documented_and_tolerant(published):
    for event in published:
        assert issubclass(event.schema, EventDataSchema), event.schema
        assert event.summary and not event.summary.endswith(":"), event.schema
        for name, field in event.schema().fields.items():
            assert field.metadata.get("description"), f"{event.schema.__name__}.{name}"


def test_every_published_event_has_a_channel_a_message_and_a_send(document, published):
    channels, operations = document["channels"], document["operations"]
    messages = document["components"]["messages"]
    for event in published:
        channel = channels[event.name]
        assert channel["address"] == event.name
        amqp = channel["bindings"]["amqp"]
        assert amqp["is"] == "routingKey"
        assert amqp["exchange"] == {"name": f"{event.service}.events", "type": "topic",
                                    "durable": True, "autoDelete": False, "vhost": "/"}
        message = resolve(document, channel["messages"][event.name]["$ref"])
        assert message is messages[event.name]
        assert message["contentType"] == "application/cloudevents+json"
        payload = message["payload"]
        sample = events.new_event(event.service, event.name, "products/1", {})
        assert payload["required"] == list(sample)
        assert payload["properties"]["source"]["const"] == f"/ocop/{event.service}"
        assert payload["properties"]["type"]["const"] == f"vn.gov.ocop.{event.name}.v1"
        assert payload["properties"]["time"]["format"] == "date-time"
        data = resolve(document, payload["properties"]["data"]["$ref"])
        required = {n for n, f in event.schema().fields.items() if f.required}
        assert set(data["required"]) == required
        assert set(data["properties"]) == set(event.schema().fields)
        assert data["additionalProperties"] is True
        send = operations[f"{event.service}.send.{event.name}"]
        assert send["action"] == "send"
        assert resolve(document, send["channel"]["$ref"]) is channel
        assert [resolve(document, m["$ref"]) for m in send["messages"]] == [message]


def test_events_md_lists_every_published_event(published):
    text = asyncapi.EVENTS_MD.read_text(encoding="utf-8")
    generated = text.split(asyncapi.BEGIN, 1)[1].split(asyncapi.END, 1)[0]
    for event in published:
        assert f"### `{event.name}`" in generated
        assert f"`{event.type}`" in generated
        for field in event.schema().fields:
            assert f"| `{field}` |" in generated


# Consumers -------------------------------------------------------------------------------

def test_consumers_are_discovered_from_the_nameko_services(consumers):
    by_id = {c.operation_id: c for c in consumers}
    # The queue name the integration tests and the dead-letter tooling rely on.
    assert by_id["certification.on_evaluation_completed"].queue == (
        "evt-evaluation-evaluation.completed--certification.on_evaluation_completed")
    assert by_id["evaluation.on_product_submitted"].source == "registration"
    assert {c.service for c in consumers} >= {"registration", "evaluation", "certification",
                                              "notification"}


def test_every_consumed_event_has_a_contract(published, consumers):
    assert asyncapi.unmatched(published, consumers) == []


def test_every_consumer_has_a_receive_operation_on_an_existing_channel(document, published,
                                                                        consumers):
    declared = {(e.service, e.name) for e in published}
    for consumer in consumers:
        if (consumer.source, consumer.event) not in declared:
            continue  # test_every_consumed_event_has_a_contract names it
        operation = document["operations"][consumer.operation_id]
        assert operation["action"] == "receive"
        channel = resolve(document, operation["channel"]["$ref"])
        assert channel["address"] == consumer.queue
        assert channel["bindings"]["amqp"]["is"] == "queue"
        assert channel["bindings"]["amqp"]["queue"]["name"] == consumer.queue
        assert channel["bindings"]["amqp"]["queue"]["durable"] is True
        bound = channel["x-ocop-bound-to"]
        assert bound == {"exchange": f"{consumer.source}.events",
                         "routingKey": consumer.event, "channel": consumer.event}
        assert document["channels"][bound["channel"]]["address"] == consumer.event
        [message] = [resolve(document, m["$ref"]) for m in operation["messages"]]
        assert message is document["components"]["messages"][consumer.event]
        redelivery = channel["x-ocop-redelivery"]
        assert redelivery["retryQueue"] == retry_queue(consumer.service, consumer.queue).name
        assert redelivery["deadLetterQueue"] == dead_letter_queue(consumer.service).name
        assert f"dlq.{consumer.service}" in channel["description"]


# Sample data, built the way the workflows build it, against each contract -----------------

def samples():
    product_id, producer_id = str(uuid.uuid4()), str(uuid.uuid4())
    submitted = {"product_id": product_id, "producer_id": producer_id,
                 "producer_name": "HTX Phú Tân", "name": "Gạo thơm Phú Tân",
                 "category": "03", "province_code": "91", "kind": "first",
                 "proposed_on": "2026-03-02", "commune_code": "30406",
                 "product_code": product_codes.product_code(7, "91", "30406", 2026)}
    where = {"producer_id": producer_id, "province_code": "91", "commune_code": "30406"}
    idea = {**where, "idea_id": str(uuid.uuid4())}
    plan = {**idea, "plan_id": str(uuid.uuid4())}
    dossier = {**where, "product_id": product_id,
               "form_number": product_codes.form_number(12, "91", "30406", 2026)}
    submitted_event = events.new_event("registration", "product.submitted",
                                       f"products/{product_id}", submitted)
    evaluation_id = str(uuid.uuid5(uuid.NAMESPACE_URL,
                                   f"{submitted_event['source']}/{submitted_event['id']}"))
    round_ = rounds.round_for("province", datetime(2026, 3, 2).date())
    summary = {"evaluation_id": evaluation_id, **{k: submitted[k] for k in (
        "product_id", "producer_id", "name", "producer_name", "category", "province_code",
        "kind")}, "level": "province", "round_id": round_.id}
    score = scoring.council_score([80, 72, 75])
    stars = scoring.stars_for(score)
    completed = {**summary, "score": score, "stars": stars,
                 "recognised": scoring.is_recognised(stars), "level": "province",
                 "rule_version": RULE_VERSION, "category": "03", "capped_by": []}
    review = {"member": "advisor-1", "review_kind": "completion", "note": "Thiếu giấy ATTP"}
    certificate = {
        "_id": validity.certificate_code("91", 2026, 37), "evaluation_id": evaluation_id,
        "product_id": product_id, "product_code": None, "producer_id": producer_id,
        "province_code": "91", "category": "03", "stars": stars, "score": score,
        "level": "province", "rule_version": RULE_VERSION,
        "recognition": {"reference": "1234/QĐ-UBND", "date": "2026-03-02", "by": "chair"},
        "issued_on": "2026-03-02", "expires_on": "2029-03-02",
        "issued_at": "2026-03-02T08:15:30.120000Z", "re_rating": None, "milestones": {}}
    issued = workflow.issued(certificate)["data"]
    revoked = workflow.make_event("certificate.revoked", "products/x", {
        **workflow.about(certificate, 2), **revocation.decision(
            {"ground": "mark_misused", "finding_reference": "12/KL-QLTT",
             "finding_date": date(2027, 5, 3)}, date(2027, 5, 20)),
        "revoked_at": "2027-05-20T03:00:00.000000Z"})["data"]
    return {
        "idea.submitted": {**idea, "title": "Gạo thơm hữu cơ"},
        "idea.accepted": idea,
        "idea.returned": {**idea, "reasons": ["Chưa rõ nguồn nguyên liệu"]},
        "plan.submitted": {**plan, "title": "Phương án sản xuất gạo 2027"},
        "plan.accepted": plan,
        "plan.returned": {**plan, "reasons": ["Thiếu kế hoạch tài chính"]},
        "plan.supported": {**plan, "kind": "credit", "given_on": "2026-11-30",
                           "amount_vnd": 300_000_000},
        "dossier.submitted": {**dossier, "category": "03", "kind": "first",
                              "received_on": "2026-02-06", "deadline_on": "2026-03-06"},
        "dossier.returned": {**dossier, "by_level": "commune", "reasons": ["Thiếu Mẫu 02"]},
        "dossier.reviewed_by_commune": {**dossier, "samples": 5},
        "dossier.forwarded": {**dossier, "forwarded_on": "2026-03-02"},
        "product.submitted": submitted,
        "evaluation.opened": summary,
        "evaluation.review_requested": {**summary, "review_id": str(uuid.uuid4()), **review},
        "evaluation.sheet_submitted": {"evaluation_id": evaluation_id,
                                       "product_id": product_id, "member": "chair",
                                       "total": 80},
        "evaluation.rejected": {**summary, "score": 41.5, "reason": {
            "codes": ["dossier"], "vi": "Hồ sơ giả mạo", "en": "Forged dossier"}},
        "evaluation.forwarded": {**summary, "score": 93.0, "stars": 5, "to_level": "central"},
        "evaluation.completed": completed,
        "certificate.issued": issued,
        "certificate.superseded": {
            **workflow.about({**certificate, "_id": validity.certificate_code("TW", 2025, 12)},
                             3),
            "superseded_by": issued["code"], "superseded_at": issued["issued_at"]},
        "certificate.revoked": revoked,
        "certificate.re_rating_recorded": {
            **workflow.about(certificate, 2), **renewal.re_rating(
                str(uuid.uuid4()), date(2029, 3, 2), date(2028, 12, 1)),
            "valid_until": "2029-08-29"},
        **{f"certificate.{m}": workflow.milestone_event(certificate, m)["data"]
           for m in milestones.MILESTONES},
    }


def contract(published, name):
    [event] = [e for e in published if e.name == name]
    return event


@pytest.mark.parametrize("name", sorted(samples()))
def test_sample_data_validates_against_its_contract(published, document, name):
    event = contract(published, name)
    data = samples()[name]
    assert validated(event.schema, data) is data
    # ... and the whole envelope against the generated JSON Schema of the message.
    payload = copy.deepcopy(document["components"]["messages"][name]["payload"])
    payload["properties"]["data"] = resolve(document, payload["properties"]["data"]["$ref"])
    aggregate = name.split(".")[0] if name.split(".")[0] in ("idea", "plan") else "product"
    envelope = events.new_event(event.service, name, f"{aggregate}s/{uuid.uuid4()}", data)
    jsonschema.Draft7Validator(payload, format_checker=jsonschema.FormatChecker()).validate(
        events.decode(events.encode(envelope)))


@pytest.mark.parametrize("name, change, field", [
    ("product.submitted", {"province_code": None}, "province_code"),
    ("evaluation.opened", {"level": "district"}, "level"),
    ("evaluation.opened", {"round_id": "2026-1"}, "round_id"),
    ("evaluation.review_requested", {"review_kind": "first"}, "review_kind"),
    ("evaluation.rejected", {"reason": "forged"}, "reason"),
    ("evaluation.forwarded", {"to_level": "province"}, "to_level"),
    ("evaluation.completed", {"stars": "4"}, "stars"),
    ("evaluation.completed", {"stars": 6}, "stars"),
    ("evaluation.completed", {"recognised": "yes"}, "recognised"),
    ("evaluation.completed", {"score": "72.5"}, "score"),
    ("evaluation.completed", {"score": 100.5}, "score"),
    ("certificate.issued", {"issued_at": "2026-03-02 08:15"}, "issued_at"),
    ("certificate.issued", {"code": "91-37"}, "code"),
    ("certificate.issued", {"surprise": 1}, "surprise"),
    ("certificate.superseded", {"superseded_by": None}, "superseded_by"),
    ("certificate.issued", {"expires_on": "2029-03-02T00:00:00Z"}, "expires_on"),
    ("certificate.revoked", {"ground": "a"}, "ground"),
    ("certificate.expiring", {"milestone_on": None}, "milestone_on"),
])
def test_a_contract_violation_is_refused_before_publishing(published, name, change, field):
    event = contract(published, name)
    with pytest.raises(ContractViolation) as raised:
        validated(event.schema, {**samples()[name], **change})
    assert field in raised.value.messages
    assert isinstance(raised.value, ValidationError)  # permanent: dead-lettered, not retried
    assert event.schema.__name__ in str(raised.value)


def test_a_missing_field_and_non_json_data_are_refused(published):
    event = contract(published, "product.submitted")
    data = samples()["product.submitted"]
    with pytest.raises(ContractViolation):
        validated(event.schema, {k: v for k, v in data.items() if k != "name"})
    with pytest.raises(ContractViolation):
        validated(event.schema, {**data, "name": datetime.now()})


def test_consumers_tolerate_fields_added_by_a_compatible_change(published):
    for name, data in samples().items():
        loaded = contract(published, name).schema().load({**data, "added_later": True})
        assert loaded["added_later"] is True
