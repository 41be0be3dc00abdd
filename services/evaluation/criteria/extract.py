"""Generate the OCOP criteria sets of Decision 26/2026/QĐ-TTg as versioned JSON data.

Source: the decision as published (HTML).  Annex I ("PHỤ LỤC I") classifies products into
6 sectors -> 17 groups -> 26 subgroups, each with a lead ministry; Annex II ("PHỤ LỤC II")
holds the 26 criteria sets (each also the evaluator's score sheet) in the same order.

    python -m services.evaluation.criteria.extract [--html PATH] [--out DIR] [--check]

writes ``sets/<code>.json`` ("01" … "26", Annex II order).  ``--check`` regenerates in memory
and exits 1 if the files on disk differ (so CI can prove the data is generated, not typed).

Shape of one file (keys always present unless marked *):

    code, rule_version, name{vi,en}, sector{code,vi,en}, group{vi,en}, subgroup{vi,en}|null,
    lead_ministry{vi,en}, lead_ministries[{code,vi,en}], heading{vi}, source_note|null,
    knockouts[{code, effect, criterion|null, text{vi}}],
    parts[{code, name{vi,en}, max_points, source_note|null,
           sections[{code, name{vi,en}, max_points, note|null,
                     criteria[{code, name{vi}, max_points, requirement{vi}|null, note{vi}|null,
                               implicit, group{code,name{vi},max_points}|null,
                               cases[{code,name{vi}}]|null, source_note|null,
                               options[{code, text{vi}, points, star_min, knockout, case*}]}]}]}]

* ``implicit``: the annex lists options directly under a numbered section (e.g. "7. DINH
  DƯỠNG"); such a section gets one criterion with the section's code and name.
* ``group``: a criterion nested one level deeper (e.g. 6.1.1 under "6.1. Ngoại hình").
* ``cases``: "Lựa chọn một trong hai trường hợp" (set 26): each option carries ``case``; the
  evaluator scores the options of the case that applies.
* ``knockout`` on an option: choosing it rejects the product or stops the evaluation.
* ``source_note``: an inconsistency of the annex itself, recorded rather than corrected.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from bs4 import BeautifulSoup

RULE_VERSION = "26/2026"
PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parents[2]
DEFAULT_HTML = REPO_ROOT.parent / "shared" / "domain" / "decision-26-2026" / "decision-26-2026-QD-TTg.html"
DEFAULT_OUT = PACKAGE_DIR / "sets"

# --------------------------------------------------------------------------- English names

SECTORS = {  # Annex I roman numeral -> (code, vi, en)
    "I": ("food", "Thực phẩm", "Food"),
    "II": ("beverage", "Đồ uống", "Beverages"),
    "III": ("herbal", "Dược liệu và sản phẩm từ dược liệu", "Medicinal herbs and herbal products"),
    "IV": ("handicraft", "Hàng thủ công mỹ nghệ", "Handicrafts"),
    "V": ("ornamental", "Sinh vật cảnh", "Ornamental plants and animals"),
    "VI": ("tourism", "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch",
           "Community tourism, eco-tourism services and tourist sites"),
}

GROUPS_EN = {
    "Thực phẩm tươi sống": "Fresh food",
    "Thực phẩm thô, sơ chế": "Raw and semi-processed food",
    "Thực phẩm chế biến": "Processed food",
    "Gia vị": "Condiments and spices",
    "Chè": "Tea",
    "Cà phê, ca cao": "Coffee and cocoa",
    "Đồ uống có cồn": "Alcoholic beverages",
    "Đồ uống không cồn": "Non-alcoholic beverages",
    "Thực phẩm chức năng, thuốc dược liệu, thuốc cổ truyền":
        "Functional foods, herbal medicines and traditional medicines",
    "Mỹ phẩm có thành phần từ dược liệu": "Cosmetics with herbal ingredients",
    "Tinh dầu và dược liệu khác": "Essential oils and other medicinal herbs",
    "Thủ công mỹ nghệ gia dụng, trang trí": "Household and decorative handicrafts",
    "Vải, may mặc": "Textiles and garments",
    "Hoa": "Flowers",
    "Cây cảnh": "Ornamental plants",
    "Động vật cảnh": "Ornamental animals",
    "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch":
        "Community tourism, eco-tourism services and tourist sites",
}

SUBGROUPS_EN = {
    "Rau, củ, quả, hạt tươi": "Fresh vegetables, tubers, fruits and nuts",
    "Thịt, thủy sản, trứng, sữa tươi": "Fresh meat, aquatic products, eggs and milk",
    "Gạo, ngũ cốc, hạt sơ chế khác": "Rice, cereals and other semi-processed grains",
    "Mật ong, mật khác và nông sản thực phẩm khác":
        "Honey, other syrups and other agricultural food products",
    "Đồ ăn nhanh": "Fast food",
    "Chế biến từ gạo, ngũ cốc": "Processed rice and cereal products",
    "Chế biến từ rau, củ, quả, hạt": "Processed vegetable, tuber, fruit and nut products",
    "Chế biến từ thịt, trứng, sữa, thủy sản, các sản phẩm từ mật ong, mật khác và nông sản thực phẩm khác":
        "Processed meat, egg, dairy and aquatic products, and products from honey, other syrups "
        "and other agricultural foods",
    "Tương, nước mắm, gia vị dạng lỏng khác": "Sauces, fish sauce and other liquid condiments",
    "Gia vị khác": "Other condiments and spices",
    "Chè tươi, chế biến": "Fresh and processed tea",
    "Sản phẩm chè từ thực vật khác": "Tea-like products from other plants",
    "Rượu trắng": "White spirits",
    "Đồ uống có cồn khác": "Other alcoholic beverages",
    "Nước khoáng thiên nhiên, nước uống đóng chai": "Natural mineral water and bottled drinking water",
    "Đồ uống không cồn": "Other non-alcoholic beverages",
}

SET_NAMES_EN = {  # Annex II names ("Bộ sản phẩm: …")
    "Rau, củ, quả, hạt tươi": "Fresh vegetables, tubers, fruits and nuts",
    "Thịt, thủy sản, trứng, sữa tươi": "Fresh meat, aquatic products, eggs and milk",
    "Gạo, ngũ cốc, hạt sơ chế khác": "Rice, cereals and other semi-processed grains",
    "Mật ong, mật khác và nông sản thực phẩm khác":
        "Honey, other syrups and other agricultural food products",
    "Đồ ăn nhanh": "Fast food",
    "Chế biến từ gạo, ngũ cốc": "Processed rice and cereal products",
    "Chế biến từ rau, củ, quả, hạt": "Processed vegetable, tuber, fruit and nut products",
    "Chế biến từ thịt, thủy sản, trứng, sữa, các sản phẩm từ mật ong, mật khác và nông sản thực phẩm khác":
        "Processed meat, aquatic, egg and dairy products, and products from honey, other syrups "
        "and other agricultural foods",
    "Tương, nước mắm, gia vị dạng lỏng khác": "Sauces, fish sauce and other liquid condiments",
    "Gia vị khác (muối, hành, tỏi, tiêu)": "Other condiments (salt, shallots, garlic, pepper)",
    "Chè tươi, chè chế biến": "Fresh and processed tea",
    "Sản phẩm trà từ thực vật khác": "Tea-like products from other plants",
    "Cà phê, cacao": "Coffee and cocoa",
    "Rượu trắng": "White spirits",
    "Đồ uống có cồn khác": "Other alcoholic beverages",
    "Nước khoáng thiên nhiên, nước uống đóng chai": "Natural mineral water and bottled drinking water",
    "Đồ uống không cồn khác": "Other non-alcoholic beverages",
    "Thực phẩm chức năng, thuốc dược liệu, thuốc cổ truyền":
        "Functional foods, herbal medicines and traditional medicines",
    "Mỹ phẩm có thành phần từ dược liệu": "Cosmetics with herbal ingredients",
    "Tinh dầu và dược liệu khác": "Essential oils and other medicinal herbs",
    "Thủ công mỹ nghệ": "Handicrafts",
    "Vải, may mặc": "Textiles and garments",
    "Hoa": "Flowers",
    "Cây cảnh": "Ornamental plants",
    "Động vật cảnh": "Ornamental animals",
    "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch":
        "Community tourism, eco-tourism services and tourist sites",
}

MINISTRIES = {  # vi -> (code, en)
    "Bộ Nông nghiệp và Môi trường": ("MAE", "Ministry of Agriculture and Environment"),
    "Bộ Công Thương": ("MOIT", "Ministry of Industry and Trade"),
    "Bộ Y tế": ("MOH", "Ministry of Health"),
    "Bộ Văn hóa, Thể thao và Du lịch": ("MCST", "Ministry of Culture, Sports and Tourism"),
}

PARTS_EN = {"A": "Product and community strength", "B": "Marketing capability", "C": "Product quality"}

SECTIONS_EN = {  # key: section title upper-cased, parenthetical/trailing text removed
    "TỔ CHỨC SẢN XUẤT": "Production organisation",
    "TỔ CHỨC DỊCH VỤ CỘNG ĐỒNG": "Community service organisation",
    "PHÁT TRIỂN SẢN PHẨM": "Product development",
    "SỨC MẠNH CỘNG ĐỒNG": "Community strength",
    "TIẾP THỊ": "Marketing",
    "CÂU CHUYỆN SẢN PHẨM": "Product story",
    "CÂU CHUYỆN VỀ SẢN PHẨM": "Product story",
    "CHỈ TIÊU CẢM QUAN": "Sensory indicators",
    "DINH DƯỠNG": "Nutrition",
    "TÍNH ĐỘC ĐÁO": "Uniqueness",
    "CÔNG BỐ CHẤT LƯỢNG SẢN PHẨM": "Product quality declaration",
    "CÔNG BỐ CHẤT LƯỢNG": "Quality declaration",
    "CÔNG BỐ SẢN PHẨM": "Product declaration",
    "ĐẢM BẢO CHẤT LƯỢNG SẢN PHẨM": "Product quality assurance",
    "ĐIỀU KIỆN ĐẢM BẢO AN TOÀN CHẤT LƯỢNG SẢN PHẨM": "Conditions ensuring product safety and quality",
    "HƯỚNG DẪN SỬ DỤNG ĐỂ ĐẢM BẢO SẢN PHẨM CÓ CHẤT LƯỢNG TỐT NHẤT CHO NGƯỜI TIÊU DÙNG":
        "Instructions for use ensuring the best product quality for consumers",
    "CƠ HỘI THỊ TRƯỜNG TOÀN CẦU": "Global market opportunity",
    "SỰ TIỆN LỢI KHI SỬ DỤNG, BẢO QUẢN": "Convenience of use and storage",
    "HIỆU QUẢ SỬ DỤNG": "Effectiveness in use",
    "CHẤT LƯỢNG SẢN PHẨM": "Product quality",
    "CHẤT LƯỢNG AN TOÀN THỰC PHẨM": "Food safety quality",
    "KIỂM TRA ĐỊNH KỲ": "Periodic inspection",
    "CÁC CHỈ TIÊU": "Indicators",
    "TÍNH AN TOÀN": "Safety",
    "VỊ TRÍ": "Location",
    "KIẾN TRÚC VÀ CẢNH QUAN MÔI TRƯỜNG": "Architecture and environmental landscape",
    "ĐÁP ỨNG ĐIỀU KIỆN KINH DOANH DỊCH VỤ": "Meeting service business conditions",
    "ĐẢM BẢO AN TOÀN VÀ AN NINH TRẬT TỰ": "Safety, security and public order",
    "TÍNH HOÀN THIỆN CỦA QUÁ TRÌNH DỊCH VỤ": "Completeness of the service process",
    "HOẠT ĐỘNG TRẢI NGHIỆM": "Experience activities",
    "QUẢN LÝ VÀ NHÂN VIÊN": "Management and staff",
    "CHẤT LƯỢNG SẢN PHẨM DỊCH VỤ DU LỊCH": "Quality of tourism service products",
    "CHẤT LƯỢNG PHỤC VỤ": "Service quality",
    "TIỆN NGHI": "Amenities",
    "HOẠT ĐỘNG THU HÚT KHÁCH DU LỊCH": "Activities attracting tourists",
    "HÀNG HÓA DỊCH VỤ": "Goods and services (food and drink, souvenirs…)",
}

# Knock-out phrases found in notes: (pattern, code, effect).  effect: "reject" (the dossier /
# product is rejected), "stop_evaluation" (the other criteria are not evaluated),
# "not_evaluated" (the product is not evaluated at all).
NOTE_KNOCKOUTS = [
    (r"[Bb]ị loại nếu sử dụng toàn bộ nguyên liệu nhập khẩu", "imported_or_unknown_raw_material", "reject"),
    (r"[Bb]ị loại nếu phát hiện giống hệt", "copy_of_other_product", "reject"),
    (r"vi phạm sở hữu trí tuệ.*loại", "intellectual_property_violation", "reject"),
    (r"tạp chất.*không (đánh giá|xem xét)|không xem xét các chỉ tiêu khác nếu sản phẩm có các tạp chất",
     "food_safety_contaminant", "stop_evaluation"),
    (r"Nếu được 0 điểm tại một trong các chỉ tiêu trên", "zero_score_stop", "stop_evaluation"),
    (r"Không đánh giá các bước tiếp theo nếu không có Phiếu công bố", "no_product_declaration",
     "stop_evaluation"),
    (r"Không đánh giá những sản phẩm có tính phổ biến", "common_product_not_distinctive", "not_evaluated"),
]

# --------------------------------------------------------------------------- text helpers

WS = re.compile(r"\s+")
STARS = re.compile(r"\s*((?:\*\s*){3,5})$")
HEADING = re.compile(r"^(\d+(?:\.\d+)*)\.?\s+(\S.*)$")
PART = re.compile(r"^PHẦN\s*([ABC])\b\s*:?\s*(.*)$", re.IGNORECASE)
CASE = re.compile(r"^([a-z])\.\s*Trường hợp\s*(\d+)\s*:\s*(.*)$")
OPTION = re.compile(r"^(?:□|o\s)\s*(.*)$")


def clean(s: str) -> str:
    return WS.sub(" ", s.replace("\xa0", " ")).strip()


def paragraphs(cell) -> list[str]:
    ps = cell.find_all("p")
    texts = [clean(p.get_text()) for p in ps] if ps else [clean(cell.get_text())]
    texts = [t for t in texts if t]
    if WS.sub("", "".join(texts)) != WS.sub("", clean(cell.get_text())):
        raise ValueError(f"text outside paragraphs in cell {clean(cell.get_text())[:80]!r}")
    return texts


def sentence_case(s: str) -> str:
    """'TỔ CHỨC SẢN XUẤT (Kiểm tra …)' -> 'Tổ chức sản xuất (Kiểm tra …)'; mixed case is kept."""
    head, sep, tail = s.partition("(")
    if head.upper() == head:
        head = head[:1] + head[1:].lower()
    return head + sep + tail


def section_key(title: str) -> str:
    return clean(re.split(r"[(]", title)[0]).rstrip(" :").upper()


def vi(text):
    return None if text is None else {"vi": text}


# --------------------------------------------------------------------------- Annex I

def parse_annex1(table) -> list[dict]:
    leaves, sector, group = [], None, None

    def leaf(subgroup_vi, ministry_text):
        names = [clean(x) for x in ministry_text.split(";") if clean(x)]
        ministries = [{"code": MINISTRIES[n][0], "vi": n, "en": MINISTRIES[n][1]} for n in names]
        leaves.append({
            "sector": sector,
            "group": {"vi": group, "en": GROUPS_EN[group]},
            "subgroup": None if subgroup_vi is None else {"vi": subgroup_vi, "en": SUBGROUPS_EN[subgroup_vi]},
            "lead_ministry": {"vi": "; ".join(m["vi"] for m in ministries),
                              "en": "; ".join(m["en"] for m in ministries)},
            "lead_ministries": ministries,
        })

    for tr in table.find_all("tr"):
        cells = [clean(c.get_text()) for c in tr.find_all(["td", "th"], recursive=False)]
        if len(cells) < 3 or cells[0] == "STT":
            continue
        stt, label, ministry = cells[:3]
        if stt in SECTORS:
            code, svi, sen = SECTORS[stt]
            sector = {"code": code, "vi": svi, "en": sen}
        elif label.startswith("Nhóm:"):
            group = clean(label[len("Nhóm:"):])
            if ministry:  # a group without subgroups is itself a leaf
                leaf(None, ministry)
        elif label.startswith("Phân nhóm:"):
            leaf(clean(label[len("Phân nhóm:"):]), ministry)
        else:
            raise ValueError(f"Annex I: unexpected row {cells!r}")
    return leaves


def parse_annex2_index(table) -> list[str]:
    names = []
    for tr in table.find_all("tr"):
        cells = [clean(c.get_text()) for c in tr.find_all(["td", "th"], recursive=False)]
        if len(cells) >= 2 and cells[0].isdigit():
            assert int(cells[0]) == len(names) + 1, cells
            names.append(clean(re.sub(r"^Bộ sản phẩm:", "", cells[1])))
    return names


# --------------------------------------------------------------------------- Annex II tables

class SetParser:
    """Row-by-row state machine over one criteria table (two columns: text, points)."""

    def __init__(self, code: str):
        self.code = code
        self.parts: list[dict] = []
        self.part = self.section = self.criterion = self.group = None
        self.case = None
        self.knockouts: list[dict] = []
        self.total = None
        self.pending = []  # description rows under a section before its first criterion
        self.odd_bullets = []  # options not marked with "□" in the annex

    # -- structure ---------------------------------------------------------------------
    def new_part(self, letter, title, points):
        name = clean(re.sub(r"\(\s*\d+\s*[Đđ]iểm\s*\)", "", title))
        stated = re.search(r"\(\s*(\d+)\s*[Đđ]iểm\s*\)", title)
        note = None
        if stated and int(stated.group(1)) != points:
            note = (f"Heading says '({stated.group(1)} Điểm)' but the score column gives {points}; "
                    f"{points} is used (the sections add up to it).")
        self.part = {"code": letter, "name": {"vi": sentence_case(name), "en": PARTS_EN[letter]},
                     "max_points": points, "source_note": note, "sections": []}
        self.parts.append(self.part)
        self.section = self.criterion = self.group = None

    def new_section(self, code, paras, points):
        title = paras[0]
        key = section_key(title)
        if key not in SECTIONS_EN:
            raise KeyError(f"set {self.code}: no English name for section {title!r}")
        self.section = {"code": code, "name": {"vi": sentence_case(title), "en": SECTIONS_EN[key]},
                        "max_points": points, "note": None, "criteria": []}
        self.part["sections"].append(self.section)
        self.criterion = self.group = None
        self.case = None
        self.pending = list(paras[1:])

    def new_criterion(self, code, name, points, extra=(), implicit=False):
        c = {"code": code, "name": {"vi": name}, "max_points": points, "requirement": None,
             "note": None, "implicit": implicit, "group": None, "cases": None,
             "source_note": None, "options": []}
        if self.group and code.startswith(self.group["code"] + "."):
            c["group"] = self.group
        self.section["criteria"].append(c)
        self.criterion = c
        self.case = None
        for p in extra:
            self.add_text(p)

    def heading(self, code, paras, points):
        depth = code.count(".") + 1
        if depth == 1:
            self.new_section(code, paras, points)
        elif depth == 2:
            # a level-2 heading may turn out to be a group of level-3 criteria; decide lazily
            self.flush_pending()
            self.group = None
            self.new_criterion(code, paras[0], points, paras[1:])
        elif depth == 3:
            parent = code.rsplit(".", 1)[0]
            last = self.section["criteria"][-1] if self.section["criteria"] else None
            if last is not None and last["code"] == parent and not last["options"]:
                # promote the childless level-2 criterion into a group
                self.section["criteria"].pop()
                self.group = {"code": parent, "name": last["name"], "max_points": last["max_points"]}
            elif not (self.group and self.group["code"] == parent):
                raise ValueError(f"set {self.code}: criterion {code} without group {parent}")
            self.new_criterion(code, paras[0], points, paras[1:])
        else:
            raise ValueError(f"set {self.code}: heading too deep {code}")

    def flush_pending(self):
        if self.pending:
            self.section["note"] = vi("\n".join(self.pending))
            self.pending = []

    def ensure_criterion(self):
        if self.criterion is None:  # options directly under a section
            s = self.section
            self.new_criterion(s["code"], s["name"]["vi"], s["max_points"], implicit=True)
            self.criterion["source_note"] = s.pop("_stray", None)
            pend, self.pending = self.pending, []
            for p in pend:
                self.add_text(p)
        return self.criterion

    # -- content -----------------------------------------------------------------------
    def add_text(self, text):
        """A non-option, non-heading line: requirement, note, case marker."""
        if self.criterion is None and self.section is not None and not self.section_level(text):
            self.pending.append(text)
            return
        m = CASE.match(text)
        if m:
            c = self.ensure_criterion()
            c["cases"] = (c["cases"] or []) + [{"code": m.group(2), "name": {"vi": clean(m.group(3))}}]
            self.case = m.group(2)
            return
        if self.section_level(text):
            target = self.section
            target["note"] = vi(text if target["note"] is None else target["note"]["vi"] + "\n" + text)
            self.knockout_from_note(text, None)
            return
        c = self.criterion
        if text.startswith("Yêu cầu:"):
            req = clean(text[len("Yêu cầu:"):])
            c["requirement"] = vi(req if c["requirement"] is None else c["requirement"]["vi"] + "\n" + req)
        else:
            c["note"] = vi(text if c["note"] is None else c["note"]["vi"] + "\n" + text)
            self.knockout_from_note(text, c)

    @staticmethod
    def section_level(text):
        return "các chỉ tiêu trên" in text

    def knockout_from_note(self, text, criterion):
        for pattern, code, effect in NOTE_KNOCKOUTS:
            if re.search(pattern, text, re.IGNORECASE):
                self.knockouts.append({"code": code, "effect": effect,
                                       "criterion": criterion["code"] if criterion else None,
                                       "text": {"vi": text}})
                if code == "zero_score_stop":  # every 0-point option of the section above
                    for crit in self.section["criteria"]:
                        for o in crit["options"]:
                            if o["points"] == 0:
                                o["knockout"] = True
                if code == "no_product_declaration" and criterion:
                    for o in criterion["options"]:
                        if re.match(r"Không có (hồ sơ|phiếu) công bố", o["text"]["vi"], re.IGNORECASE):
                            o["knockout"] = True
                return

    def option(self, paras, points):
        c = self.ensure_criterion()
        first = OPTION.match(paras[0]).group(1)
        texts, notes = [first], []
        for p in paras[1:]:
            (notes if re.match(r"(Ghi chú|Chú ý)", p) else texts).append(p)
        text = clean(" ".join(texts))
        star = None
        m = STARS.search(text)
        if m:
            star = m.group(1).count("*")
            text = text[: m.start()].rstrip()
        knockout = bool(re.search(r"\b(bị loại|loại bỏ)\b", text, re.IGNORECASE))
        opt = {"code": f"{c['code']}.{chr(ord('a') + len(c['options']))}", "text": {"vi": text},
               "points": points, "star_min": star, "knockout": knockout}
        if self.case is not None:
            opt["case"] = self.case
        if not paras[0].startswith("□"):
            self.odd_bullets.append((c, opt["code"], paras[0][:1]))
        c["options"].append(opt)
        for n in notes:
            self.add_text(n)

    def row(self, cells):
        paras = paragraphs(cells[0])
        scores = paragraphs(cells[1]) if len(cells) > 1 else []
        score = scores[0] if scores else ""
        stray = None
        if len(scores) > 1:
            stray = (f"the score cell reads {' / '.join(repr(x) for x in scores)}; the first value "
                     f"({scores[0]}) is used")
        if not paras:
            return
        head = paras[0]
        if head == "Các tiêu chí":
            return
        points = int(score) if re.fullmatch(r"\d+", score) else None
        if score and points is None:
            raise ValueError(f"set {self.code}: bad score {score!r} for {head!r}")
        if head.upper().startswith("TỔNG CỘNG"):
            self.total = points
            return
        m = PART.match(" ".join(paras))
        if m:
            self.new_part(m.group(1).upper(), m.group(2), points)
            return
        if OPTION.match(head):
            self.option(paras, points)  # points None: the annex leaves the score cell blank
            return
        m = HEADING.match(head)
        if m and points is not None:
            self.heading(m.group(1), [m.group(2)] + paras[1:], points)
            if stray:
                if m.group(1).count(".") == 0:
                    self.section["_stray"] = stray
                else:
                    self.criterion["source_note"] = stray
            return
        if stray:
            raise ValueError(f"set {self.code}: several scores {scores!r} for {head!r}")
        if points is not None:
            raise ValueError(f"set {self.code}: unexpected scored row {head!r}")
        for p in paras:
            self.add_text(p)


def parse_criteria_table(code, table):
    p = SetParser(code)
    for tr in table.find_all("tr"):
        cells = tr.find_all(["td", "th"], recursive=False)
        if cells:
            p.row(cells)
    if p.total != 100:
        raise ValueError(f"set {code}: total row {p.total}")
    for crit, ocode, bullet in p.odd_bullets:
        note = f"option {ocode} is marked '{bullet}' instead of '□'"
        crit["source_note"] = note if not crit["source_note"] else crit["source_note"] + "; " + note
    return p


# --------------------------------------------------------------------------- annotate

def annotate(data):
    """Record inconsistencies of the annex itself (never corrected)."""
    notes = []
    for part in data["parts"]:
        ssum = sum(s["max_points"] for s in part["sections"])
        if ssum != part["max_points"]:
            notes.append(f"Part {part['code']}: sections add up to {ssum}, not {part['max_points']}.")
        for s in part["sections"]:
            csum = sum(c["max_points"] for c in s["criteria"])
            if csum != s["max_points"]:
                notes.append(f"Section {s['code']}: criteria add up to {csum}, not {s['max_points']}.")
            groups = {}
            for c in s["criteria"]:
                if c["group"]:
                    groups.setdefault(c["group"]["code"], [c["group"], 0])[1] += c["max_points"]
            for gcode, (g, gsum) in groups.items():
                if gsum != g["max_points"]:
                    notes.append(f"Group {gcode}: criteria add up to {gsum}, not {g['max_points']}.")
            for c in s["criteria"]:
                problems = []
                if not c["options"]:
                    problems.append(f"the annex lists no options (□) for this criterion "
                                    f"(maximum {c['max_points']})")
                else:
                    blank = [o["code"] for o in c["options"] if o["points"] is None]
                    if blank:
                        problems.append(f"the score cell of option {', '.join(blank)} is blank "
                                        f"(points null)")
                    by_case = {}
                    for o in c["options"]:
                        if o["points"] is not None:
                            by_case.setdefault(o.get("case"), []).append(o["points"])
                    for case, pts in by_case.items():
                        best = max(pts)
                        if best != c["max_points"]:
                            where = f" in case {case}" if case else ""
                            problems.append(f"best option{where} scores {best} but the maximum is "
                                            f"{c['max_points']}")
                    stars = [o["star_min"] for o in c["options"] if o["star_min"]]
                    if stars != sorted(stars):
                        problems.append("star minimums do not increase with the options")
                if c["source_note"]:
                    problems.insert(0, c["source_note"])
                if problems:
                    c["source_note"] = "; ".join(problems) + " (as published; not corrected)."
    return notes


# --------------------------------------------------------------------------- driver

def heading_before(table, prev):
    """Paragraphs between the previous table and this one (set title, knock-out lines)."""
    out = []
    for el in prev.next_elements:
        if el is table:
            break
        if getattr(el, "name", None) == "p" and not el.find_parent("table"):
            t = clean(el.get_text())
            if t:
                out.append(t)
    return out


def build(html_path: Path) -> dict[str, dict]:
    soup = BeautifulSoup(html_path.read_text(encoding="utf-8"), "lxml")
    tables = [t for t in soup.find_all("table") if not t.find_parent("table")]

    def first_cell(t):
        td = t.find(["td", "th"])
        return clean(td.get_text()) if td else ""

    annex1 = next(t for t in tables if "Phân loại sản phẩm" in clean(t.get_text()[:400]) and
                  first_cell(t) == "STT")
    index = next(t for t in tables if first_cell(t) == "STT" and "Bộ sản phẩm:" in t.get_text())
    criteria_tables = [t for t in tables if first_cell(t) == "Các tiêu chí"]
    leaves = parse_annex1(annex1)
    names = parse_annex2_index(index)
    if not (len(leaves) == len(names) == len(criteria_tables) == 26):
        raise ValueError(f"expected 26 sets: {len(leaves)} leaves, {len(names)} names, "
                         f"{len(criteria_tables)} tables")

    out = {}
    for i, table in enumerate(criteria_tables):
        code = f"{i + 1:02d}"
        prev = tables[tables.index(table) - 1]
        before = heading_before(table, prev)
        p = parse_criteria_table(code, table)
        leaf = leaves[i]
        set_notes = []
        title = next((b for b in before if re.match(rf"^{i + 1}\.\s", b)), None)
        heading = next((b for b in before if b.startswith("(Sản phẩm:")), None)
        knockouts, seen = [], set()
        for b in before:
            if re.match(r"^(Hồ sơ )?[Bb]ị loại khi", b) and b not in seen:
                seen.add(b)
                knockouts.append({"code": "dossier", "effect": "reject", "criterion": None,
                                  "text": {"vi": b}})
        if not knockouts:
            set_notes.append("The annex gives no 'Hồ sơ bị loại khi' (dossier rejection) line for "
                             "this set.")
        if heading:
            m = re.search(r"Nhóm:\s*([^)]*)\)", heading)
            if m and clean(m.group(1)).rstrip(".").lower() != leaf["group"]["vi"].lower():
                set_notes.append(f"The set's heading names the group '{clean(m.group(1))}'; Annex I "
                                 f"classifies it under '{leaf['group']['vi']}', which is used.")
        data = {
            "code": code,
            "rule_version": RULE_VERSION,
            "name": {"vi": names[i], "en": SET_NAMES_EN[names[i]]},
            "sector": leaf["sector"],
            "group": leaf["group"],
            "subgroup": leaf["subgroup"],
            "lead_ministry": leaf["lead_ministry"],
            "lead_ministries": leaf["lead_ministries"],
            "heading": vi(" ".join(x for x in (title, heading) if x)),
            "source_note": None,
            "knockouts": knockouts + p.knockouts,
            "parts": p.parts,
        }
        if [x["code"] for x in p.parts] != ["A", "B", "C"]:
            raise ValueError(f"set {code}: parts {[x['code'] for x in p.parts]}")
        set_notes += annotate(data)
        data["source_note"] = " ".join(set_notes) or None
        out[code] = data
    return out


def render(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--html", type=Path, default=DEFAULT_HTML)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--check", action="store_true",
                    help="regenerate in memory; exit 1 if the files in --out differ")
    args = ap.parse_args(argv)
    sets = build(args.html)
    expected = {f"{code}.json": render(d) for code, d in sets.items()}
    if args.check:
        present = {p.name for p in args.out.glob("*.json")} if args.out.is_dir() else set()
        bad = sorted(n for n in expected
                     if not (args.out / n).is_file() or (args.out / n).read_text(encoding="utf-8") != expected[n])
        extra = sorted(present - set(expected))
        for n in bad:
            print(f"differs or missing: {args.out / n}", file=sys.stderr)
        for n in extra:
            print(f"not generated: {args.out / n}", file=sys.stderr)
        if bad or extra:
            print("criteria sets are stale: run python -m services.evaluation.criteria.extract",
                  file=sys.stderr)
            return 1
        print(f"{len(expected)} criteria sets up to date in {args.out}")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    for n, text in expected.items():
        (args.out / n).write_text(text, encoding="utf-8")
    print(f"wrote {len(expected)} criteria sets to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
