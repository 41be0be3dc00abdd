"""Registration's use cases: what each command and each incoming event does."""
import logging
import uuid
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from chassis import outbox, pages
from chassis.contracts import event_factory
from chassis.errors import Conflict, InvalidInput, NotFound, field_error
from chassis.events import rfc3339, timestamp, utc_now
from chassis.identity import COMMUNE_OFFICER, PROVINCE_OFFICER
from chassis.names import words
from chassis.outbox import resource
from chassis.provinces import PROVINCES
from services.registration import commune_review, dossiers, evidence, imports, \
    product_codes, producers, steps, submissions, timeline, working_days
from services.registration.contracts import PUBLISHED
from services.registration.stages import Move, Stage, allowed_from, move_after_evaluation, \
    target_of
from services.registration.store import DuplicateProducer

log = logging.getLogger(__name__)
SERVICE = "registration"
make_event = event_factory(SERVICE, PUBLISHED)


def producer_registered(producer):
    return make_event("producer.registered", f"producers/{producer['_id']}", {
        "producer_id": producer["_id"], "name": producer["name"], "kind": producer["kind"],
        "province_code": producer["province_code"],
        "commune_code": producer["commune_code"], "imported": producer["imported"]})


def new_producer(producer_id, producer):
    """A producer's document: as registered, stamped for the lists, its name searchable."""
    return pages.stamped({"_id": producer_id, "imported": False, **producer,
                          "search_words": words(producer["name"])})


def register_producer(store, producer):
    producer = new_producer(str(uuid.uuid4()), producer)
    try:
        store.add_producer(producer, [producer_registered(producer)])
    except DuplicateProducer:
        raise Conflict(
            "Mã số thuế này đã được đăng ký cho một chủ thể khác",
            "This tax code is already registered to a producer",
            [field_error("/tax_code", "Mã số thuế đã tồn tại", "Tax code already exists")])
    return resource({k: v for k, v in producer.items() if k != "search_words"})


def producer_or_404(store, producer_id):
    producer = store.producer(producer_id)
    if producer is None:
        raise NotFound(f"Không có chủ thể {producer_id}", f"No producer {producer_id}")
    return producer


def scope_of(document, producer_id):
    """Whose it is and where: what the gateway's policy checks a caller against."""
    return {"producer_id": producer_id, "province_code": document["province_code"],
            "commune_code": document.get("commune_code")}


def producer_scope(store, producer_id):
    return scope_of(producer_or_404(store, producer_id), producer_id)


def product_scope(store, product_id):
    product = product_or_404(store, product_id)
    return scope_of(product, product["producer_id"])


def new_product(product_id, product, producer, **details):
    """A product's document, stamped for the lists, its name searchable."""
    document = pages.stamped({
        "_id": product_id, **product, "producer_name": producer["name"],
        "province_code": producer["province_code"],
        "commune_code": producer.get("commune_code"), "stage": Stage.REGISTERED.value,
        "evaluation_id": None, "score": None, "stars": None, "certificate_code": None,
        "certificate_expires_at": None, "submission_kind": None, "rejection_reason": None,
        "product_code": None, "dossier": None, "imported": None,
        "search_words": words(product["name"]), **details})
    return {**document, "updated_at": document["created_at"]}


def known_producer(store, producer_id):
    """The producer a new product or idea names; its absence is the body's fault (422)."""
    producer = store.producer(producer_id)
    if producer is None:
        raise InvalidInput(
            "Chủ thể chưa được đăng ký", "The producer is not registered",
            [field_error("/producer_id", "Không có chủ thể này", "No such producer")])
    return producer


def register_product(store, product, caller):
    producer = known_producer(store, product["producer_id"])
    dossiers.check_category(product["category"])
    if not producers.may_register(producer.get("kind"), product["category"]):
        raise InvalidInput(
            "Hội, hiệp hội, trung tâm điều hành chỉ đăng ký sản phẩm du lịch cộng đồng "
            "(bộ 26, Quyết định 26/2026 Điều 2.3)",
            "Associations and operating centres register community tourism only (set 26, "
            "Decision 26/2026 Art. 2.3)",
            [field_error("/category", f"Phải là {producers.TOURISM}",
                         f"Must be {producers.TOURISM}")])
    registered = timeline.entry(utc_now(), Stage.REGISTERED.value, "product.registered",
                                timeline.person(caller))
    document = new_product(str(uuid.uuid4()), product, producer,
                           timeline={timeline.key(registered): registered})
    store.add_product(document)
    return product_view(document)


def listed(store, collection, filters, limit, cursor):
    """A page of producers or products matching ``filters`` (scoped by the gateway's
    policy), newest first; ``name`` matches the folded words of names."""
    if "name" in filters:
        filters = {**filters, "name": words(filters["name"])}
    found = store.page(collection, filters, limit, cursor)
    view = product_view if collection == "products" else resource
    return {"items": [view(d) for d in found["items"]], "next": found["next"]}


def product_or_404(store, product_id):
    product = store.product(product_id)
    if product is None:
        raise NotFound(f"Không có sản phẩm {product_id}", f"No product {product_id}")
    return product


def product_moved(store, event, move, changes):
    product_id = event["data"]["product_id"]
    service = event["source"].rsplit("/", 1)[-1]
    entry = timeline.entry(utc_now(), target_of(move).value, event["type"],
                           timeline.service(service), **changes)
    if not store.move(product_id, move, changes, entry=entry):
        log.info("%s for product %s ignored: its stage does not allow %s",
                 event["type"], product_id, move.value)


def on_evaluation_opened(store, event):
    product_moved(store, event, Move.OPEN_EVALUATION,
                  {"evaluation_id": event["data"]["evaluation_id"]})


def on_review_requested(store, event):
    """Only a request to complete the dossier sends it back to the producer."""
    if event["data"]["review_kind"] == "completion":
        product_moved(store, event, Move.RETURN, {})


def on_evaluation_rejected(store, event):
    product_moved(store, event, Move.REJECT, {"rejection_reason": event["data"]["reason"]})


def on_approval_refused(store, event):
    """A potential 5★ the provincial chair did not approve ends unranked: nothing is
    recognised on it, and it may be filed again (services/evaluation/forwarding.py)."""
    product_moved(store, event, Move.DECLINE,
                  {"evaluation_id": event["data"]["evaluation_id"]})


def on_evaluation_completed(store, event):
    data = event["data"]
    product_moved(store, event, move_after_evaluation(data["stars"]), {
        "evaluation_id": data["evaluation_id"], "score": data["score"],
        "stars": data["stars"]})


def on_certificate_issued(store, event):
    data = event["data"]
    product_moved(store, event, Move.CERTIFY, {
        "certificate_code": data["code"], "certificate_expires_at": data["expires_at"],
        "stars": data["stars"]})


# Import of what a province already certified (imports.py) ------------------------------

# Ids derived from what identifies a row, so that importing it again finds it.
IMPORTS = uuid.UUID("6f1c2a44-6e0b-4f7e-9a57-2f0c1d1b5a10")
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
IMPORT_BATCH = 1000  # products per insert_many


def import_products(store, province_code, file_name, data, by):
    """Check every row of a province's spreadsheet, then apply it whole; the same file
    again creates nothing new (its import is found by the file's fingerprint), and one
    left half-applied by a crash is completed when it is sent again."""
    rows = imports.validated(data, province_code)
    fingerprint = imports.fingerprint(data)
    import_id = str(uuid.uuid5(IMPORTS, f"import:{province_code}:{fingerprint}"))
    store.add_import(pages.stamped({
        "_id": import_id, "province_code": province_code, "file_name": file_name,
        "sha256": fingerprint, "status": "applying", "rows": len(rows),
        "communes_mapped": sum(1 for r in rows if r["commune_code"]), "by": by,
        "producers_created": None, "products_created": None, "completed_at": None,
        "pending_rows": rows}))
    if store.get_import(import_id)["status"] != "completed":
        apply_import(store, import_id)
    return import_report(store, import_id)


def import_report(store, import_id):
    report = store.get_import(import_id)
    if report is None:
        raise NotFound(f"Không có lần nhập {import_id}", f"No import {import_id}")
    return resource(report)


def apply_import(store, import_id):
    """Write an import's rows: producers not registered yet, then products, each insert
    idempotent (ids derived from the tax code and the certificate number), each document
    with the events its creation causes; then the import's completion and its event."""
    document = store.get_import(import_id, with_rows=True)
    province_code, rows = document["province_code"], document["pending_rows"]
    first_row = {}
    for row in rows:
        first_row.setdefault(row["tax_code"], row)
    known = store.producers_by_tax_code(first_row)
    new_producers = [imported_producer(row, import_id) for tax_code, row in first_row.items()
                     if tax_code not in known]
    store.insert_new("producers", [outbox.new_document(p, [producer_registered(p)])
                                   for p in new_producers])
    owners = store.producers_by_tax_code(first_row)  # also those registered meanwhile
    products = [imported_product(row, owners[row["tax_code"]], province_code, import_id)
                for row in rows]
    for start in range(0, len(products), IMPORT_BATCH):
        store.insert_new("products", products[start:start + IMPORT_BATCH])
    counts = {"products_created": store.count_imported("products", import_id),
              "producers_created": store.count_imported("producers", import_id)}
    completed = make_event("import.completed", f"imports/{import_id}", {
        "import_id": import_id, "province_code": province_code, "rows": len(rows), **counts,
        "completed_at": timestamp()})
    store.complete_import(import_id, counts, [completed])


def imported_producer(row, import_id):
    return new_producer(str(uuid.uuid5(IMPORTS, f"producer:{row['tax_code']}")), {
        "name": row["producer"], "kind": row["kind"], "tax_code": row["tax_code"],
        "legal_representative": None, "street": None, "contact": None,
        "province_code": row["province_code"], "commune_code": row["commune_code"],
        "legacy_address": row["written"], "imported": True, "import_id": import_id})


def imported_product(row, producer, province_code, import_id):
    product_id = str(uuid.uuid5(IMPORTS, f"product:{province_code}:"
                                         f"{imports.certificate_key(row['certificate_number'])}"))
    expires = datetime.combine(date.fromisoformat(row["expires_on"]), time(), VIETNAM)
    imported = {"import_id": import_id, "row": row["line"],
                "certificate_number": row["certificate_number"],
                "decided_on": row["decided_on"], "expires_on": row["expires_on"],
                "written": row["written"]}
    document = new_product(product_id, {
        "producer_id": producer["_id"], "name": row["product"], "category": row["category"],
        "description": ""}, {**producer, "province_code": province_code,
                             "commune_code": row["commune_code"]},
        stage=Stage.CERTIFIED.value, stars=row["stars"], score=row["score"],
        certificate_expires_at=rfc3339(expires), imported=imported, import_id=import_id)
    event = make_event("product.imported", f"products/{product_id}", {
        "product_id": product_id, "producer_id": producer["_id"],
        "producer_name": producer["name"], "name": row["product"],
        "category": row["category"], "province_code": province_code,
        "commune_code": row["commune_code"], "stars": row["stars"], "score": row["score"],
        "certificate_number": row["certificate_number"], "decided_on": row["decided_on"],
        "expires_on": row["expires_on"], "import_id": import_id})
    return outbox.new_document(document, [event])


def on_certificate_revoked(store, event):
    """A revoked product has no certificate in force: it starts again as a first rating."""
    product_moved(store, event, Move.REVOKE, {"certificate_expires_at": None})


def on_certificate_expired(store, event):
    product_moved(store, event, Move.EXPIRE, {})


# Steps 2 and 3: ideas and business plans (steps.py) --------------------------------------

def submit_idea(store, idea, caller):
    producer = known_producer(store, idea["producer_id"])
    return new_step(store, "idea", idea, producer, caller, {"title": idea["title"]})


def submit_plan(store, plan, caller):
    idea = step_or_404(store, "idea", plan["idea_id"])
    if idea["status"] != steps.Status.ACCEPTED:
        raise Conflict("Chỉ lập phương án cho ý tưởng đã được chấp nhận",
                       "A business plan needs an accepted idea",
                       [field_error("/idea_id", "Ý tưởng chưa được chấp nhận",
                                    "The idea is not accepted")])
    return new_step(store, "plan", {**plan, "producer_id": idea["producer_id"]}, idea, caller,
                    {"title": plan["title"], "idea_id": idea["_id"]}, support={})


def new_step(store, step, content, owner, caller, event_data, **extra):
    now = utc_now()
    record = history_record(now, steps.Status.SUBMITTED, caller)
    document = {"_id": str(uuid.uuid4()), **content,
                "province_code": owner["province_code"], "commune_code": owner["commune_code"],
                "status": steps.Status.SUBMITTED.value, **extra,
                "history": {timeline.key(record): record}, "created_at": rfc3339(now),
                "updated_at": rfc3339(now)}
    store.add_step(step, document, [step_event(step, "submitted", document, event_data)])
    return step_view(document)


def step_event(step, verb, document, data):
    return make_event(f"{step}.{verb}", f"{step}s/{document['_id']}", {
        f"{step}_id": document["_id"], "producer_id": document["producer_id"],
        "province_code": document["province_code"],
        "commune_code": document["commune_code"], **data})


def history_record(moment, status, caller, reasons=()):
    return {"at": rfc3339(moment), "status": status.value, "by": timeline.person(caller),
            "reasons": list(reasons)}


def step_or_404(store, step, step_id):
    document = store.step(step, step_id)
    if document is None:
        name = steps.STEPS[step]
        raise NotFound(f"Không có {name['vi']} {step_id}", f"No {name['en']} {step_id}")
    return document


def step_view(document):
    view = resource(document)
    view["history"] = timeline.as_list(document.get("history"))
    if "support" in view:
        view["support"] = timeline.as_list(document["support"])
    return view


def get_step(store, step, step_id):
    return step_view(step_or_404(store, step, step_id))


def step_scope(store, step, step_id):
    document = step_or_404(store, step, step_id)
    return scope_of(document, document["producer_id"])


def decide_step(store, step, step_id, decision, caller):
    """The commune accepts a submitted idea or plan, or returns it with reasons."""
    document = step_or_404(store, step, step_id)
    outcome = steps.Status(decision["outcome"])
    reasons = decision["reasons"] if outcome == steps.Status.RETURNED else []
    data = {"idea_id": document["idea_id"]} if step == "plan" else {}
    if reasons:
        data["reasons"] = reasons
    change_step(store, step, document, steps.DECIDED_FROM, outcome, caller, reasons,
                step_event(step, outcome.value, document, data))
    return get_step(store, step, step_id)


def resubmit_step(store, step, step_id, content, caller):
    """The producer corrects a returned idea or plan and submits it again."""
    document = step_or_404(store, step, step_id)
    data = {"title": content["title"], **({"idea_id": document["idea_id"]}
                                          if step == "plan" else {})}
    change_step(store, step, document, steps.RESUBMITTED_FROM, steps.Status.SUBMITTED, caller,
                (), step_event(step, "submitted", document, data), content)
    return get_step(store, step, step_id)


def change_step(store, step, document, source, target, caller, reasons, event, content=None):
    now = utc_now()
    record = history_record(now, target, caller, reasons)
    change = {"$set": {**(content or {}), "status": target.value,
                       "updated_at": rfc3339(now), f"history.{timeline.key(record)}": record}}
    if not store.change_step(step, document["_id"], source.value, change, [event]):
        current = step_or_404(store, step, document["_id"])["status"]
        name = steps.STEPS[step]
        raise Conflict(f"Không thể làm việc này với {name['vi']} đang ở trạng thái {current}",
                       f"This cannot be done to a {name['en']} that is {current}")


def record_support(store, plan_id, support, caller):
    """Step 4: support given to carry out an accepted plan."""
    plan = step_or_404(store, "plan", plan_id)
    if support["given_on"] > working_days.vietnam_date(utc_now()):
        raise InvalidInput("Ngày hỗ trợ không thể ở tương lai",
                           "Support cannot be dated in the future",
                           [field_error("/given_on", "Ngày ở tương lai", "A future day")])
    now = utc_now()
    record = {**support, "given_on": support["given_on"].isoformat(), "at": rfc3339(now),
              "by": timeline.person(caller)}
    change = {"$set": {f"support.{timeline.key(record)}": record, "updated_at": rfc3339(now)}}
    supported = step_event("plan", "supported", plan, {
        "idea_id": plan["idea_id"], "kind": record["kind"], "given_on": record["given_on"],
        "amount_vnd": record["amount_vnd"]})
    if not store.change_step("plan", plan_id, steps.Status.ACCEPTED.value, change,
                             [supported]):
        raise Conflict("Chỉ ghi nhận hỗ trợ cho phương án đã được chấp nhận",
                       f"Support is recorded against an accepted plan; this one is "
                       f"{plan['status']}")
    return get_step(store, "plan", plan_id)


# Evidence files (evidence.py) -----------------------------------------------------------

def upload_evidence(store, product_id, upload, caller):
    product = product_or_404(store, product_id)
    content, facts = evidence.checked(upload["filename"], upload["content"])
    record = {"_id": str(uuid.uuid4()), "product_id": product_id,
              "producer_id": product["producer_id"], **facts, "uploaded_at": timestamp(),
              "uploaded_by": timeline.person(caller)}
    store.add_evidence(record, content)
    return resource(record)


def get_evidence(store, product_id, evidence_id):
    record = store.evidence_record(product_id, evidence_id)
    if record is None:
        raise NotFound(f"Không có tệp minh chứng {evidence_id}",
                       f"No evidence file {evidence_id}")
    content = store.evidence_content(evidence_id)
    return {**resource(record), "content": evidence.encoded(content)}


# The dossier, the commune's review, the province's check (dossiers.py, commune_review.py) -

def file_dossier(store, product_id, filing, caller):
    """The producer files Form 01 and Form 02 with the commune (Art. 7.1): the commune's
    15 working days start, the form gets its number."""
    product = product_or_404(store, product_id)
    if not product.get("commune_code"):
        raise Conflict("Chưa rõ xã của chủ thể: hồ sơ nộp cho UBND cấp xã (Điều 7.1)",
                       "The producer's commune is not known: the dossier is filed with the "
                       "commune (Art. 7.1)")
    category = filing["category"] or product["category"]
    dossiers.check_category(category)
    submissions.check(filing["kind"], product, utc_now())
    dossiers.check_self_assessment(category, filing["self_assessment"],
                                   store.evidence_ids(product_id))
    now = utc_now()
    claim = int(now.timestamp())
    sources = [s.value for s in allowed_from(Move.FILE)]
    if not store.claim(product_id, product_codes.FORM, {"stage": {"$in": sources}}, claim,
                       product_codes.CLAIM_SECONDS):
        raise stage_conflict(product_or_404(store, product_id), "nộp hồ sơ",
                             "file a dossier for")
    today = working_days.vietnam_date(now)
    province, commune = product["province_code"], product["commune_code"]
    serial = store.claimed_serial(product_id, product_codes.FORM, commune, today.year, claim)
    dossier = {
        "kind": filing["kind"], "category": category,
        "form_number": product_codes.form_number(serial, province, commune, today.year),
        "self_assessment": timeline.keyed(filing["self_assessment"]),
        "filed_at": rfc3339(now), "filed_on": today.isoformat(),
        **deadline(store, province, today)}
    submitted = make_event("dossier.submitted", f"products/{product_id}", {
        **dossier_event_data(product, dossier), "category": category, "kind": filing["kind"],
        "received_on": dossier["received_on"], "deadline_on": dossier["deadline_on"]})
    entry = timeline.entry(now, Stage.FILED.value, "dossier.submitted",
                           timeline.person(caller), form_number=dossier["form_number"],
                           kind=filing["kind"])
    if not store.move(product_id, Move.FILE, {"dossier": dossier, "category": category,
                                              "submission_kind": filing["kind"],
                                              "rejection_reason": None},
                      events=[submitted], entry=entry,
                      where={f"claims.{product_codes.FORM}.at": claim},
                      unset=(f"claims.{product_codes.FORM}",)):
        raise stage_conflict(product_or_404(store, product_id), "nộp hồ sơ", "file a dossier for")
    return product_view(product_or_404(store, product_id))


def deadline(store, province_code, received_on):
    days_off = working_days.parse_days(store.days_off(province_code))
    due = working_days.commune_review_deadline(received_on, days_off)
    return {"received_on": received_on.isoformat(), "deadline_on": due.isoformat(),
            "deadline_day": due.toordinal()}


def record_receipt(store, product_id, receipt, caller):
    """The commune records the day the paper dossier arrived: the deadline counts from it."""
    product = filed_product(store, product_id)
    today = working_days.vietnam_date(utc_now())
    filed_on = date.fromisoformat(product["dossier"]["filed_on"])
    commune_review.check_receipt(receipt["received_on"], filed_on, today)
    changes = {f"dossier.{k}": v for k, v in deadline(
        store, product["province_code"], receipt["received_on"]).items()}
    if not store.update_product(product_id, {"stage": Stage.FILED.value}, {"$set": changes}):
        raise stage_conflict(product_or_404(store, product_id), "ghi ngày nhận",
                             "record the receipt of")
    return product_view(product_or_404(store, product_id))


def review_dossier(store, product_id, review, caller):
    """The commune issues Form 03, confirms the samples and forwards the dossier to the
    province (Art. 7.2.b)."""
    product = filed_product(store, product_id)
    dossier = product["dossier"]
    commune_review.check_samples(dossier["category"], review["samples"])
    now = utc_now()
    today = working_days.vietnam_date(now).isoformat()
    recorded = {"form_03": review["form_03"], "samples": review["samples"],
                "reviewed_at": rfc3339(now), "by": timeline.person(caller),
                "forwarded_on": today}
    data = dossier_event_data(product, dossier)
    events = [make_event("dossier.reviewed_by_commune", f"products/{product_id}",
                         {**data, "samples": review["samples"]}),
              make_event("dossier.forwarded", f"products/{product_id}",
                         {**data, "forwarded_on": today})]
    entry = timeline.entry(now, Stage.FORWARDED.value, "dossier.forwarded",
                           timeline.person(caller), samples=review["samples"])
    if not store.move(product_id, Move.FORWARD, {"dossier.commune_review": recorded},
                      events=events, entry=entry):
        raise stage_conflict(product_or_404(store, product_id), "chuyển hồ sơ", "forward")
    return product_view(product_or_404(store, product_id))


def return_dossier(store, product_id, reasons, caller):
    """Back to the producer, with reasons: by the commune that holds the dossier, or by the
    province's office that received it (Art. 7.3.a)."""
    product = product_or_404(store, product_id)
    holder = {Stage.FILED.value: ("commune", COMMUNE_OFFICER),
              Stage.FORWARDED.value: ("province", PROVINCE_OFFICER)}.get(product["stage"])
    if holder is None or holder[1] not in caller.roles:
        raise stage_conflict(product, "trả lại hồ sơ", "return the dossier of")
    level = holder[0]
    now = utc_now()
    returned = make_event("dossier.returned", f"products/{product_id}", {
        **dossier_event_data(product, product["dossier"]), "by_level": level,
        "reasons": reasons})
    entry = timeline.entry(now, Stage.RETURNED.value, "dossier.returned",
                           timeline.person(caller), reasons, by_level=level)
    if not store.move(product_id, Move.RETURN_DOSSIER, {}, events=[returned], entry=entry,
                      where={"stage": product["stage"]}, unset=("dossier.completeness",)):
        raise stage_conflict(product_or_404(store, product_id), "trả lại hồ sơ",
                             "return the dossier of")
    return product_view(product_or_404(store, product_id))


def check_completeness(store, product_id, caller):
    """The province's office checks the forwarded dossier (Art. 7.3.a): complete, it is
    marked so; incomplete, the answer names what is missing (return it for completion)."""
    product = product_or_404(store, product_id)
    if product["stage"] != Stage.FORWARDED.value:
        raise stage_conflict(product, "kiểm tra hồ sơ", "check the dossier of")
    missing = dossiers.missing_parts(product)
    if missing:
        raise Conflict("Hồ sơ chưa đầy đủ", "The dossier is incomplete",
                       [field_error(f"/dossier/{part}", vi, en) for part, vi, en in missing])
    checked = {"checked_at": timestamp(), "by": timeline.person(caller)}
    if not store.update_product(product_id, {"stage": Stage.FORWARDED.value},
                                {"$set": {"dossier.completeness": checked}}):
        raise stage_conflict(product_or_404(store, product_id), "kiểm tra hồ sơ",
                             "check the dossier of")
    return product_view(product_or_404(store, product_id))


def propose_product(store, product_id, caller):
    """The province's office proposes a checked dossier to an evaluation round (Art. 7.3.a):
    the product gets its code and ``product.submitted`` leaves, dated by the proposal.

    One proposal per product at a time (``store.claim``): two officers proposing it
    together cannot both draw a serial and leave a gap in the commune's numbering."""
    product = product_or_404(store, product_id)
    if product["stage"] != Stage.FORWARDED.value or \
            not (product.get("dossier") or {}).get("completeness"):
        raise Conflict("Chỉ đề nghị đánh giá hồ sơ đã được kiểm tra đầy đủ",
                       "Only a dossier checked complete can be proposed")
    now = utc_now()
    claim = int(now.timestamp())
    checked = {"stage": Stage.FORWARDED.value, "dossier.completeness": {"$exists": True}}
    if not store.claim(product_id, product_codes.PRODUCT, checked,
                       claim, product_codes.CLAIM_SECONDS):
        raise Conflict("Sản phẩm đang được đề nghị", "The product is being proposed")
    today = working_days.vietnam_date(now)
    code = product_code_for(store, product, today.year, claim)
    kind = product["dossier"]["kind"]
    submitted = make_event("product.submitted", f"products/{product_id}", {
        "product_id": product_id, "producer_id": product["producer_id"],
        "producer_name": product["producer_name"], "name": product["name"],
        "category": product["category"], "province_code": product["province_code"],
        "commune_code": product["commune_code"], "kind": kind,
        "proposed_on": today.isoformat(), "product_code": code})
    entry = timeline.entry(now, Stage.SUBMITTED.value, "product.submitted",
                           timeline.person(caller), product_code=code,
                           proposed_on=today.isoformat())
    if not store.move(product_id, Move.SUBMIT, {"product_code": code, "code_year": today.year,
                                                "dossier.proposed_on": today.isoformat()},
                      events=[submitted], entry=entry,
                      where={f"claims.{product_codes.PRODUCT}.at": claim},
                      unset=(f"claims.{product_codes.PRODUCT}",)):
        raise Conflict("Sản phẩm đang được đề nghị", "The product is being proposed")
    return product_view(product_or_404(store, product_id))


def product_code_for(store, product, year, claim):
    """The product's code for ``year``: the one it has (a product proposed again in the
    same year keeps it), or one with the serial its claim drew."""
    if product.get("product_code") and product.get("code_year") == year:
        return product["product_code"]
    serial = store.claimed_serial(product["_id"], product_codes.PRODUCT,
                                  product["commune_code"], year, claim)
    return product_codes.product_code(serial, product["province_code"],
                                      product["commune_code"], year)


def filed_product(store, product_id):
    product = product_or_404(store, product_id)
    if product["stage"] != Stage.FILED.value:
        raise stage_conflict(product, "xem xét hồ sơ", "review the dossier of")
    return product


def dossier_event_data(product, dossier):
    return {"product_id": product["_id"], "producer_id": product["producer_id"],
            "province_code": product["province_code"],
            "commune_code": product["commune_code"], "form_number": dossier["form_number"]}


def stage_conflict(product, act_vi, act_en):
    stage = product["stage"]
    return Conflict(f"Không thể {act_vi} sản phẩm đang ở giai đoạn {stage}",
                    f"Cannot {act_en} a product that is {stage}")


def product_view(product):
    """A product as callers see it: its dossier's lists as lists, without its timeline."""
    view = {k: v for k, v in resource(product).items()
            if k not in ("timeline", "claims", "code_year", "search_words", "listed")}
    if view.get("dossier"):
        dossier = dict(view["dossier"])
        dossier["self_assessment"] = timeline.as_list(dossier.get("self_assessment"))
        dossier.pop("deadline_day", None)
        view["dossier"] = dossier
    return view


def product_timeline(store, product_id):
    return timeline.as_list(product_or_404(store, product_id).get("timeline"))


def overdue_dossiers(store, province_code):
    """Dossiers still with a commune after its 15 working days (Art. 7.2)."""
    today = working_days.vietnam_date(utc_now()).toordinal()
    return [{"id": p["_id"], "name": p["name"], "producer_name": p["producer_name"],
             "commune_code": p["commune_code"], "form_number": p["dossier"]["form_number"],
             "received_on": p["dossier"]["received_on"],
             "deadline_on": p["dossier"]["deadline_on"]}
            for p in store.overdue(province_code, today)]


def vietnam_today(configured=None):
    """Vietnam's today, or the day ``configured`` (``REGISTRATION_TODAY``, for tests and
    rehearsals: a process that lives on another day; YAML may already have made it a date)."""
    return date.fromisoformat(str(configured)) if configured \
        else working_days.vietnam_date(utc_now())


def remind_communes(store, on, within):
    """Tell each commune whose 15 working days are nearly up on ``on`` (Art. 7.2), once
    per filing however often and on however many processes this runs."""
    days_off = {}
    for product in store.filed_not_reminded(on.toordinal()):
        dossier, province = product["dossier"], product["province_code"]
        if province not in days_off:
            days_off[province] = working_days.parse_days(store.days_off(province))
        due = date.fromisoformat(dossier["deadline_on"])
        left = working_days.deadline_nearly_up(on, due, within, days_off[province])
        if left is not None:
            store.claim_reminder(product["_id"], dossier["form_number"], on.isoformat(), [
                make_event("dossier.deadline_approaching", f"products/{product['_id']}", {
                    **dossier_event_data(product, dossier), "deadline": due.isoformat(),
                    "working_days_left": left})])


def set_days_off(store, province_code, days, caller):
    """Days off a province adds to the national holidays (its own Tết break, a local
    holiday): deadlines computed from now on skip them."""
    if province_code not in PROVINCES:
        raise NotFound(f"Không có tỉnh {province_code}", f"No province {province_code}")
    store.set_days_off(province_code, sorted({d.isoformat() for d in days}),
                       timeline.person(caller))
    return {"province_code": province_code, "days": store.days_off(province_code)}
