"""Recognition (công nhận): the competent authority's decision that makes a council's
result a certificate (Decision 26/2026 Art. 4.1, 7.3.e, 7.4.e, 7.4.g). The council
proposes, the authority decides: a result is certified only when the authority of its level
(``authority``) recognises it, with its decision's reference and date, and only if the
evaluation service's own record confirms it was completed and recognisable — 3★ and above,
at that level (``provenance``). 1★ and 2★ get no decision and no certificate (Art. 4.1.a).

The decision's date is the day of issue (Art. 4.3: "from the day the competent authority
issues it"): not a day to come, and not so long ago that the certificate would already have
expired."""
from chassis.errors import Conflict, InvalidInput, field_error
from services.certification import provenance, validity


def check_recognisable(announced, closing):
    provenance.check_closed_as_announced(announced, closing)
    if not closing["recognised"]:
        evaluation_id = announced["evaluation_id"]
        raise Conflict(f"Kết quả của phiên đánh giá {evaluation_id} không đủ điều kiện công "
                       f"nhận ({closing['stars']} sao)",
                       f"The result of evaluation {evaluation_id} cannot be recognised "
                       f"({closing['stars']} stars)")


def check_decision_date(decided_on, today):
    if decided_on > today:
        refuse_date("Ngày quyết định chưa đến", "The decision's date is in the future")
    if validity.expires_on(decided_on) <= today:
        refuse_date("Quyết định từ 36 tháng trước: giấy chứng nhận đã hết hiệu lực",
                    "A decision of 36 months ago: its certificate would have expired")


def refuse_date(message_vi, message_en):
    raise InvalidInput(message_vi, message_en, [field_error("/date", message_vi, message_en)])
