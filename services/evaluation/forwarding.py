"""Forwarding a provincial result to the ministry, and a central result handed back to the
province (Decision 26/2026 Art. 3.3, 4.1, 6.3, 7.3.e, 7.4.g, 7.6.đ–e).

Readings:
* Art. 7.3.e «Đối với các sản phẩm có tiềm năng đạt 5 sao (đạt từ 90 trở lên), Chủ tịch UBND
  cấp tỉnh xem xét, quyết định phê duyệt kết quả đánh giá; UBND cấp tỉnh … đề nghị Bộ Nông
  nghiệp và Môi trường đánh giá, phân hạng sản phẩm OCOP 5 sao»: the decision defines the
  potential 5★ product by its score alone — «đạt từ 90 trở lên», 90 points or more.  So a
  provincial score of 90 or more goes towards the ministry even when an unmet 5★ star
  minimum caps its stars at 4★: the province does not recognise it as 4★ meanwhile; it is the
  ministry's council, scoring it afresh, that finds whether the 5★ minimums are met.  A
  knocked-out dossier never goes.
* The same sentence puts the provincial chair's approval (phê duyệt kết quả đánh giá) between
  the council and the ministry, and Art. 6.3.a lists «Quyết định phê duyệt kết quả đánh giá
  của Chủ tịch UBND cấp tỉnh» in the file the province sends.  So the council's potential 5★
  result is not forwarded at its decision: it waits (``AWAITING_APPROVAL``) for the chair's
  approval decision — its reference and its date — and only that approval forwards it and
  opens the central evaluation.  The approval is a decision on the council's result, so its
  date (a Vietnam date) is not before the Vietnam day the council decided, and not a day to
  come (``check_approval_date``).
* «xem xét, quyết định phê duyệt»: the chair considers, then decides; the power to approve
  is also the power not to.  The decision says nothing of what follows a refusal, so the
  platform adds no path of its own: a result not approved is closed (``NOT_APPROVED``) with
  the chair's decision (reference, date, reason).  Nothing goes to the ministry, and the
  province recognises nothing on it — a score of 90 or more is not a 3★/4★ score (Art. 3.3),
  and a capped one is the ministry's council's to find, as above.  The producer is told; an
  uncertified product may be filed again, a certified one (an upgrade, a re-rating) keeps
  the certificate it has, and a re-rating ends there as any decided re-rating does.
* Art. 7.6.đ «Việc tổng hợp, trình, quyết định công nhận, phê duyệt kết quả đánh giá … thực
  hiện theo quy định tại các điểm đ, e và g khoản 3 Điều này» follows 7.6.d, the provincial
  council's re-rating on written opinions: a re-rating the provincial council scores 90 or
  more waits for the chair's approval like a first rating.  A 5★ re-rating is not its case:
  Art. 7.6.e has the province send the file to the ministry with no provincial council
  result to approve, and Art. 6.3.b's file holds the province's letter and «báo cáo đánh giá
  của cơ quan tham mưu quản lý OCOP cấp tỉnh» but, unlike 6.3.a, no approval decision.  So
  the office's report on a 5★ re-rating forwards it at once (``rerating.py``).
* Art. 7.4.g «Trường hợp sản phẩm không đạt 90 điểm, Chủ tịch UBND cấp tỉnh có thể căn cứ vào
  kết quả đánh giá của Hội đồng cấp trung ương để xem xét, quyết định công nhận và cấp giấy
  chứng nhận cho sản phẩm OCOP đạt 3 sao, 4 sao hoặc tổ chức đánh giá và phân hạng sản phẩm
  theo thẩm quyền»: a central result below 90 goes back to the province.  A central score of
  90 or more capped below 5★ by a star minimum is not a 5★ the minister can recognise (Art.
  7.4.d: «đáp ứng tiêu chí») and 3★/4★ are the province's to recognise (Art. 4.1.a), so it
  goes back the same way.  There the provincial chair chooses: recognise 3★/4★ on the central
  result (certification's recognition command, on this service's ``closing``), or organise
  the province's own evaluation — ``order_provincial_evaluation``: the central result is then
  set aside (status ``province_reevaluates``, so it can no longer be recognised) and a new
  provincial evaluation of the product opens, in the round of the day the chair ordered it.
"""
from chassis.errors import InvalidInput, field_error
from services.evaluation import scoring

FIVE_STAR_SCORE = scoring.BANDS[0][0]  # 90: «đạt từ 90 trở lên»
SET_ASIDE = "province_reevaluates"
AWAITING_APPROVAL, NOT_APPROVED, FORWARDED = "awaiting_approval", "not_approved", "forwarded"


def is_potential_five_star(score, knocked_out):
    """A provincial result the province approves and sends to the ministry."""
    return not knocked_out and score >= FIVE_STAR_SCORE


def check_approval_date(decided_on, council_decided_on, today):
    """The chair's decision on a potential 5★ result, dated ``decided_on`` (a Vietnam
    date): not after ``today``, not before the Vietnam day the council decided."""
    if decided_on > today:
        refuse_date("Ngày quyết định chưa đến", "The decision's date is in the future")
    if decided_on < council_decided_on:
        refuse_date(f"Ngày quyết định trước ngày hội đồng kết luận ({council_decided_on})",
                    f"The decision's date is before the council's decision "
                    f"({council_decided_on})")


def refuse_date(message_vi, message_en):
    raise InvalidInput(message_vi, message_en, [field_error("/date", message_vi, message_en)])


def handed_back(level, stars):
    """A central result that is not a recognised 5★ goes back to the province."""
    return level == "central" and stars is not None and stars < 5


def may_order_provincial_evaluation(evaluation):
    """The central results on which the provincial chair may order the province's own
    evaluation: completed, handed back, not knocked out."""
    return (evaluation["level"] == "central" and evaluation["status"] == "completed"
            and handed_back(evaluation["level"], evaluation["stars"]))
