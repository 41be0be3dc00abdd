"""Evaluation's use cases."""
import uuid

from chassis.errors import Conflict, NotFound
from chassis.events import new_event, timestamp
from chassis.outbox import resource
from services.evaluation import scoring
from services.evaluation.catalogue import RULE_VERSION

SERVICE = "evaluation"
PROVINCE = "province"


def evaluation_id_for(event):
    """Deterministic, so a redelivered submission opens nothing new."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{event['source']}/{event['id']}"))


def summary(evaluation):
    keys = ("product_id", "producer_id", "name", "producer_name", "category",
            "province_code", "level")
    return {"evaluation_id": evaluation["_id"], **{k: evaluation[k] for k in keys}}


def open_for_submission(store, event):
    data = event["data"]
    evaluation = {
        "_id": evaluation_id_for(event), "product_id": data["product_id"],
        "producer_id": data["producer_id"], "name": data["name"],
        "producer_name": data["producer_name"], "category": data["category"],
        "province_code": data["province_code"], "level": PROVINCE, "status": "open",
        "rule_version": RULE_VERSION, "sheets": {}, "score": None, "stars": None,
        "opened_at": timestamp(), "completed_at": None}
    opened = new_event(SERVICE, "evaluation.opened", f"products/{data['product_id']}",
                       summary(evaluation))
    store.open(evaluation, [opened])


def evaluation_or_404(store, evaluation_id):
    evaluation = store.get(evaluation_id)
    if evaluation is None:
        raise NotFound(f"Không có phiên đánh giá {evaluation_id}",
                       f"No evaluation {evaluation_id}")
    return evaluation


def refuse_closed(evaluation):
    if evaluation["status"] != "open":
        raise Conflict("Phiên đánh giá đã kết thúc", "The evaluation is closed")


def record_sheet(store, evaluation_id, sheet):
    member = sheet.pop("member")
    entry = {**sheet, "total": scoring.sheet_total(sheet), "submitted_at": timestamp()}
    if not store.add_sheet(evaluation_id, member, entry):
        evaluation = evaluation_or_404(store, evaluation_id)
        refuse_closed(evaluation)
        raise Conflict(f"Thành viên {member} đã nộp phiếu chấm",
                       f"Member {member} has already submitted a sheet")
    return resource(store.get(evaluation_id))


def decide(store, evaluation_id):
    """Close the evaluation: the council's score, its stars, and whether recognised."""
    evaluation = evaluation_or_404(store, evaluation_id)
    refuse_closed(evaluation)
    if not evaluation["sheets"]:
        raise Conflict("Chưa có phiếu chấm nào", "No score sheet has been submitted")
    score = scoring.council_score([s["total"] for s in evaluation["sheets"].values()])
    stars = scoring.stars_for(score)
    result = {"score": score, "stars": stars, "completed_at": timestamp()}
    completed = new_event(SERVICE, "evaluation.completed",
                          f"products/{evaluation['product_id']}", {
                              **summary(evaluation), "score": score, "stars": stars,
                              "recognised": scoring.is_recognised(stars),
                              "rule_version": evaluation["rule_version"]})
    if not store.complete(evaluation_id, result, [completed]):
        refuse_closed(evaluation_or_404(store, evaluation_id))
    return resource(store.get(evaluation_id))
