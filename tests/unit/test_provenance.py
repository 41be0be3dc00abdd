"""Certification issues a certificate only for a result the evaluation service confirms."""
import pytest

from chassis.errors import Conflict
from services.certification.provenance import check_closed_as_announced

WHAT = {"product_id": "p-1", "producer_id": "h-1", "name": "Gạo thơm Phú Tân",
        "producer_name": "HTX Phú Tân", "category": "03", "province_code": "91",
        "rule_version": "26/2026"}
ANNOUNCED = {"evaluation_id": "e-1", **WHAT, "score": 85.33, "stars": 4, "level": "province",
             "recognised": True, "capped_by": []}
CLOSED = {"evaluation_id": "e-1", "status": "completed", **WHAT, "score": 85.33, "stars": 4,
          "level": "province", "recognised": True}


def test_a_result_closed_as_announced_passes():
    check_closed_as_announced(ANNOUNCED, CLOSED)
    check_closed_as_announced(ANNOUNCED, {**CLOSED, "score": 85.33, "extra": "ignored"})


def test_an_evaluation_that_never_existed_is_refused():
    with pytest.raises(Conflict, match="No evaluation e-1 exists"):
        check_closed_as_announced(ANNOUNCED, None)


@pytest.mark.parametrize("status", ["open", "returned", "rejected", "forwarded"])
def test_an_evaluation_not_completed_is_refused(status):
    with pytest.raises(Conflict, match=f"not completed \\({status}\\)"):
        check_closed_as_announced(ANNOUNCED, {**CLOSED, "status": status, "stars": None,
                                              "level": None, "recognised": None})


@pytest.mark.parametrize("field, recorded", [
    ("stars", 3), ("score", 85.34), ("level", "central"), ("recognised", False),
    ("product_id", "p-2"), ("producer_id", "h-2"), ("name", "Gạo giả"),
    ("producer_name", "HTX khác"), ("category", "04"), ("province_code", "01"),
    ("rule_version", "148/2023")])
def test_a_result_that_differs_from_the_record_is_refused(field, recorded):
    with pytest.raises(Conflict) as refused:
        check_closed_as_announced(ANNOUNCED, {**CLOSED, field: recorded})
    assert f"{field} differ" in str(refused.value)


def test_several_differences_are_all_named():
    with pytest.raises(Conflict, match="score, stars differ"):
        check_closed_as_announced({**ANNOUNCED, "stars": 5, "score": 95.0}, CLOSED)

