"""A certificate as a printable A4 PDF: the essentials of the national layout — the
issuing authority and the state's motto at the head, the title, the number, the product,
producer and place, the stars, the dates of validity — with the QR that leads back to its
page, and its present state across it when it is no longer in force.

The text is set in Noto Serif (SIL Open Font License 1.1, from the ``fontpkg-noto-serif``
package, embedded as a subset), which has every Vietnamese letter with its tone marks;
the stars are drawn, as the font has no star glyph."""
import io
import math
from functools import lru_cache

import fontpkg
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from gateway.face import links, qr, wording

FONT = "NotoSerif"
GOLD = HexColor("#c99400")
DARK = HexColor("#1a1a1a")
STATE_COLOURS = {"expired": HexColor("#6b6b6b"), "superseded": HexColor("#9a6b00"),
                 "revoked": HexColor("#b3141b")}
WIDTH, HEIGHT = A4
MARGIN = 20 * mm


@lru_cache(maxsize=1)
def font():
    """The font, registered with ReportLab once per process."""
    pdfmetrics.registerFont(TTFont(FONT, fontpkg.path("Noto Serif")))
    return FONT


def certificate_pdf(view, base_url):
    out = io.BytesIO()
    # Set in the embedded font from the start: no unembedded Helvetica is referenced.
    page = canvas.Canvas(out, pagesize=A4, pageCompression=1, initialFontName=font())
    page.setTitle(f"Giấy chứng nhận sản phẩm OCOP {view['code']}")
    page.setAuthor(wording.issuing_authority(view)[0])
    page.setSubject(view["product_name"])
    frame(page)
    heading(page, view)
    y = title(page, view)
    y = particulars(page, view, y)
    verification(page, links.qr_url(base_url, view))
    if view["status"] != "valid":
        stamp(page, view["status"])
    page.showPage()
    page.save()
    return out.getvalue()


def frame(page):
    page.setStrokeColor(GOLD)
    page.setLineWidth(3)
    page.rect(10 * mm, 10 * mm, WIDTH - 20 * mm, HEIGHT - 20 * mm)
    page.setLineWidth(0.8)
    page.rect(12 * mm, 12 * mm, WIDTH - 24 * mm, HEIGHT - 24 * mm)


def centred(page, text, x, y, size, colour=DARK):
    page.setFillColor(colour)
    page.setFont(font(), size)
    page.drawCentredString(x, y, text)


def heading(page, view):
    """Authority on the left, the state's name and motto on the right, as on every
    administrative document."""
    left, right, top = WIDTH * 0.27, WIDTH * 0.68, HEIGHT - 30 * mm
    authority = simpleSplit(wording.issuing_authority(view)[0], font(), 10, 70 * mm)
    for i, line in enumerate(authority):
        centred(page, line, left, top - i * 13, 10)
    page.setLineWidth(0.6)
    page.setStrokeColor(DARK)
    rule_y = top - len(authority) * 13 + 4
    page.line(left - 15 * mm, rule_y, left + 15 * mm, rule_y)
    centred(page, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", right, top, 10)
    centred(page, "Độc lập - Tự do - Hạnh phúc", right, top - 13, 11)
    page.line(right - 25 * mm, top - 20, right + 25 * mm, top - 20)


def title(page, view):
    y = HEIGHT - 72 * mm
    centred(page, "GIẤY CHỨNG NHẬN", WIDTH / 2, y, 26, HexColor("#b3141b"))
    centred(page, f"SẢN PHẨM OCOP ĐẠT {view['stars']} SAO", WIDTH / 2, y - 26, 16)
    centred(page, f"OCOP product certificate — {view['stars']} stars", WIDTH / 2, y - 44,
            11, HexColor("#555555"))
    stars(page, view["stars"], WIDTH / 2, y - 75)
    centred(page, f"Số / No.: {view['code']}", WIDTH / 2, y - 110, 12)
    return y - 140


def stars(page, count, x, y, radius=11):
    page.setFillColor(GOLD)
    page.setStrokeColor(GOLD)
    gap = radius * 2.6
    for i in range(count):
        star(page, x + (i - (count - 1) / 2) * gap, y, radius)


def star(page, x, y, radius):
    path = page.beginPath()
    for k in range(10):
        r = radius if k % 2 == 0 else radius * 0.4
        angle = math.pi / 2 + k * math.pi / 5
        point = (x + r * math.cos(angle), y + r * math.sin(angle))
        path.moveTo(*point) if k == 0 else path.lineTo(*point)
    path.close()
    page.drawPath(path, stroke=0, fill=1)


def particulars(page, view, y):
    authority_vi, authority_en = wording.issuing_authority(view)
    rows = (
        ("Tên sản phẩm / Product", view["product_name"]),
        ("Chủ thể OCOP / Producer", view["producer_name"]),
        ("Địa phương / Place", wording.place(view)),
        ("Hạng / Rating", wording.stars_label(view["stars"])),
        ("Ngày cấp / Issued on", wording.vietnam_date(view["issued_on"])),
        ("Có giá trị đến / Valid until", wording.last_valid_day(view)),
        ("Cơ quan công nhận / Recognised by", f"{authority_vi} ({authority_en})"),
        ("Quyết định công nhận / Recognition", wording.recognition(view)),
    )
    label_x, value_x = MARGIN + 8 * mm, MARGIN + 70 * mm
    value_width = WIDTH - MARGIN - 8 * mm - value_x
    for label, value in rows:
        page.setFillColor(HexColor("#555555"))
        page.setFont(font(), 10)
        page.drawString(label_x, y, label)
        page.setFillColor(DARK)
        page.setFont(font(), 12)
        for line in simpleSplit(value, font(), 12, value_width):
            page.drawString(value_x, y, line)
            y -= 16
        y -= 8
    note = ("Giấy chứng nhận có giá trị 36 tháng kể từ ngày cấp (khoản 3 Điều 4 Quyết định "
            "26/2026/QĐ-TTg). Valid 36 months from issue (Decision 26/2026/QĐ-TTg, Art. 4.3).")
    page.setFont(font(), 9)
    page.setFillColor(HexColor("#555555"))
    for line in simpleSplit(note, font(), 9, WIDTH - 2 * MARGIN - 16 * mm):
        y -= 12
        page.drawString(label_x, y, line)
    return y


def verification(page, url, size=38 * mm):
    """The QR as vectors (sharp at any print size), and its address. Each row's runs of
    dark modules are one rectangle, all filled as one path: no seams between modules."""
    grid = qr.modules(url)
    cell = size / len(grid)
    x0, y0 = MARGIN + 6 * mm, MARGIN + 10 * mm
    path = page.beginPath()
    for r, row in enumerate(grid):
        for start, length in runs(row):
            path.rect(x0 + start * cell, y0 + size - (r + 1) * cell, length * cell, cell)
    page.setFillColor(DARK)
    page.drawPath(path, stroke=0, fill=1)
    page.setFont(font(), 9)
    text_x = x0 + size + 6 * mm
    page.drawString(text_x, y0 + size - 12, "Quét mã để kiểm tra hiệu lực")
    page.drawString(text_x, y0 + size - 24, "Scan to check that it is in force")
    page.setFont(font(), 8)
    for i, line in enumerate(simpleSplit(url, font(), 8, WIDTH - text_x - MARGIN)):
        page.drawString(text_x, y0 + size - 42 - i * 11, line)


def runs(row):
    """(first column, length) of each run of dark modules in a row."""
    start = None
    for column, dark in enumerate([*row, False]):
        if dark and start is None:
            start = column
        elif not dark and start is not None:
            yield start, column - start
            start = None


def stamp(page, status):
    """A certificate no longer in force says so across its face, so that a print of it
    cannot pass for a valid one."""
    vi, en = wording.STATES[status]
    colour = STATE_COLOURS[status]
    page.saveState()
    page.translate(WIDTH / 2, HEIGHT / 2)
    page.rotate(28)
    page.setFillColor(Color(colour.red, colour.green, colour.blue, alpha=0.35))
    page.setFont(font(), 40)
    page.drawCentredString(0, 10, vi)
    page.setFont(font(), 30)
    page.drawCentredString(0, -30, en)
    page.restoreState()
