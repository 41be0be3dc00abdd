"""Certification's use cases."""
from chassis.contracts import event_factory
from chassis.errors import NotFound
from chassis.events import rfc3339, utc_now
from services.certification import validity
from services.certification.contracts import PUBLISHED

SERVICE = "certification"
make_event = event_factory(SERVICE, PUBLISHED)


def issue_for(store, event):
    """A recognised evaluation gets exactly one certificate."""
    data = event["data"]
    if not data["recognised"] or store.for_evaluation(data["evaluation_id"]) is not None:
        return
    issued_at = utc_now()
    code = validity.certificate_code(
        data["province_code"], issued_at.year,
        store.next_serial(data["province_code"], issued_at.year))
    certificate = {
        "_id": code, "evaluation_id": data["evaluation_id"], "product_id": data["product_id"],
        "producer_id": data["producer_id"], "product_name": data["name"],
        "producer_name": data["producer_name"], "category": data["category"],
        "province_code": data["province_code"], "stars": data["stars"],
        "score": data["score"], "level": data["level"],
        "rule_version": data["rule_version"], "issued_at": rfc3339(issued_at),
        "expires_at": rfc3339(validity.expires_at(issued_at)), "revoked_at": None}
    issued = make_event("certificate.issued", f"products/{data['product_id']}", {
        "code": code, "product_id": data["product_id"], "producer_id": data["producer_id"],
        "evaluation_id": data["evaluation_id"], "stars": data["stars"],
        "issued_at": certificate["issued_at"], "expires_at": certificate["expires_at"]})
    store.issue(certificate, [issued])


PUBLIC = ("product_name", "producer_name", "category", "province_code", "stars", "level",
          "rule_version", "issued_at", "expires_at")


def public_view(certificate):
    """What anyone may check about a certificate: the public face of the OCOP mark."""
    return {"code": certificate["_id"], **{k: certificate[k] for k in PUBLIC},
            "status": validity.status(certificate, utc_now())}


def verify(store, code):
    certificate = store.get(code)
    if certificate is None:
        raise NotFound(f"Không có giấy chứng nhận mã {code}", f"No certificate with code {code}")
    return public_view(certificate)


def certificates_of_product(store, product_id):
    return [public_view(c) for c in store.for_product(product_id)]

