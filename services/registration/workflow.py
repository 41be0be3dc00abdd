"""Registration's use cases: what each command and each incoming event does."""
import logging
import uuid

from chassis.contracts import event_factory
from chassis.errors import Conflict, InvalidInput, NotFound, field_error
from chassis.events import timestamp, utc_now
from chassis.outbox import resource
from services.registration import submissions
from services.registration.contracts import PUBLISHED
from services.registration.stages import Move, Stage, move_after_evaluation
from services.registration.store import DuplicateProducer

log = logging.getLogger(__name__)
SERVICE = "registration"
make_event = event_factory(SERVICE, PUBLISHED)


def register_producer(store, producer):
    producer = {"_id": str(uuid.uuid4()), **producer, "created_at": timestamp()}
    try:
        store.add_producer(producer)
    except DuplicateProducer:
        raise Conflict(
            "Mã số thuế này đã được đăng ký cho một chủ thể khác",
            "This tax code is already registered to a producer",
            [field_error("/tax_code", "Mã số thuế đã tồn tại", "Tax code already exists")])
    return resource(producer)


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


def register_product(store, product):
    producer = store.producer(product["producer_id"])
    if producer is None:
        raise InvalidInput(
            "Chủ thể chưa được đăng ký", "The producer is not registered",
            [field_error("/producer_id", "Không có chủ thể này", "No such producer")])
    now = timestamp()
    document = {
        "_id": str(uuid.uuid4()), **product, "producer_name": producer["name"],
        "province_code": producer["province_code"],
        "commune_code": producer.get("commune_code"), "stage": Stage.REGISTERED.value,
        "evaluation_id": None, "score": None, "stars": None, "certificate_code": None,
        "certificate_expires_at": None, "submission_kind": None, "rejection_reason": None,
        "created_at": now, "updated_at": now}
    store.add_product(document)
    return resource(document)


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
        "kind": kind})
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


def on_certificate_revoked(store, event):
    """A revoked product has no certificate in force: it starts again as a first rating."""
    product_moved(store, event, Move.REVOKE, {"certificate_expires_at": None})


def on_certificate_expired(store, event):
    product_moved(store, event, Move.EXPIRE, {})
