"""A certificate certifies a result the evaluation service itself recorded: the event that
announced it is only what the authority is shown. Before issuing, certification reads how
the evaluation was closed and refuses (409) a result that does not match it — an
evaluation that never existed, one not completed (also one handed back to a province that
evaluates it again), or one closed with other stars, score or level, or about another
product, producer, name, category, province or rule version."""
from chassis.errors import Conflict

COMPLETED = "completed"
# Everything a certificate is made of, so that none of it is the event's word alone.
COMPARED = ("product_id", "producer_id", "name", "producer_name", "category", "province_code",
            "rule_version", "score", "stars", "level", "recognised")


def check_closed_as_announced(announced, closing):
    """``announced``: the data of ``evaluation.completed``; ``closing``: the evaluation's
    own record of how it was closed (``evaluation.closing``), None if it has none."""
    evaluation_id = announced["evaluation_id"]
    if closing is None:
        raise Conflict(f"Không có phiên đánh giá {evaluation_id}",
                       f"No evaluation {evaluation_id} exists")
    if closing["status"] != COMPLETED:
        raise Conflict(
            f"Phiên đánh giá {evaluation_id} chưa hoàn thành ({closing['status']})",
            f"Evaluation {evaluation_id} is not completed ({closing['status']})")
    differing = [name for name in COMPARED if announced[name] != closing[name]]
    if differing:
        raise Conflict(
            f"Kết quả của phiên đánh giá {evaluation_id} khác bản ghi: {', '.join(differing)}",
            f"Evaluation {evaluation_id} was not closed as announced: {', '.join(differing)} "
            f"differ")
