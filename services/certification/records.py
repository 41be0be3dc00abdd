"""A certificate's public record: what anyone may check about it (the public face of the
OCOP mark), with its ``revision`` — a counter bumped by every change of what the public
sees (issue, supersession, revocation, expiry, a re-rating filed or decided) — its stored
``state`` and its place in the lists (``listed``).

Certification serves records one by one and in bulk; the gateway keeps every record in
memory, fed by certification's events (``gateway/certificates.py``), and shows each one as
``view_on`` the day it is read: a valid certificate past its validity is expired on the
calendar before the daily timer records it."""
from services.certification import renewal, validity

PUBLIC = ("product_id", "product_code", "product_name", "producer_name", "category",
          "province_code", "stars", "score", "level", "rule_version", "issued_on",
          "expires_on", "superseded_by")
# What a record carries beside what the public sees.
BOOKKEEPING = ("revision", "state", "listed")
# Records in one page of the bulk read.
MAX_PAGE = 1000


def revision_of(certificate):
    """Certificates written before revisions were counted are at 0."""
    return certificate.get("revision") or 0


def record_of(certificate):
    return {"code": certificate["_id"], **{k: certificate.get(k) for k in PUBLIC},
            # Who signed in to record a decision is the audit trail's, not the public's.
            "recognition": without_recorder(certificate["recognition"]),
            "revocation": without_recorder(certificate.get("revocation")),
            "re_rating": certificate.get("re_rating"),
            "valid_until": renewal.valid_until(certificate).isoformat(),
            # Certificates issued before the commune travelled with results have none.
            "commune_code": certificate.get("commune_code"),
            # A product's trade item number, for the QR's GS1 Digital Link: only when the
            # certificate's data carries one.
            **({"gtin": certificate["gtin"]} if certificate.get("gtin") else {}),
            "revision": revision_of(certificate), "state": certificate["state"],
            "listed": certificate["listed"]}


def without_recorder(decision):
    return {k: v for k, v in decision.items() if k != "by"} if decision else None


def status_on(record, today):
    """valid, superseded, revoked or expired on ``today`` (a Vietnam day)."""
    return validity.status(record, today)


def view_on(record, today):
    """The record as the public sees it on ``today``: its status on that day."""
    return {**{k: v for k, v in record.items() if k not in BOOKKEEPING},
            "status": status_on(record, today)}
