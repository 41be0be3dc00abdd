"""Forwarding a provincial result to the ministry, and a central result handed back to the
province (Decision 26/2026 Art. 3.3, 4.1, 7.3.e, 7.4.g).

Readings:
* Art. 7.3.e «Đối với các sản phẩm có tiềm năng đạt 5 sao (đạt từ 90 trở lên), Chủ tịch UBND
  cấp tỉnh xem xét, quyết định phê duyệt kết quả đánh giá; UBND cấp tỉnh … đề nghị Bộ Nông
  nghiệp và Môi trường đánh giá, phân hạng sản phẩm OCOP 5 sao»: the decision defines the
  potential 5★ product by its score alone — «đạt từ 90 trở lên», 90 points or more.  So a
  provincial score of 90 or more is forwarded to the ministry even when an unmet 5★ star
  minimum caps its stars at 4★: the province does not recognise it as 4★ meanwhile; it is the
  ministry's council, scoring it afresh, that finds whether the 5★ minimums are met.  A
  knocked-out dossier is never forwarded.
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
from services.evaluation import scoring

FIVE_STAR_SCORE = scoring.BANDS[0][0]  # 90: «đạt từ 90 trở lên»
SET_ASIDE = "province_reevaluates"


def is_potential_five_star(score, knocked_out):
    """A provincial result the province approves and sends to the ministry."""
    return not knocked_out and score >= FIVE_STAR_SCORE


def handed_back(level, stars):
    """A central result that is not a recognised 5★ goes back to the province."""
    return level == "central" and stars is not None and stars < 5


def may_order_provincial_evaluation(evaluation):
    """The central results on which the provincial chair may order the province's own
    evaluation: completed, handed back, not knocked out."""
    return (evaluation["level"] == "central" and evaluation["status"] == "completed"
            and handed_back(evaluation["level"], evaluation["stars"]))
