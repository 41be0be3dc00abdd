"""What each recipient is told, in Vietnamese and English: the inbox text, and the e-mail
made of it (a subject, a plain-text part and an HTML part, in the recipient's language).

``TEMPLATES`` is keyed by the template names of ``recipients.NOTICES``; each takes the
event's data (with what the product directory adds: ``recipients.recipient_key``) and
returns ``(vietnamese, english)``.
"""
import html
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from chassis.provinces import COMMUNES
from services.certification.promotion import WITHDRAWAL_REASONS
from services.certification.revocation import GROUNDS

LANGUAGES = ("vi", "en")


def stars_text(stars):
    return f"{stars}★"


LEVELS = {"province": ("tỉnh", "provincial"), "central": ("trung ương", "central")}

REVIEWS = {
    "completion": ("Tổ tư vấn đề nghị bổ sung hồ sơ", "The advisory group asks you to "
                   "complete the dossier"),
    "site_visit": ("Tổ tư vấn sẽ khảo sát thực tế cơ sở", "The advisory group will visit "
                   "the site"),
    "lab_tests": ("Tổ tư vấn yêu cầu kiểm nghiệm bổ sung", "The advisory group orders "
                  "laboratory tests"),
}


def review_text(data):
    vi, en = REVIEWS[data["review_kind"]]
    return (f"{vi} cho sản phẩm «{data['name']}»: {data['note']}",
            f"{en} for «{data['name']}»: {data['note']}")


def result_text(d):
    vi = f"đạt {d['score']} điểm, {stars_text(d['stars'])}"
    en = f"scored {d['score']} points, {stars_text(d['stars'])}"
    if not d["recognised"]:
        vi, en = vi + " (chưa đủ điều kiện công nhận)", en + " (not eligible for recognition)"
    return vi, en


def not_approved_text(d, whose_vi, whose_en):
    return (f"Chủ tịch UBND tỉnh không phê duyệt kết quả đánh giá sản phẩm «{d['name']}»"
            f"{whose_vi} ({d['score']} điểm) để đề nghị Bộ đánh giá 5★ (quyết định "
            f"{d['reference']} ngày {d['date']}): {d['reason']}",
            f"The provincial chair did not approve the result of «{d['name']}»{whose_en} "
            f"({d['score']} points) for the ministry's 5★ evaluation (decision "
            f"{d['reference']} of {d['date']}): {d['reason']}")


def issued_text(d):
    return (f"Giấy chứng nhận OCOP {d['code']} ({stars_text(d['stars'])}) đã được cấp, "
            f"hết hiệu lực ngày {d['expires_on']}",
            f"OCOP certificate {d['code']} ({stars_text(d['stars'])}) was issued, "
            f"expiring on {d['expires_on']}")


RETURNED_BY = {"commune": ("Xã", "commune"), "province": ("Cơ quan OCOP tỉnh", "province")}
KINDS = {"first": ("đăng ký lần đầu", "first rating"), "upgrade": ("nâng hạng", "upgrade"),
         "re_rating": ("đánh giá lại", "re-rating")}


def reasons_text(d):
    return "; ".join(d["reasons"])


def dossier_text(d):
    """The dossier by its form number, and its product's name once an event has said it."""
    vi, en = f"Hồ sơ đăng ký số {d['form_number']}", f"Registration dossier {d['form_number']}"
    if d.get("name"):
        vi, en = vi + f" (sản phẩm «{d['name']}»)", en + f" («{d['name']}»)"
    return vi, en


def lowered(text):
    """A sentence's opening word moved inside another sentence."""
    return text[0].lower() + text[1:]


def commune_name(d):
    return COMMUNES.get(d.get("commune_code"), (d.get("commune_code"),))[0]


def returned_text(d):
    by_vi, by_en = RETURNED_BY[d["by_level"]]
    vi, en = dossier_text(d)
    return (f"{by_vi} đã trả lại {lowered(vi)} để bổ sung: {reasons_text(d)}",
            f"The {by_en} returned {lowered(en)} to be completed: "
            f"{reasons_text(d)}")


def dossier_to_commune_text(d):
    vi, en = dossier_text(d)
    kind_vi, kind_en = KINDS[d["kind"]]
    return (f"{vi} ({kind_vi}, bộ sản phẩm {d['category']}) đã được nộp ngày "
            f"{d['received_on']}; hạn xem xét của xã (15 ngày làm việc): {d['deadline_on']}",
            f"{en} ({kind_en}, criteria set {d['category']}) was filed on "
            f"{d['received_on']}; the commune's review (15 working days) is due by "
            f"{d['deadline_on']}")


def deadline_approaching_text(d):
    vi, en = dossier_text(d)
    return (f"{vi} sắp hết hạn xem xét của xã (15 ngày làm việc, Điều 7.2): còn "
            f"{d['working_days_left']} ngày làm việc đến hạn {d['deadline']}",
            f"{en} is nearly due: the commune's review (15 working days, Art. 7.2) has "
            f"{d['working_days_left']} working day{'' if d['working_days_left'] == 1 else 's'}"
            f" left until {d['deadline']}")


def dossier_to_province_text(d):
    vi, en = dossier_text(d)
    return (f"{commune_name(d)} đã gửi {lowered(vi)} lên tỉnh ngày "
            f"{d['forwarded_on']} để kiểm tra và đề xuất đánh giá",
            f"{commune_name(d)} forwarded {lowered(en)} to the province on "
            f"{d['forwarded_on']}, to be checked and proposed for evaluation")


def revoked_text(d):
    vi, en = GROUNDS[d["ground"]]
    return (f"Giấy chứng nhận OCOP {d['code']} đã bị thu hồi ngày {d['revoked_on']} theo "
            f"Điều 8.1 {vi}",
            f"OCOP certificate {d['code']} was revoked on {d['revoked_on']} under Art. 8.1 "
            f"{en}")


PLACE_KINDS = {"point_of_sale": ("điểm bán", "point of sale"), "fair": ("hội chợ", "fair"),
               "listing": ("sàn thương mại điện tử", "e-commerce platform")}


def withdrawn_text(d):
    """The product, why, and every place it was withdrawn from."""
    reason_vi, reason_en = WITHDRAWAL_REASONS[d["reason"]]
    places_vi = "; ".join(f"{PLACE_KINDS[p['kind']][0]} {p['name']}" for p in d["places"])
    places_en = "; ".join(f"{PLACE_KINDS[p['kind']][1]} {p['name']}" for p in d["places"])
    return (f"Sản phẩm «{d['name']}» không còn được quảng bá là sản phẩm OCOP vì "
            f"{reason_vi} ({d['certificate_code']}); đã rút khỏi: {places_vi}",
            f"Product «{d['name']}» may no longer be promoted as OCOP because "
            f"{reason_en} ({d['certificate_code']}); it was withdrawn from: {places_en}")


TEMPLATES = {
    # To the producer
    "idea_accepted": lambda d: (
        "Xã đã chấp thuận ý tưởng sản phẩm của bạn; bạn có thể gửi phương án kinh doanh",
        "The commune accepted your product idea; you may submit your business plan"),
    "idea_returned": lambda d: (
        f"Xã đã trả lại ý tưởng sản phẩm của bạn: {reasons_text(d)}",
        f"The commune returned your product idea: {reasons_text(d)}"),
    "plan_accepted": lambda d: (
        "Xã đã chấp thuận phương án kinh doanh của bạn",
        "The commune accepted your business plan"),
    "plan_returned": lambda d: (
        f"Xã đã trả lại phương án kinh doanh của bạn: {reasons_text(d)}",
        f"The commune returned your business plan: {reasons_text(d)}"),
    "dossier_returned": returned_text,
    "dossier_forwarded": lambda d: (
        f"Xã đã gửi {lowered(dossier_text(d)[0])} lên tỉnh ngày {d['forwarded_on']}",
        f"The commune forwarded your {lowered(dossier_text(d)[1])} to the province on "
        f"{d['forwarded_on']}"),
    "submitted": lambda d: (
        f"Sản phẩm «{d['name']}» đã được gửi đánh giá, phân hạng",
        f"Product «{d['name']}» was submitted for evaluation and ranking"),
    "opened": lambda d: (
        f"Hội đồng cấp {LEVELS[d['level']][0]} đã mở phiên đánh giá sản phẩm «{d['name']}»",
        f"The {LEVELS[d['level']][1]} council opened the evaluation of «{d['name']}»"),
    "review_requested": review_text,
    "rejected": lambda d: (
        f"Hồ sơ sản phẩm «{d['name']}» bị loại: {d['reason']['vi']}",
        f"The dossier of «{d['name']}» was rejected: {d['reason']['en']}"),
    "forwarded": lambda d: (
        f"Sản phẩm «{d['name']}» đạt {d['score']} điểm, được đề nghị Bộ Nông nghiệp và Môi "
        "trường đánh giá 5★",
        f"Product «{d['name']}» scored {d['score']} points and was proposed to the Ministry "
        "of Agriculture and Environment for 5★"),
    "awaiting_approval": lambda d: (
        f"Sản phẩm «{d['name']}» đạt {d['score']} điểm, có tiềm năng đạt 5★: chờ Chủ tịch UBND "
        "tỉnh phê duyệt để đề nghị Bộ Nông nghiệp và Môi trường đánh giá",
        f"Product «{d['name']}» scored {d['score']} points, a potential 5★: awaiting the "
        "provincial chair's approval to be proposed to the Ministry of Agriculture and "
        "Environment"),
    "not_approved": lambda d: not_approved_text(d, "", ""),
    "completed": lambda d: (
        f"Sản phẩm «{d['name']}» {result_text(d)[0]}",
        f"Product «{d['name']}» {result_text(d)[1]}"),
    "issued": issued_text,
    "superseded": lambda d: (
        f"Giấy chứng nhận OCOP {d['code']} đã được thay thế bởi {d['superseded_by']}",
        f"OCOP certificate {d['code']} was superseded by {d['superseded_by']}"),
    "revoked": revoked_text,
    "renewal_window_opened": lambda d: (
        f"Giấy chứng nhận OCOP {d['code']} hết hiệu lực ngày {d['expires_on']}: từ hôm nay "
        f"đến hết ngày {d['renewal_closes_on']} bạn có thể đăng ký đánh giá lại",
        f"OCOP certificate {d['code']} expires on {d['expires_on']}: from today until "
        f"{d['renewal_closes_on']} you may apply for its re-rating"),
    "renewal_closing": lambda d: (
        f"Hôm nay là ngày cuối đăng ký đánh giá lại đúng hạn cho giấy chứng nhận OCOP "
        f"{d['code']} (hết hiệu lực ngày {d['expires_on']})",
        f"Today is the last day to apply on time for the re-rating of OCOP certificate "
        f"{d['code']} (expiring on {d['expires_on']})"),
    "expiring": lambda d: (
        f"Giấy chứng nhận OCOP {d['code']} sẽ hết hiệu lực sau 30 ngày, ngày {d['expires_on']}",
        f"OCOP certificate {d['code']} expires in 30 days, on {d['expires_on']}"),
    "withdrawn": withdrawn_text,
    "expired": lambda d: (
        f"Giấy chứng nhận OCOP {d['code']} đã hết hiệu lực từ ngày {d['valid_until']}",
        f"OCOP certificate {d['code']} is no longer valid since {d['valid_until']}"),
    # To the commune's OCOP officer
    "dossier_to_commune": dossier_to_commune_text,
    "deadline_approaching_to_commune": deadline_approaching_text,
    # To the province's OCOP office
    "dossier_to_province": dossier_to_province_text,
    "submitted_to_province": lambda d: (
        f"Sản phẩm «{d['name']}» của {d['producer_name']} đã được gửi đánh giá, phân hạng",
        f"Product «{d['name']}» of {d['producer_name']} was submitted for evaluation"),
    "review_requested_to_province": lambda d: (
        f"Tổ tư vấn yêu cầu xem xét thêm sản phẩm «{d['name']}» "
        f"({REVIEWS[d['review_kind']][0].lower()})",
        f"The advisory group asked for a review of «{d['name']}» "
        f"({REVIEWS[d['review_kind']][1].lower()})"),
    "rejected_to_province": lambda d: (
        f"Hồ sơ sản phẩm «{d['name']}» của {d['producer_name']} bị loại",
        f"The dossier of «{d['name']}» of {d['producer_name']} was rejected"),
    "result_to_province": lambda d: (
        f"Kết quả cấp {LEVELS[d['level']][0]}: sản phẩm «{d['name']}» {result_text(d)[0]}",
        f"{LEVELS[d['level']][1].capitalize()} result: «{d['name']}» {result_text(d)[1]}"),
    "handed_back_to_province": lambda d: (
        f"Hội đồng cấp trung ương trả kết quả sản phẩm «{d['name']}» về tỉnh: "
        f"{result_text(d)[0]}; Chủ tịch UBND tỉnh công nhận 3★/4★ theo kết quả này hoặc tổ "
        "chức đánh giá, phân hạng theo thẩm quyền (Điều 7.4.g)",
        f"The central council handed the result of «{d['name']}» back to the province: "
        f"{result_text(d)[1]}; the province's chair recognises 3★/4★ on it or organises "
        "the province's own evaluation (Art. 7.4.g)"),
    "approval_requested_to_province": lambda d: (
        f"Sản phẩm «{d['name']}» của {d['producer_name']} đạt {d['score']} điểm, có tiềm năng "
        "đạt 5★: Chủ tịch UBND tỉnh xem xét, quyết định phê duyệt kết quả để đề nghị Bộ đánh "
        "giá (Điều 7.3.e)",
        f"Product «{d['name']}» of {d['producer_name']} scored {d['score']} points, a "
        "potential 5★: the provincial chair decides whether to approve the result for the "
        "ministry (Art. 7.3.e)"),
    "not_approved_to_province": lambda d: not_approved_text(
        d, f" của {d['producer_name']}", f" of {d['producer_name']}"),
    "issued_to_province": lambda d: tuple(
        f"{text}: «{d.get('name', d['product_id'])}»" for text in issued_text(d)),
    # To the council
    "awaiting_sheets": lambda d: (
        f"Phiên đánh giá sản phẩm «{d['name']}» đang chờ phiếu chấm của thành viên hội đồng",
        f"The evaluation of «{d['name']}» is waiting for the council members' score sheets"),
    # To the ministry
    "forwarded_to_ministry": lambda d: (
        f"Tỉnh {d['province_code']} đề nghị đánh giá 5★ sản phẩm «{d['name']}» "
        f"({d['score']} điểm)",
        f"Province {d['province_code']} proposes «{d['name']}» for 5★ ({d['score']} points)"),
    # To an agency
    "endpoint_disabled": lambda d: (
        f"Địa chỉ webhook {d['url']} đã bị tạm dừng: {d['reason']}",
        f"Webhook endpoint {d['url']} was disabled: {d['reason']}"),
}


def text(template, data):
    """The inbox text: ``{"vi": ..., "en": ...}``."""
    vietnamese, english = TEMPLATES[template](data)
    return {"vi": vietnamese, "en": english}


FOOTER = {
    "vi": "Thư này do hệ thống OCOP gửi tự động; xem hộp thư của bạn trên hệ thống để biết "
          "chi tiết.",
    "en": "This message was sent by the OCOP platform; your inbox on the platform has the "
          "details.",
}
SUBJECT_PREFIX = {"vi": "[OCOP] ", "en": "[OCOP] "}
SUBJECT_LENGTH = 120


def email(texts, language, sender, to):
    """An e-mail in ``language`` of an inbox text: multipart/alternative with the plain
    text first (what a mail client without HTML shows) and its HTML rendering."""
    body = texts[language]
    subject = body if len(body) <= SUBJECT_LENGTH else body[:SUBJECT_LENGTH - 1] + "…"
    message = EmailMessage()
    message["Subject"] = SUBJECT_PREFIX[language] + subject
    message["From"] = sender
    message["To"] = to
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip("> ") or None)
    message.set_content(f"{body}\n\n-- \n{FOOTER[language]}\n")
    message.add_alternative(
        f'<!doctype html><html lang="{language}"><body><p>{html.escape(body)}</p>'
        f'<hr><p><small>{html.escape(FOOTER[language])}</small></p></body></html>',
        subtype="html")
    message["Content-Language"] = language  # after the parts: setting content clears it
    return message
