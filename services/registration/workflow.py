"""Registration's use cases: what each command and each incoming event does."""
import logging
import uuid
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from chassis import outbox, pages
from chassis.contracts import event_factory
from chassis.errors import Conflict, InvalidInput, NotFound, field_error
from chassis.events import rfc3339, timestamp, utc_now
from chassis.names import words
from chassis.outbox import resource
from services.registration import imports, producers, submissions
from services.registration.contracts import PUBLISHED
from services.registration.stages import Move, Stage, move_after_evaluation
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
        "imported": None, "search_words": words(product["name"]), **details})
    return {**document, "updated_at": document["created_at"]}


def register_product(store, product):
    producer = store.producer(product["producer_id"])
    if producer is None:
        raise InvalidInput(
            "Chủ thể chưa được đăng ký", "The producer is not registered",
            [field_error("/producer_id", "Không có chủ thể này", "No such producer")])
    if not producers.may_register(producer.get("kind"), product["category"]):
        raise InvalidInput(
            "Hội, hiệp hội, trung tâm điều hành chỉ đăng ký sản phẩm du lịch cộng đồng "
            "(bộ 26, Quyết định 26/2026 Điều 2.3)",
            "Associations and operating centres register community tourism only (set 26, "
            "Decision 26/2026 Art. 2.3)",
            [field_error("/category", f"Phải là {producers.TOURISM}",
                         f"Must be {producers.TOURISM}")])
    document = new_product(str(uuid.uuid4()), product, producer)
    store.add_product(document)
    return resource({k: v for k, v in document.items() if k != "search_words"})


def listed(store, collection, filters, limit, cursor):
    """A page of producers or products matching ``filters`` (scoped by the gateway's
    policy), newest first; ``name`` matches the folded words of names."""
    if "name" in filters:
        filters = {**filters, "name": words(filters["name"])}
    found = store.page(collection, filters, limit, cursor)
    return {"items": [resource(d) for d in found["items"]], "next": found["next"]}


def product_or_404(store, product_id):
    product = store.product(product_id)
    if product is None:
        raise NotFound(f"Không có sản phẩm {product_id}", f"No product {product_id}")
    return product


def submit_product(store, product_id, kind):
    """Step 5 of the cycle starts: the product is proposed for evaluation and ranking."""
    product = product_or_404(store, product_id)
    submissions.check(kind, product, utc_now())
    submitted = make_event("product.submitted", f"products/{product_id}", {
        "product_id": product_id, "producer_id": product["producer_id"],
        "producer_name": product["producer_name"], "name": product["name"],
        "category": product["category"], "province_code": product["province_code"],
        "commune_code": product.get("commune_code"), "kind": kind})
    changes = {"submission_kind": kind, "rejection_reason": None}
    if not store.move(product_id, Move.SUBMIT, changes, events=[submitted]):
        stage = product_or_404(store, product_id)["stage"]
        raise Conflict(f"Không thể gửi đánh giá sản phẩm đang ở giai đoạn {stage}",
                       f"A product that is {stage} cannot be submitted")
    return resource(product_or_404(store, product_id))


def product_moved(store, event, move, changes):
    product_id = event["data"]["product_id"]
    if not store.move(product_id, move, changes):
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
