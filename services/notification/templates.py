"""What each recipient is told, in Vietnamese and English: the inbox text, and the e-mail
made of it (a subject, a plain-text part and an HTML part, in the recipient's language).

``TEMPLATES`` is keyed by the template names of ``recipients.NOTICES``; each takes the
event's data (with what the product directory adds: ``recipients.recipient_key``) and
returns ``(vietnamese, english)``.
"""
import html
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

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


def issued_text(d):
    return (f"Giấy chứng nhận OCOP {d['code']} ({stars_text(d['stars'])}) đã được cấp, "
            f"hết hiệu lực ngày {d['expires_on']}",
            f"OCOP certificate {d['code']} ({stars_text(d['stars'])}) was issued, "
            f"expiring on {d['expires_on']}")


TEMPLATES = {
    # To the producer
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
    "completed": lambda d: (
        f"Sản phẩm «{d['name']}» {result_text(d)[0]}",
        f"Product «{d['name']}» {result_text(d)[1]}"),
    "issued": issued_text,
    "superseded": lambda d: (
        f"Giấy chứng nhận OCOP {d['code']} đã được thay thế bởi {d['superseded_by']}",
        f"OCOP certificate {d['code']} was superseded by {d['superseded_by']}"),
    # To the province's OCOP office
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
