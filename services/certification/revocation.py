"""Revocation of a certificate (thu hồi giấy chứng nhận), Decision 26/2026 Art. 8: on one of
the six grounds of Art. 8.1, by the authority of its level (Art. 8.2, ``authority``), within
15 days of the competent authority's finding or of the commune's confirmation that the
producer stopped producing (Art. 8.4). A late revocation is still made, and says it is late.
"""
from datetime import timedelta

from chassis.errors import InvalidInput, field_error

# Art. 8.1 a–e, as codes: (Vietnamese, English).
GROUNDS = {
    "false_information": ("a) cung cấp thông tin, tài liệu không trung thực hoặc giả mạo hồ sơ",
                          "a) false information or a forged dossier"),
    "criteria_not_met": ("b) không còn đáp ứng Bộ tiêu chí theo kết luận kiểm tra, giám sát",
                         "b) no longer meets the criteria, as an inspection found"),
    "law_violation": ("c) vi phạm pháp luật về chất lượng, an toàn thực phẩm, môi trường, sở "
                      "hữu trí tuệ, ghi nhãn", "c) violates the law on quality, food safety, "
                      "environment, intellectual property or labelling"),
    "mark_misused": ("d) sử dụng nhãn hiệu OCOP không đúng quy định",
                     "d) misuse of the OCOP mark"),
    "production_stopped": ("đ) chủ thể không còn hoạt động sản xuất sản phẩm OCOP",
                           "đ) the producer no longer produces the product"),
    "other_finding": ("e) trường hợp khác theo kết luận của cơ quan nhà nước có thẩm quyền",
                      "e) another finding of a competent state authority"),
}
WITHIN = timedelta(days=15)


def decision(request, today):
    """What the revocation records, from the authority's ``request`` (ground, finding
    reference and date), decided ``today``."""
    finding_date = request["finding_date"]
    if finding_date > today:
        message = ("Ngày kết luận chưa đến", "The finding's date is in the future")
        raise InvalidInput(*message, [field_error("/finding_date", *message)])
    due_on = finding_date + WITHIN
    return {"ground": request["ground"], "finding_reference": request["finding_reference"],
            "finding_date": finding_date.isoformat(), "due_on": due_on.isoformat(),
            "revoked_on": today.isoformat(), "late": today > due_on}
