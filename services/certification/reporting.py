"""Certification's use cases for plans and statistics: keeping the read model from events,
recording a province's plan and its office's reports, and answering progress and
statistics (``plans``, ``statistics``)."""
from chassis.errors import InvalidInput, NotFound, PreconditionFailed, check_revision
from chassis.events import routing_key, timestamp
from chassis.provinces import COMMUNES, PROVINCES
from services.certification import plans, statistics

FIRST_YEAR, LAST_YEAR = 2008, 2100  # the programme began in 2018; older is a typing error
CERTIFICATE_EVENTS = ("certificate.issued", "certificate.superseded", "certificate.revoked",
                      "certificate.expired", "product.imported")


# The read model ---------------------------------------------------------------------------

def on_event(store, event):
    """Apply one event to the read model; applying it again, or after events that came
    later, leaves the same records (``statistics``)."""
    name = routing_key(event)
    data = event["data"]
    where = {k: data[k] for k in statistics.WHERE if data.get(k) is not None}
    product_id = data.get("product_id")
    if name in CERTIFICATE_EVENTS:
        code, fields = statistics.certificate_fact(event)
        if name == "certificate.issued":
            fields["commune_code"] = commune_of_product_code(data["product_code"])
            if fields["commune_code"] is not None:
                where["commune_code"] = fields["commune_code"]
        store.set_certificate_fact(code, fields, event["id"])
        held = store.certificates_of_product(product_id)
        store.summarise(product_id, where, statistics.current_of(held),
                        statistics.revision_of(held))
    if name in statistics.STEPS:
        store.record_step(statistics.step_of(event))
    stage = statistics.stage_of(event)
    if stage is not None and product_id is not None:
        store.set_stage(product_id, where, stage, event["time"], event["id"])
    store.changed(data["province_code"])


def commune_of_product_code(product_code):
    """The commune in a product code ``(T)-(X)-(STT)-(year)``; None without one."""
    parts = (product_code or "").split("-")
    return parts[1] if len(parts) == 4 and parts[1] in COMMUNES else None


# Plans ------------------------------------------------------------------------------------

def plan_key(province_code, year):
    """The plan's id, once the path's province and year are known to be ones."""
    if province_code not in PROVINCES:
        raise InvalidInput("Tham số province không hợp lệ", "The parameter province is not "
                           "valid", [{"parameter": "province", "detail": "Không có tỉnh, "
                                      "thành phố mã này / No province with this code"}])
    year = str(year)  # the API's path gives an integer, a caller may give its digits
    if not (year.isdigit() and FIRST_YEAR <= int(year) <= LAST_YEAR):
        raise InvalidInput("Tham số year không hợp lệ", "The parameter year is not valid",
                           [{"parameter": "year", "detail": f"Năm từ {FIRST_YEAR} đến "
                             f"{LAST_YEAR} / A year from {FIRST_YEAR} to {LAST_YEAR}"}])
    return f"{province_code}-{int(year)}", int(year)


def plan_or_404(store, province_code, year):
    plan_id, _ = plan_key(province_code, year)
    plan = store.plan(plan_id)
    if plan is None:
        raise NotFound(f"Tỉnh {province_code} chưa có kế hoạch năm {year}",
                       f"Province {province_code} has no plan for {year}")
    return plan


def plan_view(plan):
    return {k: v for k, v in plan.items() if k != "_id"}


def record_plan(store, caller, province_code, year, request, expected_revision):
    """Record the province's plan for the year, or replace it with the revision its office
    read (``If-Match``)."""
    plan_id, first_year = plan_key(province_code, year)
    current = store.plan(plan_id)
    if current is not None:
        check_revision(expected_revision, current["revision"])
    elif expected_revision is not None:
        raise stale()
    document = {"_id": plan_id, **plans.checked(province_code, first_year, request),
                "recorded_by": caller.subject, "recorded_at": timestamp(),
                "revision": (current or {}).get("revision", 0) + 1}
    if not store.write_plan(document, None if current is None else current["revision"]):
        raise stale()
    return plan_view(document)


def stale():
    return PreconditionFailed("Kế hoạch vừa được người khác thay đổi: đọc lại rồi gửi lại",
                              "The plan was just changed by someone else: read it again, "
                              "then retry")


def record_report(store, caller, province_code, year, report, on):
    """The office's figure for a measure no event gives (trainings, communes informed,
    organisations strengthened), as of its day; the latest stands."""
    plan = plan_or_404(store, province_code, year)
    measure = plans.MEASURES[report["measure"]]
    if report["reported_on"] > on:
        raise field_refused("/reported_on", "Ngày báo cáo ở tương lai", "The day is in the future")
    if measure.unit == plans.PERCENT:
        if report.get("of") is None:
            raise field_refused("/of", "Cần tổng số để tính tỷ lệ",
                                "A share needs the total it is of")
        if report["count"] > report["of"]:
            raise field_refused("/count", "Lớn hơn tổng số", "More than the total")
    store.record_report(plan["_id"], report["measure"], {
        "count": report["count"], "of": report.get("of"),
        "reported_on": report["reported_on"].isoformat(), "by": caller.subject})
    return progress(store, province_code, year, on)


def field_refused(pointer, vi, en):
    return InvalidInput("Báo cáo không hợp lệ", "The report is not valid",
                        [{"pointer": pointer, "detail": f"{vi} / {en}"}])


def progress(store, province_code, year, on):
    """Each target of the province's plan beside its actual figure on the day ``on``. What
    the read model's records give is counted again only when the province's records or the
    plan changed since it was last counted."""
    plan = plan_or_404(store, province_code, year)
    revision = f"{store.revisions_of([province_code]).get(province_code, 0)}|" \
               f"{plan['revision']}"
    figures = store.counted_for(plan["_id"], revision)
    if figures is None:
        figures = plans.counted(plan, with_communes(store, province_code),
                                store.steps_of(province_code))
        store.keep_counted(plan["_id"], revision, figures)
    return plans.progress(plan, figures, store.points_of_sale_of(province_code),
                          store.reports_of(plan["_id"]), on)


def with_communes(store, province_code):
    """The province's certificates; where a certificate's product code named no commune,
    the one its product's events named."""
    certificates = store.all_certificates(province_code)
    if all(c.get("commune_code") is not None for c in certificates):
        return certificates
    communes = {p["_id"]: p.get("commune_code") for p in store.all_products(province_code)}
    return [{**c, "commune_code": c.get("commune_code") or communes.get(c["product_id"])}
            for c in certificates]


# Statistics -------------------------------------------------------------------------------

def figures(store, province_code, on):
    """The statistics of the country, or of one province: each province's counted from its
    records when they changed since its summary was made (or the day did), the country's
    the sum of its provinces'."""
    if province_code is not None and province_code not in PROVINCES:
        raise InvalidInput("Tham số province không hợp lệ", "The query parameter province "
                           "is not valid", [{"parameter": "province", "detail": "Không có "
                                             "tỉnh, thành phố mã này / No province with "
                                             "this code"}])
    provinces = [province_code] if province_code else sorted(PROVINCES)
    revisions = store.revisions_of(provinces)
    summaries = store.summaries_of(provinces)
    counted = []
    for province in provinces:
        summary = summaries.get(province)
        revision = revisions.get(province, 0)
        if summary is None or summary["revision"] != revision or \
                summary["figures"]["as_of"] != on.isoformat():
            summary = {"figures": statistics.counts(store.all_products(province),
                                                    store.all_certificates(province), on)}
            store.keep_summary(province, revision, summary["figures"])
        counted.append(summary["figures"])
    return {"province_code": province_code, **statistics.summed(counted, on)}
