"""Re-rating (đánh giá, phân hạng lại) when a certificate's 36 months run out (Decision
26/2026 Art. 6.1.c, 6.3.b, 7.6).

Readings, article by article:
* Art. 7.6.g «Thời gian tổ chức đánh giá, phân hạng lại sản phẩm OCOP không quá 45 ngày kể từ
  ngày nhận đủ hồ sơ đề nghị của UBND cấp xã hoặc UBND cấp tỉnh»: a re-rating has its own
  deadline, not an Art. 5 round: it is decided by the 45th day (Vietnam calendar days, the
  decision says «ngày», not «ngày làm việc») after the day the complete proposal arrived —
  the proposal date of the commune (provincial council) or of the province (ministry's
  council).  A dossier sent back for completion arrives again as a new proposal, which starts
  the 45 days again.
* Art. 7.6.d and 7.6.e «thực hiện đánh giá thông qua hình thức lấy ý kiến bằng văn bản; chỉ tổ
  chức họp trực tiếp khi có nhiều ý kiến đánh giá khác nhau hoặc có nội dung phức tạp cần
  thảo luận»: the council decides on written opinions — every member's score sheet — and
  meets in two cases only.  (1) The opinions differ (``OPINIONS_DIFFER``): the members'
  sheets do not all give the same star rank, or their totals are further apart than the
  council regulation tolerates (``max_spread``, the measure the regulation itself uses for
  disagreement); found at the decision, from the sheets.  (2) The content is complex and
  needs discussing (``COMPLEX_CONTENT``): a judgement, not a measure, so someone must make
  it — the council's chair, to whom the office's (Art. 7.6.c) and the advisory group's
  reports go; the secretary, who records decisions, does not call meetings.  The chair may
  call it at any time while the re-rating is decided on written opinions, with the reason,
  before or after the opinions arrive.  Either way the council then meets: from there it
  decides as any meeting does, under its regulation (quorum, spread, rescoring).
* Art. 6.3.b and 7.6.e: a 5★ re-rating is not scored by the provincial council: its file holds
  «báo cáo đánh giá của cơ quan tham mưu quản lý OCOP cấp tỉnh» (the province office's
  report), with which the province sends it to the ministry, whose council decides it on
  written opinions.  A re-rating is 5★ when this service's last recognised result for the
  product is a central 5★.
"""
import datetime

from chassis.errors import Conflict
from services.evaluation import scoring

DAYS_TO_DECIDE = 45
WRITTEN, MEETING, OFFICE_REPORT = "written", "meeting", "office_report"
OPINIONS_DIFFER, COMPLEX_CONTENT = "opinions_differ", "complex_content"


def decide_by(complete_on):
    """The last Vietnam date on which the re-rating of a file complete on ``complete_on``
    may be decided."""
    return complete_on + datetime.timedelta(days=DAYS_TO_DECIDE)


def procedure(kind, level, previous):
    """How the council at ``level`` handles a submission of ``kind``: ``written`` opinions
    for a re-rating, the province office's report first for a 5★ re-rating at the
    province, else a ``meeting``.  ``previous``: the product's last recognised result
    ({level, stars}) or None."""
    if kind != "re_rating":
        return MEETING
    if level == "province" and previous and previous["level"] == "central" \
            and previous["stars"] == 5:
        return OFFICE_REPORT
    return WRITTEN


def check_may_call_meeting(procedure):
    """Only a council deciding on written opinions is called to meet."""
    if procedure != WRITTEN:
        raise Conflict("Chỉ gọi họp hội đồng khi đánh giá lại bằng ý kiến bằng văn bản (thủ "
                       f"tục hiện tại: {procedure})",
                       "A meeting is called only on a re-rating decided on written opinions "
                       f"(procedure now: {procedure})")


def opinions_differ(ranks, totals, max_spread):
    """Whether written opinions differ: ``ranks`` (each member's star rank) are not all the
    same, or ``totals`` are more than ``max_spread`` points apart (None: no limit)."""
    spread = max(totals) - min(totals)
    return len(set(ranks)) > 1 or (max_spread is not None and spread > max_spread)


def rank_of(total, cap):
    """One sheet's star rank: its total's band, capped by its own star minimums."""
    return min(scoring.stars_for(total), cap)
