"""A certificate's verification page and the page that says no certificate has that
number: HTML for a phone's browser, Vietnamese then English, no script, every value
escaped."""
from html import escape
from urllib.parse import quote

from gateway.face import wording

STYLE = """
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,"Noto Sans",Arial,sans-serif;line-height:1.45;
color:#1a1a1a;background:#f4f1ea}
main{max-width:40rem;margin:0 auto;padding:1rem;background:#fff;min-height:100vh}
.brand{margin:0;color:#7a5b00;font-weight:600}
h1{font-size:1.4rem;margin:.4rem 0 1rem}
[lang=en]{color:#555}
h1 [lang=en],dt [lang=en]{display:block;font-weight:400;font-size:.85em}
.number{font-size:1.1rem;overflow-wrap:anywhere}
.state{border-radius:.5rem;padding:.8rem 1rem;margin:1rem 0;border:3px solid}
.state p{margin:.2rem 0}
.state .label{font-size:1.5rem;font-weight:800;letter-spacing:.02em}
.state .label [lang=en]{color:inherit}
.state-valid{background:#e6f4ea;border-color:#1e7b34}
.state-valid .label{color:#1e7b34}
.state-expired{background:#f1f1f1;border-color:#6b6b6b}
.state-expired .label{color:#4a4a4a}
.state-superseded{background:#fff6db;border-color:#9a6b00}
.state-superseded .label{color:#7a5500}
.state-revoked,.state-missing{background:#fde8e8;border-color:#b3141b}
.state-revoked .label,.state-missing .label{color:#b3141b}
dl{margin:0}
dt{font-weight:600;margin-top:.8rem}
dd{margin:.1rem 0 0;font-size:1.1rem;overflow-wrap:anywhere}
.stars{color:#c99400;font-size:1.4rem;letter-spacing:.1em}
.links a{display:inline-block;margin:.4rem 1rem .4rem 0}
footer{margin-top:2rem;font-size:.85rem;color:#555}
@media (min-width:34rem){dl{display:grid;grid-template-columns:11rem 1fr;gap:.2rem 1rem}
dt,dd{margin-top:.6rem}}
"""


PUBLIC_CHECK = ("Tra cứu công khai theo Quyết định 26/2026/QĐ-TTg. "
                "<span lang=\"en\">Public check under Decision 26/2026/QĐ-TTg.</span>")


def document(title, body, style="", footer=PUBLIC_CHECK):
    """A page: ``style`` adds to the pages' own; ``footer`` is HTML, already escaped."""
    return ("<!doctype html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{escape(title)}</title><style>{STYLE}{style}</style></head><body><main>"
            "<p class=\"brand\">OCOP — Mỗi xã một sản phẩm "
            "<span lang=\"en\">One Commune One Product</span></p>"
            f"{body}<footer>{footer}</footer></main></body></html>")


def bilingual(vi, en):
    return f"{escape(vi)} <span lang=\"en\">{escape(en)}</span>"


def certificate_page(view):
    number, status = view["code"], view["status"]
    state_vi, state_en = wording.STATES[status]
    explained_vi, explained_en = wording.state_explanation(view)
    authority_vi, authority_en = wording.issuing_authority(view)
    rows = [
        (("Sản phẩm", "Product"), escape(view["product_name"])),
        (("Chủ thể OCOP", "Producer"), escape(view["producer_name"])),
        (("Địa phương", "Place"), escape(wording.place(view))),
        (("Hạng", "Rating"),
         f"<span class=\"stars\" aria-hidden=\"true\">{'★' * view['stars']}</span> "
         f"{escape(wording.stars_label(view['stars']))}"),
        (("Ngày cấp", "Issued on"), escape(wording.vietnam_date(view["issued_on"]))),
        (("Có giá trị đến", "Valid until"), escape(wording.last_valid_day(view))),
        (("Cơ quan công nhận", "Recognised by"), bilingual(authority_vi, authority_en)),
        (("Quyết định công nhận", "Recognition decision"),
         escape(wording.recognition(view))),
    ]
    if status == "superseded":
        rows.append((("Giấy chứng nhận mới", "New certificate"),
                     f"<a href=\"/verify/{quote(view['superseded_by'], safe='')}\">"
                     f"{escape(view['superseded_by'])}</a>"))
    details = "".join(f"<dt>{bilingual(*label)}</dt><dd>{value}</dd>" for label, value in rows)
    files = f"/api/v1/certificates/{quote(number, safe='')}"
    body = (
        f"<h1>{bilingual('Tra cứu giấy chứng nhận sản phẩm OCOP', 'OCOP certificate check')}"
        f"</h1><p class=\"number\">Số / No. <strong>{escape(number)}</strong></p>"
        f"<section class=\"state state-{escape(status)}\" data-state=\"{escape(status)}\">"
        f"<p class=\"label\">{escape(state_vi)} <span lang=\"en\">{escape(state_en)}</span>"
        f"</p><p>{escape(explained_vi)}</p><p lang=\"en\">{escape(explained_en)}</p>"
        f"</section><dl>{details}</dl><p class=\"links\">"
        f"<a href=\"{files}/certificate.pdf\">{bilingual('Bản in (PDF)', 'Printable (PDF)')}"
        f"</a><a href=\"{files}/qr.svg\">{bilingual('Mã QR', 'QR code')}</a></p>")
    return document(f"OCOP {number}: {state_vi} / {state_en}", body)


def problem_page(status, title, detail):
    """What a person sees instead of the certificate: no such number (404) or a refusal."""
    if status == 404:
        heading = ("Không tìm thấy giấy chứng nhận", "Certificate not found")
        advice = ("Hãy kiểm tra lại số in trên sản phẩm. Số không có trong sổ này không phải "
                  "giấy chứng nhận OCOP đã cấp.",
                  "Check the number printed on the product. A number that is not in this "
                  "register is not that of an OCOP certificate.")
        body = (f"<h1>{bilingual(*heading)}</h1><section class=\"state state-missing\" "
                f"data-state=\"not-found\"><p class=\"label\">{bilingual('KHÔNG CÓ', 'NOT FOUND')}"
                f"</p><p>{escape(detail)}</p></section><p>{escape(advice[0])}</p>"
                f"<p lang=\"en\">{escape(advice[1])}</p>")
        return document(f"{heading[0]} / {heading[1]}", body)
    return document(title, f"<h1>{escape(title)}</h1><p>{escape(detail)}</p>")
