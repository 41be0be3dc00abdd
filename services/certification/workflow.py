"""Certification's use cases."""
from chassis import pages
from chassis.contracts import event_factory
from chassis.errors import NotFound
from chassis.events import rfc3339, timestamp, utc_now
from services.certification import listing, provenance, validity
from services.certification.contracts import PUBLISHED

SERVICE = "certification"
make_event = event_factory(SERVICE, PUBLISHED)


def issue_for(store, event, evaluation):
    """A recognised evaluation, as the evaluation service confirms it was closed, gets
    exactly one certificate, which supersedes the product's earlier valid one."""
    data = event["data"]
    provenance.check_closed_as_announced(data, closing_of(evaluation, data["evaluation_id"]))
    if not data["recognised"]:
        return
    # A redelivery after a crash finds the certificate issued and completes what follows.
    certificate = store.for_evaluation(data["evaluation_id"]) or issue_new(store, data)
    supersede_earlier(store, certificate)


def closing_of(evaluation, evaluation_id):
    """How the evaluation service recorded the evaluation's closing; None if it has no
    such evaluation. No answer in time (``NoAnswer``) propagates: the event is retried."""
    try:
        return evaluation.closing(evaluation_id)
    except NotFound:
        return None


def issue_new(store, data):
    issued_at = utc_now()
    code = validity.certificate_code(
        data["province_code"], issued_at.year,
        store.next_serial(data["province_code"], issued_at.year))
    certificate = pages.stamped({
        "_id": code, "evaluation_id": data["evaluation_id"], "product_id": data["product_id"],
        "producer_id": data["producer_id"], "product_name": data["name"],
        "producer_name": data["producer_name"], "category": data["category"],
        "province_code": data["province_code"], "commune_code": data.get("commune_code"),
        "stars": data["stars"],
        "score": data["score"], "level": data["level"],
        "rule_version": data["rule_version"], "issued_at": rfc3339(issued_at),
        "expires_at": rfc3339(validity.expires_at(issued_at)), "revoked_at": None,
        "superseded_by": None, "superseded_at": None}, issued_at)
    issued = make_event("certificate.issued", f"products/{data['product_id']}", {
        "code": code, "product_id": data["product_id"], "producer_id": data["producer_id"],
        "evaluation_id": data["evaluation_id"], "stars": data["stars"],
        "issued_at": certificate["issued_at"], "expires_at": certificate["expires_at"]})
    if not store.issue(certificate, [issued]):
        # Another delivery of the same result got there first: its certificate stands.
        return store.for_evaluation(data["evaluation_id"])
    return certificate


def supersede_earlier(store, certificate):
    """At most one valid certificate per product: the ones issued before ``certificate``
    (an upgrade or re-rating) stop being valid. Idempotent: each is superseded once."""
    for earlier in validity.superseded_by(certificate,
                                          store.for_product(certificate["product_id"])):
        superseded_at = timestamp()
        superseded = make_event("certificate.superseded", f"products/{earlier['product_id']}", {
            "code": earlier["_id"], "product_id": earlier["product_id"],
            "producer_id": earlier["producer_id"], "superseded_by": certificate["_id"],
            "superseded_at": superseded_at})
        store.supersede(earlier["_id"], certificate["_id"], superseded_at, [superseded])


PUBLIC = ("product_name", "producer_name", "category", "province_code", "stars", "level",
          "rule_version", "issued_at", "expires_at")


def public_view(certificate):
    """What anyone may check about a certificate: the public face of the OCOP mark."""
    return {"code": certificate["_id"], **{k: certificate[k] for k in PUBLIC},
            "status": validity.status(certificate, utc_now()),
            # Certificates issued before supersession existed have no such field.
            "superseded_by": certificate.get("superseded_by"),
            "commune_code": certificate.get("commune_code"),
            # A product's trade item number, for the QR's GS1 Digital Link: only when the
            # certificate's data carries one.
            **({"gtin": certificate["gtin"]} if certificate.get("gtin") else {})}


def verify(store, code):
    certificate = store.get(code)
    if certificate is None:
        raise NotFound(f"Không có giấy chứng nhận mã {code}", f"No certificate with code {code}")
    return public_view(certificate)


def certificates_of_product(store, product_id):
    return [public_view(c) for c in store.for_product(product_id)]



def certified_products(store, query, limit, cursor):
    """A page of the public list of certified products (``listing``)."""
    found = store.in_force(listing.filters_of(query), utc_now(), limit, cursor)
    return {"items": [public_view(c) for c in found["items"]], "next": found["next"]}
