"""A province's progress and the programme's statistics as people use them: spreadsheets
(CSV and XLSX, Vietnamese headers), charts (SVG: progress against each target, stars by
product set, certificates by year) and the province's report page (HTML, the charts
inline, no script)."""
import csv
import io
from html import escape


from gateway.face import page

PROGRESS_HEADERS = ("Chỉ tiêu", "Đơn vị", "Tối thiểu", "Tối đa", "Thực hiện", "Đạt")
STATISTICS_HEADERS = ("Nhóm", "Giá trị", "Số lượng")
# The statistics' groups, in the order a report reads them, with their Vietnamese names.
GROUPS = {"by_province": "Tỉnh, thành phố", "by_commune": "Xã, phường",
          "by_category": "Bộ sản phẩm", "by_sector": "Ngành", "by_stars": "Số sao",
          "by_level": "Cấp công nhận", "by_year": "Năm cấp giấy chứng nhận",
          "by_stage": "Giai đoạn trong chu trình"}
UNITS = {"products": "sản phẩm", "percent": "%", "units": "đơn vị đạt", "places": "điểm",
         "organisations": "tổ chức"}


def progress_rows(progress):
    return [(line["label"]["vi"], UNITS[line["unit"]], line["at_least"], line["at_most"],
             line["actual"], "Đạt" if line["met"] else "Chưa đạt")
            for line in progress["targets"]]


def statistics_rows(figures):
    return [(name, key, count) for group, name in GROUPS.items()
            for key, count in figures[group].items()]


def as_csv(headers, rows):
    """UTF-8 with a byte-order mark, so that spreadsheet programs read the Vietnamese."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def as_xlsx(title, headers, rows):
    # Imported at the first spreadsheet: openpyxl adds 9 MB to every gateway process's
    # RSS, which most never use (the target is 150 MB with the read model loaded).
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(headers)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# Charts -----------------------------------------------------------------------------------

WIDTH, BAR, GAP, LEFT, TOP = 640, 22, 10, 260, 40
COLOURS = {"met": "#1e7b34", "short": "#b3141b", "target": "#1a1a1a", "3": "#c9a227",
           "4": "#9a6b00", "5": "#5b3a00", "bar": "#2a5d9f"}


def svg(title, height, body):
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}" role="img" font-family="Noto Sans, Arial, '
            f'sans-serif" font-size="12"><title>{escape(title)}</title>'
            f'<rect width="100%" height="100%" fill="#fff"/>'
            f'<text x="10" y="22" font-size="15" font-weight="600">{escape(title)}</text>'
            f'{body}</svg>')


def progress_chart(progress):
    """One bar per target: the actual as a share of the target's lower bound (capped at
    150%), green when met, red when not; a line marks 100%."""
    lines = progress["targets"]
    span = WIDTH - LEFT - 60
    parts = []
    for index, line in enumerate(lines):
        y = TOP + index * (BAR + GAP)
        goal = line["details"]["units"] if "units" in line["details"] else line["at_least"]
        share = 1.0 if not goal else min((line["actual"] or 0) / goal, 1.5)
        colour = COLOURS["met" if line["met"] else "short"]
        actual = "–" if line["actual"] is None else f"{line['actual']:g}"
        parts.append(
            f'<text x="10" y="{y + 15}">{escape(line["label"]["vi"][:40])}</text>'
            f'<rect x="{LEFT}" y="{y}" width="{share * span / 1.5:.1f}" height="{BAR}" '
            f'fill="{colour}"/><text x="{LEFT + share * span / 1.5 + 4:.1f}" y="{y + 15}">'
            f'{actual} / {goal:g}</text>')
    mark = LEFT + span / 1.5
    height = TOP + len(lines) * (BAR + GAP) + 10
    parts.append(f'<line x1="{mark:.1f}" x2="{mark:.1f}" y1="{TOP - 6}" y2="{height - 8}" '
                 f'stroke="{COLOURS["target"]}" stroke-dasharray="4 3"/>')
    return svg(f"Tiến độ kế hoạch {progress['reference']} — tỉnh {progress['province_code']}"
               f", {progress['year']}", height, "".join(parts))


def bars(title, counts, colour_of=lambda key: COLOURS["bar"]):
    """Horizontal bars of ``counts`` (label → number)."""
    biggest = max(counts.values(), default=0) or 1
    span = WIDTH - LEFT - 60
    parts = []
    for index, (label, count) in enumerate(counts.items()):
        y = TOP + index * (BAR + GAP)
        parts.append(f'<text x="10" y="{y + 15}">{escape(label)}</text>'
                     f'<rect x="{LEFT}" y="{y}" width="{count / biggest * span:.1f}" '
                     f'height="{BAR}" fill="{colour_of(label)}"/>'
                     f'<text x="{LEFT + count / biggest * span + 4:.1f}" y="{y + 15}">'
                     f'{count}</text>')
    return svg(title, TOP + max(len(counts), 1) * (BAR + GAP) + 10, "".join(parts))


def stars_by_category_chart(figures):
    """Certified products of each product set, one bar per set and stars."""
    counts = {f"Bộ {category} — {stars} sao": count
              for category, by_stars in figures["stars_by_category"].items()
              for stars, count in by_stars.items()}
    return bars("Sản phẩm OCOP theo bộ sản phẩm và số sao", counts,
                lambda label: COLOURS[label[-5]])


def certificates_by_year_chart(figures):
    return bars("Giấy chứng nhận cấp theo năm", {
        f"Năm {year}": count for year, count in figures["by_year"].items()})


# The province's report page --------------------------------------------------------------

def report_page(progress, figures):
    """The plan's progress and the province's statistics, for its office and leaders."""
    rows = "".join(
        f"<tr><td>{escape(label)}</td><td>{escape(unit)}</td><td>{low:g}</td>"
        f"<td>{'' if high is None else f'{high:g}'}</td>"
        f"<td>{'–' if actual is None else f'{actual:g}'}</td><td>{met}</td></tr>"
        for label, unit, low, high, actual, met in progress_rows(progress))
    heading = (f"Kế hoạch {progress['reference']} — tỉnh {progress['province_code']}, "
               f"năm {progress['year']}")
    body = (f"<h1>{escape(heading)}<span lang=\"en\">Plan progress as of "
            f"{escape(progress['as_of'])}</span></h1>"
            f"<table><thead><tr>{''.join(f'<th>{h}</th>' for h in PROGRESS_HEADERS)}"
            f"</tr></thead><tbody>{rows}</tbody></table>"
            f"<figure>{progress_chart(progress)}</figure>"
            f"<h2>{page.bilingual('Thống kê', 'Statistics')}</h2>"
            f"<p>{page.bilingual('Sản phẩm có giấy chứng nhận còn hiệu lực:', 'Products with a certificate in force:')} {figures['certified']}</p>"
            f"<figure>{stars_by_category_chart(figures)}</figure>"
            f"<figure>{certificates_by_year_chart(figures)}</figure>")
    return page.document(heading, body, REPORT_STYLE, FOOTER)


FOOTER = ("Số liệu từ các sự kiện của hệ thống; chỉ tiêu theo kế hoạch của tỉnh. "
          "<span lang=\"en\">Figures from the platform's events; targets from the "
          "province's plan.</span>")
REPORT_STYLE = """
main{max-width:60rem}
table{border-collapse:collapse;width:100%;margin:1rem 0}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left}
figure{margin:1rem 0}
svg{max-width:100%;height:auto}
"""
