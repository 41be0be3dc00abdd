"""What a producer is told on each event of the OCOP cycle, Vietnamese first."""


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


TEMPLATES = {
    "product.submitted": lambda d: (
        f"Sản phẩm «{d['name']}» đã được gửi đánh giá, phân hạng",
        f"Product «{d['name']}» was submitted for evaluation and ranking"),
    "evaluation.opened": lambda d: (
        f"Hội đồng cấp {LEVELS[d['level']][0]} đã mở phiên đánh giá sản phẩm «{d['name']}»",
        f"The {LEVELS[d['level']][1]} council opened the evaluation of «{d['name']}»"),
    "evaluation.review_requested": review_text,
    "evaluation.rejected": lambda d: (
        f"Hồ sơ sản phẩm «{d['name']}» bị loại: {d['reason']['vi']}",
        f"The dossier of «{d['name']}» was rejected: {d['reason']['en']}"),
    "evaluation.forwarded": lambda d: (
        f"Sản phẩm «{d['name']}» đạt {d['score']} điểm, được đề nghị Bộ Nông nghiệp và Môi "
        "trường đánh giá 5★",
        f"Product «{d['name']}» scored {d['score']} points and was proposed to the Ministry "
        "of Agriculture and Environment for 5★"),
    "evaluation.completed": lambda d: (
        f"Sản phẩm «{d['name']}» đạt {d['score']} điểm, {stars_text(d['stars'])}"
        + ("" if d["recognised"] else " (chưa đủ điều kiện công nhận)"),
        f"Product «{d['name']}» scored {d['score']} points, {stars_text(d['stars'])}"
        + ("" if d["recognised"] else " (not eligible for recognition)")),
    "certificate.issued": lambda d: (
        f"Giấy chứng nhận OCOP {d['code']} ({stars_text(d['stars'])}) đã được cấp, "
        f"hiệu lực đến {d['expires_at'][:10]}",
        f"OCOP certificate {d['code']} ({stars_text(d['stars'])}) was issued, "
        f"valid until {d['expires_at'][:10]}"),
}


def in_app_message(event_name, data):
    text_vi, text_en = TEMPLATES[event_name](data)
    return {"producer_id": data["producer_id"], "text": {"vi": text_vi, "en": text_en}}
