"""What a producer is told on each event of the OCOP cycle, Vietnamese first."""


def stars_text(stars):
    return f"{stars}★"


TEMPLATES = {
    "product.submitted": lambda d: (
        f"Sản phẩm «{d['name']}» đã được gửi đánh giá, phân hạng",
        f"Product «{d['name']}» was submitted for evaluation and ranking"),
    "evaluation.opened": lambda d: (
        f"Hội đồng cấp tỉnh đã mở phiên đánh giá sản phẩm «{d['name']}»",
        f"The provincial council opened the evaluation of «{d['name']}»"),
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
