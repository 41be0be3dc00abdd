"""What a consumer checks before it lets a handler see an event (chassis.handlers)."""
import pytest

from chassis import events
from chassis.handlers import contract_of, refusal
from services.evaluation.contracts import EvaluationCompletedSchema
from tests.unit.test_asyncapi import samples


def completed(**changes):
    data = samples()["evaluation.completed"]
    return {**events.new_event("evaluation", "evaluation.completed", "products/1", data),
            **changes}


def check(event):
    return refusal(event, "evaluation", "evaluation.completed", EvaluationCompletedSchema)


def test_the_publishers_contract_is_found_once_at_set_up():
    assert contract_of("evaluation", "evaluation.completed") is EvaluationCompletedSchema


@pytest.mark.parametrize("service, event_type", [
    ("evaluation", "evaluation.invented"), ("nowhere", "product.submitted"),
    ("notification", "message.sent")])
def test_a_handler_for_an_event_without_a_contract_cannot_start(service, event_type):
    with pytest.raises(LookupError, match=f"{service} publishes no contract for {event_type}"):
        contract_of(service, event_type)


def test_a_genuine_event_passes_and_fields_added_later_are_tolerated():
    assert check(completed()) is None
    assert check(completed(data={**completed()["data"], "added_later": 1})) is None


def test_a_source_other_than_the_exchanges_publisher_is_refused():
    assert check(completed(source="/ocop/registration")) == (
        "source", "source '/ocop/registration' did not publish on evaluation.events")


def test_a_type_other_than_the_one_consumed_is_refused():
    check_name, reason = check(completed(type="vn.gov.ocop.evaluation.completed.v2"))
    assert check_name == "type" and "vn.gov.ocop.evaluation.completed.v1" in reason


@pytest.mark.parametrize("data", [
    None, "5 stars", {}, {**samples()["evaluation.completed"], "stars": "5"},
    {**samples()["evaluation.completed"], "recognised": "yes"}])
def test_data_that_breaks_the_contract_is_refused(data):
    check_name, reason = check(completed(data=data))
    assert check_name == "data" and "EvaluationCompletedSchema" in reason


def test_missing_data_is_refused():
    event = completed()
    del event["data"]
    assert check(event)[0] == "data"
