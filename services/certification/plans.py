"""A province's OCOP plan (kế hoạch thực hiện Chương trình OCOP) and its progress.

A plan is the province's for a year (or a period: the 2018–2020 schemes), adopted by a
decision such as An Giang's 363/KH-UBND of 2023, with typed targets as the seeds write
them (OCOP.md §10). Each target's actual figure is computed from what the events told the
read model (``statistics``), never typed in, except the figures no event gives — staff
and producer leaders trained, communes informed, producer organisations strengthened —
which the province's office reports (``REPORTED``).

How each measure counts, for the products of the plan's area whose certificates were
issued (Vietnam date of issue) in the plan's years:
- a product counts once, at the stars of its latest certificate of those years, and not
  at all when that certificate was revoked: a product upgraded 3★→4★ counts once, as 4★;
- ``certified_new``: products counted whose first certificate is of those years;
- ``certified_4_plus``, ``certified_5_star``: products counted at 4★ or more, at 5★ (5★ is
  recognised by the ministry only: the national level);
- ``potential_5_star``: the "provincial 5★" of the plans written under Decision 1048/2019
  has no counterpart under Decision 26/2026, where a province recognises 3★/4★ only and
  approves a result of 90 points or more as a potential 5★ for the ministry (Art. 7.3.e):
  products the province forwarded so (``evaluation.forwarded``) in those years;
- ``upgraded_3_to_4``: products counted at 4★ that held a 3★ certificate before;
- ``re_rated_percent``: of the products whose certificate reaches its 36 months in those
  years (and was neither revoked nor replaced before they began), the share that got a
  later certificate (a re-rating or an upgrade) in those years;
- ``proposed_per_unit``, ``certified_per_unit``, ``supported_ideas_per_unit``: per commune
  (per former district for a plan written before 1 July 2025), products the province
  proposed for evaluation (``product.submitted``), products counted, ideas whose business
  plan was supported (``plan.supported``, step 4); the actual is the number of units that
  reach the minimum;
- ``points_of_sale_opened``: points of sale and showrooms (trade promotion) opened in those
  years;
- ``trained_percent``, ``communes_informed_percent``, ``organisations_strengthened``: the
  office's latest report.
"""
from dataclasses import dataclass
from datetime import date

from chassis.errors import InvalidInput
from chassis.provinces import COMMUNES
from services.registration import units

# Plans written before the two-tier reform name districts, which it abolished (OCOP.md §9).
TWO_TIERS_FROM = date(2025, 7, 1)
PRODUCTS, PERCENT, UNITS, PLACES, ORGANISATIONS = "products", "percent", "units", \
    "places", "organisations"


@dataclass(frozen=True)
class Measure:
    vi: str
    en: str
    unit: str
    per_unit: bool = False
    reported: bool = False


MEASURES = {
    "certified_new": Measure("Sản phẩm mới đạt 3 sao trở lên", "New products at 3★ or more",
                             PRODUCTS),
    "certified_4_plus": Measure("Sản phẩm đạt 4 sao trở lên", "Products at 4★ or more",
                                PRODUCTS),
    "potential_5_star": Measure("Sản phẩm 5 sao cấp tỉnh (tiềm năng 5 sao, đề nghị Trung "
                                "ương)", "Provincial 5★ (potential 5★ sent to the ministry)",
                                PRODUCTS),
    "certified_5_star": Measure("Sản phẩm 5 sao cấp quốc gia", "National 5★ products",
                                PRODUCTS),
    "upgraded_3_to_4": Measure("Sản phẩm nâng hạng từ 3 sao lên 4 sao",
                               "Products upgraded from 3★ to 4★", PRODUCTS),
    "re_rated_percent": Measure("Sản phẩm hết 36 tháng được đánh giá lại (%)",
                                "Products past 36 months re-rated (%)", PERCENT),
    "proposed_per_unit": Measure("Sản phẩm đề xuất đánh giá mỗi xã (huyện)",
                                 "Products proposed per commune (district)", UNITS,
                                 per_unit=True),
    "certified_per_unit": Measure("Sản phẩm đạt 3 sao trở lên mỗi xã (huyện)",
                                  "Products at 3★ or more per commune (district)", UNITS,
                                  per_unit=True),
    "supported_ideas_per_unit": Measure("Ý tưởng sản phẩm được hỗ trợ mỗi xã (huyện)",
                                        "Product ideas supported per commune (district)",
                                        UNITS, per_unit=True),
    "organisations_strengthened": Measure("Tổ chức kinh tế được củng cố",
                                          "Producer organisations strengthened",
                                          ORGANISATIONS, reported=True),
    "points_of_sale_opened": Measure("Điểm bán, trưng bày sản phẩm OCOP mở mới",
                                     "Points of sale and showrooms opened", PLACES),
    "trained_percent": Measure("Cán bộ và lãnh đạo chủ thể được đào tạo, tập huấn (%)",
                               "Staff and producer leaders trained (%)", PERCENT,
                               reported=True),
    "communes_informed_percent": Measure("Xã, phường được tuyên truyền (%)",
                                         "Communes informed (%)", PERCENT, reported=True),
}
REPORTED = [name for name, measure in MEASURES.items() if measure.reported]


def refused(pointer, vi, en):
    return InvalidInput("Kế hoạch không hợp lệ", "The plan is not valid",
                        [{"pointer": pointer, "detail": f"{vi} / {en}"}])


def checked(province_code, year, plan):
    """The plan as recorded; refused, naming the field, when its years, area or targets
    cannot be counted."""
    last_year = plan.get("last_year") or year
    if last_year < year:
        raise refused("/last_year", "Năm cuối không được trước năm đầu",
                      "The last year cannot be before the first")
    former = plan.get("former_province")
    if former is not None:
        districts = units.former_districts(former)
        if districts is None or districts.province_code != province_code:
            raise refused("/former_province", "Không phải tỉnh cũ thuộc tỉnh này",
                          "Not a former province of this province")
    per_unit = [t for t in plan["targets"] if MEASURES[t["measure"]].per_unit]
    if per_unit and former is None and plan["adopted_on"] < TWO_TIERS_FROM:
        raise refused("/former_province", "Kế hoạch trước 1/7/2025 giao chỉ tiêu theo huyện: "
                      "cần tên tỉnh cũ", "A plan before 1 July 2025 sets targets per "
                      "district: name its former province")
    seen = set()
    for index, target in enumerate(plan["targets"]):
        if target["measure"] in seen:
            raise refused(f"/targets/{index}/measure", "Chỉ tiêu bị lặp",
                          "The measure is repeated")
        seen.add(target["measure"])
        at_most = target.get("at_most")
        if at_most is not None and at_most < target["at_least"]:
            raise refused(f"/targets/{index}/at_most", "Cận trên nhỏ hơn cận dưới",
                          "The upper bound is below the lower")
        if MEASURES[target["measure"]].unit == PERCENT and \
                max(target["at_least"], at_most or 0) > 100:
            raise refused(f"/targets/{index}/at_least", "Tỷ lệ tối đa 100%",
                          "A share is at most 100%")
    return {"province_code": province_code, "year": year, "last_year": last_year,
            "reference": plan["reference"], "adopted_on": plan["adopted_on"].isoformat(),
            "former_province": former, "targets": plan["targets"]}


# The area and its units -------------------------------------------------------------------

@dataclass(frozen=True)
class Area:
    """Where a plan counts: its communes (current codes) and the units of its per-unit
    targets — current communes, or former districts for a plan written before 1 July 2025
    (mapped through registration's legacy units data)."""
    communes: frozenset | None  # None: the whole province, wherever recorded
    unit_names: dict  # unit code → name
    unit_of: dict  # current commune → unit code (None: in the area, in no one unit)

    def contains(self, commune_code):
        return self.communes is None or commune_code in self.communes


def area_of(plan):
    if plan["former_province"] is None:
        communes = {code: name for code, (name, province) in COMMUNES.items()
                    if province == plan["province_code"]}
        return Area(None, communes, {code: code for code in communes})
    districts = units.former_districts(plan["former_province"])
    return Area(frozenset(districts.district_of), dict(districts.names), districts.district_of)


# Progress ---------------------------------------------------------------------------------

def years_of(plan):
    return range(plan["year"], plan["last_year"] + 1)


def in_years(plan, day_text):
    return day_text is not None and int(day_text[:4]) in years_of(plan)


@dataclass(frozen=True)
class Standing:
    """A product's certificates as the plan's years see them."""
    product_id: str
    commune_code: str | None
    counted: dict | None  # its latest certificate of the years, unless revoked
    new: bool  # no certificate before the years
    upgraded: bool  # counted at 4★ after holding 3★
    due: bool  # its certificate reached 36 months in the years
    re_rated: bool  # and a later one was issued in the years


def standing(plan, product_id, certificates):
    """``certificates``: the product's, from the read model (``statistics``)."""
    ordered = sorted(certificates, key=lambda c: (c["issued_on"], c.get("issued_at") or ""))
    first_day = f"{plan['year']:04d}-01-01"
    before = [c for c in ordered if c["issued_on"] < first_day]
    during = [c for c in ordered if in_years(plan, c["issued_on"])]
    latest = during[-1] if during else None
    counted = latest if latest is not None and latest.get("ended") != "revoked" else None
    upgraded = counted is not None and counted["stars"] == 4 and any(
        c["stars"] == 3 for c in ordered if c is not counted and
        (c["issued_on"], c.get("issued_at") or "") <= (counted["issued_on"],
                                                        counted.get("issued_at") or ""))
    holder = before[-1] if before else None
    due = holder is not None and in_years(plan, holder["expires_on"]) and \
        holder.get("ended") != "revoked"
    return Standing(product_id, (counted or latest or ordered[-1]).get("commune_code"),
                    counted, counted is not None and not before, upgraded, due,
                    due and bool(during))


def counted(plan, certificates, steps):
    """What the read model's records give each measure of ``plan``: plain data, kept by
    ``reporting`` until the province's records or the plan change.

    ``certificates``: the read model's certificates of the plan's province (all years);
    ``steps``: its proposals, forwarded potential 5★ and supported ideas."""
    area = area_of(plan)
    by_product = {}
    for certificate in certificates:
        if area.contains(certificate.get("commune_code")):
            by_product.setdefault(certificate["product_id"], []).append(certificate)
    standings = [standing(plan, product, held) for product, held in by_product.items()]
    held = [s for s in standings if s.counted is not None]
    stepped = [s for s in steps if in_years(plan, s["on"]) and area.contains(s["commune_code"])]
    due = [s for s in standings if s.due]
    return {
        "certified_new": len([s for s in held if s.new]),
        "certified_4_plus": len([s for s in held if s.counted["stars"] >= 4]),
        "certified_5_star": len([s for s in held if s.counted["stars"] == 5]),
        "potential_5_star": len({s["product_id"] for s in stepped
                                 if s["step"] == "potential_5_star"}),
        "upgraded_3_to_4": len([s for s in held if s.upgraded]),
        "re_rated_percent": {"due": len(due), "re_rated": len([s for s in due if s.re_rated])},
        "certified_per_unit": [s.commune_code for s in held],
        "proposed_per_unit": [s["commune_code"] for s in unique(stepped, "proposed")],
        "supported_ideas_per_unit": [s["commune_code"]
                                     for s in unique(stepped, "supported_idea")],
    }


def progress(plan, figures, points_of_sale, reports, on):
    """Each target of ``plan`` beside its actual figure on the day ``on``: ``figures`` from
    ``counted``, ``points_of_sale`` the promotion's points of sale and showrooms of the
    province, ``reports`` the office's reports for the plan, by measure."""
    area = area_of(plan)
    lines = []
    for target in plan["targets"]:
        name = target["measure"]
        measure = MEASURES[name]
        details = {}
        if measure.per_unit:
            actual, details = units_reaching(area, figures[name], target["at_least"])
        elif name == "re_rated_percent":
            details = figures[name]
            actual = round(100 * details["re_rated"] / details["due"], 1) \
                if details["due"] else None
        elif measure.reported:
            report = reports.get(name)
            actual = None if report is None else reported_figure(measure, report)
            details = {} if report is None else {
                k: report.get(k) for k in ("count", "of", "reported_on")}
        elif name == "points_of_sale_opened":
            actual = len([p for p in points_of_sale if in_years(plan, p.get("opened_on"))])
        else:
            actual = figures[name]
        lines.append({"measure": name, "label": {"vi": measure.vi, "en": measure.en},
                      "unit": measure.unit, "at_least": target["at_least"],
                      "at_most": target.get("at_most"), "actual": actual,
                      "met": met(target, actual, details), "details": details})
    return {"province_code": plan["province_code"], "year": plan["year"],
            "last_year": plan["last_year"], "reference": plan["reference"],
            "former_province": plan["former_province"], "as_of": on.isoformat(),
            "targets": lines}


def unique(steps, kind):
    """One per subject (a product or idea) and kind, whatever the times it came."""
    return list({s["subject"]: s for s in steps if s["step"] == kind}.values())


def units_reaching(area, communes, at_least):
    """How many units reach ``at_least``, and each unit's figure."""
    counts = {code: 0 for code in area.unit_names}
    unplaced = 0
    for commune in communes:
        unit = area.unit_of.get(commune)
        if unit is None:
            unplaced += 1
        else:
            counts[unit] += 1
    reaching = len([n for n in counts.values() if n >= at_least])
    return reaching, {"units": len(counts), "unplaced": unplaced, "by_unit": [
        {"code": code, "name": area.unit_names[code], "actual": counts[code]}
        for code in sorted(counts)]}


def reported_figure(measure, report):
    if measure.unit == PERCENT:
        return round(100 * report["count"] / report["of"], 1)
    return report["count"]


def met(target, actual, details):
    """Whether the actual reaches the target (a per-unit target: every unit reaches it;
    a re-rating share with nothing due: met)."""
    if "units" in details:
        return actual == details["units"]
    if actual is None:
        return "due" in details
    return actual >= target["at_least"]
