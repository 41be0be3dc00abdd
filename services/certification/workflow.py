"""Certification's use cases: keeping results for recognition, issuing on the authority's
recognition, supersession, revocation, re-rating and the daily milestones."""
import logging
from datetime import datetime

from chassis import pages
from chassis.contracts import event_factory
from chassis.errors import Conflict, InvalidInput, NotFound, Unavailable
from chassis.events import rfc3339, timestamp, utc_now
from chassis.rpc import unavailable
from services.certification import authority, listing, milestones, recognition, records, \
    renewal, revocation, validity
from services.certification.contracts import PUBLISHED
from services.certification.records import revision_of
from services.certification.validity import EXPIRED, ISSUING, VALID, day

log = logging.getLogger(__name__)
SERVICE = "certification"
make_event = event_factory(SERVICE, PUBLISHED)
# How many times an issue makes room for itself (a holder superseded or expired), or a
# change is tried again on a certificate that changed meanwhile, before telling the caller
# to try again: only concurrent changes of one certificate need a second.
ACTIVATION_ATTEMPTS = 5


class ChangedMeanwhile(Exception):
    """The certificate changed between reading it and changing it, every time it was tried:
    an event handler that meets it handles the event again later."""


def today(configured=None):
    """Vietnam's today, or the day ``configured`` (``CERTIFICATION_TODAY``, for tests and
    rehearsals: a process that lives on another day; YAML may already have made it a date)."""
    return day(str(configured)) if configured else validity.vietnam_day(utc_now())


# Results and re-ratings, as evaluation announces them --------------------------------------

RESULT = ("evaluation_id", "product_id", "producer_id", "name", "producer_name", "category",
          "province_code", "level", "kind", "score", "stars", "recognised", "rule_version")


def on_evaluation_completed(store, event):
    """A completed result waits for the authority's recognition; a re-rating that cannot
    be recognised is its decision, which ends a late re-rating's extension."""
    data = event["data"]
    store.keep_result({"_id": data["evaluation_id"], **{k: data[k] for k in RESULT},
                       "product_code": data.get("product_code"),
                       "commune_code": data.get("commune_code"), "code": None,
                       "received_at": event["time"]})
    if not data["recognised"]:
        re_rating_decided(store, event)


def on_evaluation_rejected(store, event):
    re_rating_decided(store, event)


def on_approval_refused(store, event):
    """A re-rating the provincial council scored a potential 5★ and the provincial chair
    did not approve is decided: nothing will be recognised on it."""
    re_rating_decided(store, event)


def on_evaluation_opened(store, event):
    """A re-rating opened for the product's valid certificate: it records the filing, and
    a late one keeps the certificate valid until the decision (Art. 12.3)."""
    data = event["data"]
    if data["kind"] != "re_rating":
        return
    certificate = store.valid_for_product(data["product_id"])
    if certificate is None:
        log.info("re-rating %s of product %s: no valid certificate", data["evaluation_id"],
                 data["product_id"])
        return
    filed_on = validity.vietnam_day(utc_from(event["time"]))
    if change_re_rating(store, certificate["_id"], lambda held: filing(
            held, data["evaluation_id"], filed_on)):
        reschedule(store, certificate["_id"])


def filing(certificate, evaluation_id, filed_on):
    """The first filing counts (its day decides whether it was late); a dossier filed again
    after a completion request only moves the undecided re-rating to its new evaluation.
    (re-rating, condition) or None when it changes nothing."""
    if certificate["state"] != VALID:
        return None
    filed = certificate.get("re_rating")
    if filed is None:
        return renewal.re_rating(evaluation_id, day(certificate["expires_on"]), filed_on), \
            {"state": VALID, "re_rating": None}
    if filed["decided_on"] is None and filed["evaluation_id"] != evaluation_id:
        return {**filed, "evaluation_id": evaluation_id}, \
            {"state": VALID, "re_rating.decided_on": None}
    return None


def re_rating_decided(store, event):
    certificate = store.re_rated_by(event["data"]["evaluation_id"])
    if certificate is None:
        return
    decided_on = validity.vietnam_day(utc_from(event["time"])).isoformat()

    def decision(held):
        filed = held.get("re_rating")
        if filed is None or filed["decided_on"] is not None:
            return None
        return {**filed, "decided_on": decided_on}, {"re_rating.decided_on": None}
    if change_re_rating(store, certificate["_id"], decision):
        reschedule(store, certificate["_id"])


def change_re_rating(store, code, change):
    """Apply ``change`` (the certificate → its new re-rating and the condition it holds
    on, or None) with its event, from the revision it was decided on: True once made,
    False when there was nothing to change."""
    for _ in range(ACTIVATION_ATTEMPTS):
        certificate = store.get(code)
        changed = change(certificate)
        if changed is None:
            return False
        re_rating, condition = changed
        later = {**certificate, "re_rating": re_rating}
        event = make_event("certificate.re_rating_recorded",
                           f"products/{certificate['product_id']}", {
                               **about(certificate, revision_of(certificate) + 1),
                               **re_rating,
                               "valid_until": renewal.valid_until(later).isoformat()})
        if store.record_re_rating(code, revision_of(certificate), re_rating, [event],
                                  condition):
            return True
    raise ChangedMeanwhile(f"certificate {code} kept changing while its re-rating was "
                           "recorded")


def utc_from(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def reschedule(store, code):
    certificate = store.get(code)
    store.reschedule(code, milestones.next_day(certificate))


# Recognition and issue --------------------------------------------------------------------

def result_or_404(store, evaluation_id):
    result = store.result(evaluation_id)
    if result is None:
        raise NotFound(f"Không có kết quả đánh giá hoàn thành {evaluation_id}",
                       f"No completed result {evaluation_id}")
    return result


def result_scope(store, evaluation_id):
    """Whose result it is and at which level: what the gateway's policy checks."""
    result = result_or_404(store, evaluation_id)
    return {"level": result["level"], "province_code": result["province_code"],
            "producer_id": result["producer_id"]}


def recognise(store, evaluation, caller, evaluation_id, decision, on):
    """The authority of the result's level recognises it with its decision's reference
    and date: a certificate is issued on that date and becomes the product's valid one."""
    result = result_or_404(store, evaluation_id)
    authority.check(caller, f"evaluations/{evaluation_id}", result["level"],
                    result["province_code"])
    recognition.check_decision_date(decision["date"], on)
    existing = store.for_evaluation(evaluation_id)
    if existing is not None and not same_recognition_unfinished(existing, decision):
        raise already_recognised(existing)
    recognition.check_recognisable(result, closing_of(evaluation, evaluation_id))
    certificate = existing or new_certificate(store, result, decision, caller)
    if existing is None and not store.insert(certificate):
        raise already_recognised(store.for_evaluation(evaluation_id))
    activate(store, certificate, on)
    return certificate_view(store.get(certificate["_id"]), on)


def same_recognition_unfinished(certificate, decision):
    """A recognition tried again after a crash between issue and activation."""
    return certificate["state"] == ISSUING and \
        certificate["recognition"]["reference"] == decision["reference"]


def already_recognised(certificate):
    return Conflict(f"Kết quả đã được công nhận: giấy chứng nhận {certificate['_id']}",
                    f"The result is already recognised: certificate {certificate['_id']}")


def closing_of(evaluation, evaluation_id):
    """How the evaluation service recorded the evaluation's closing; None if it has no
    such evaluation."""
    try:
        return evaluation.closing(evaluation_id)
    except NotFound:
        return None
    except Exception as exc:
        if not unavailable(exc):  # evaluation, its broker or its store away: retry later
            raise
        raise Unavailable("Dịch vụ đánh giá không trả lời kịp: chưa công nhận, vui lòng thử lại",
                          "The evaluation service did not answer in time: nothing was "
                          "recognised; please retry") from None


def new_certificate(store, result, decision, caller):
    issued_on = decision["date"]
    expires_on = validity.expires_on(issued_on)
    issuer = validity.issuing_authority(result["level"], result["province_code"])
    code = store.number_for(result["_id"], issuer, issued_on.year)
    return pages.stamped({
        "_id": code, "authority": issuer, "evaluation_id": result["_id"],
        "product_id": result["product_id"], "product_code": result.get("product_code"),
        "producer_id": result["producer_id"], "product_name": result["name"],
        "producer_name": result["producer_name"], "category": result["category"],
        "province_code": result["province_code"],
        "commune_code": result.get("commune_code"), "stars": result["stars"],
        "score": result["score"], "level": result["level"], "kind": result["kind"],
        "rule_version": result["rule_version"],
        "recognition": {"reference": decision["reference"], "date": issued_on.isoformat(),
                        "by": caller.subject},
        "issued_on": issued_on.isoformat(), "expires_on": expires_on.isoformat(),
        "issued_at": timestamp(), "state": ISSUING, "superseded_by": None,
        "superseded_at": None, "revoked_at": None, "revocation": None, "re_rating": None,
        "milestones": {}})


def activate(store, certificate, on):
    """Make ``certificate`` the product's one valid certificate: the one valid before it
    is superseded (or, past its validity, expired) first. The store refuses a second valid
    one, so concurrent issues for a product take turns; the last one stands."""
    for _ in range(ACTIVATION_ATTEMPTS):
        outcome = store.activate(certificate["_id"], certificate["product_id"],
                                 milestones.next_day(certificate), [issued(certificate)])
        if outcome != "taken":
            return
        holder = store.valid_for_product(certificate["product_id"])
        if holder is None:
            continue
        if validity.status(holder, on) == EXPIRED:
            expire(store, holder, on)
        else:
            supersede(store, holder, certificate)
    raise Conflict("Sản phẩm đang được cấp giấy chứng nhận khác; vui lòng thử lại",
                   "Another certificate of the product is being issued; please retry")


def about(certificate, revision):
    """What every certificate event says about the certificate: ``revision`` is the one
    the certificate is at once the event's change is made."""
    return {k: certificate[k] for k in ("product_id", "producer_id", "province_code",
                                        "stars", "level", "expires_on")} | \
        {"code": certificate["_id"], "revision": revision}


def issued(certificate):
    """Its activation makes the issuing certificate's first public revision."""
    expires_on = day(certificate["expires_on"])
    opens_on, closes_on = renewal.window(expires_on)
    return make_event("certificate.issued", f"products/{certificate['product_id']}", {
        **about(certificate, revision_of(certificate) + 1),
        "evaluation_id": certificate["evaluation_id"],
        "product_code": certificate["product_code"], "category": certificate["category"],
        "score": certificate["score"], "rule_version": certificate["rule_version"],
        "recognition_reference": certificate["recognition"]["reference"],
        "recognition_date": certificate["recognition"]["date"],
        "issued_on": certificate["issued_on"], "renewal_opens_on": opens_on.isoformat(),
        "renewal_closes_on": closes_on.isoformat(), "issued_at": certificate["issued_at"],
        "expires_at": rfc3339(validity.start_of(expires_on))})


def supersede(store, earlier, certificate):
    superseded_at = timestamp()
    revision = revision_of(earlier)
    store.supersede(earlier["_id"], revision, {"superseded_by": certificate["_id"],
                                               "superseded_at": superseded_at}, [make_event(
        "certificate.superseded", f"products/{earlier['product_id']}", {
            **about(earlier, revision + 1), "superseded_by": certificate["_id"],
            "superseded_at": superseded_at})])


# Revocation -------------------------------------------------------------------------------

def certificate_or_404(store, code):
    certificate = store.get(code)
    if certificate is None or certificate["state"] == ISSUING:
        raise NotFound(f"Không có giấy chứng nhận số {code}", f"No certificate {code}")
    return certificate


def certificate_scope(store, code):
    certificate = certificate_or_404(store, code)
    return {"level": certificate["level"], "province_code": certificate["province_code"],
            "producer_id": certificate["producer_id"]}


def revoke(store, caller, code, request, on):
    """The authority of the certificate's level revokes it on a ground of Art. 8.1."""
    certificate = certificate_or_404(store, code)
    authority.check(caller, f"certificates/{code}", certificate["level"],
                    certificate["province_code"])
    decision = {**revocation.decision(request, on), "by": caller.subject}
    for _ in range(ACTIVATION_ATTEMPTS):
        refuse_unless_valid(certificate, on)
        revoked_at = timestamp()
        revision = revision_of(certificate)
        event = make_event("certificate.revoked", f"products/{certificate['product_id']}", {
            **about(certificate, revision + 1),
            **{k: v for k, v in decision.items() if k != "by"}, "revoked_at": revoked_at})
        if store.revoke(code, revision, {"revocation": decision, "revoked_at": revoked_at},
                        [event]):
            return certificate_view(store.get(code), on)
        certificate = certificate_or_404(store, code)  # revoked, or changed meanwhile
    refuse_unless_valid(certificate, on)
    raise Conflict(f"Giấy chứng nhận {code} đang được thay đổi; vui lòng thử lại",
                   f"Certificate {code} is being changed; please retry")


def refuse_unless_valid(certificate, on):
    status = validity.status(certificate, on)
    if status != VALID:
        raise Conflict(f"Giấy chứng nhận {certificate['_id']} không còn hiệu lực ({status})",
                       f"Certificate {certificate['_id']} is no longer valid ({status})")


# The daily milestones ---------------------------------------------------------------------

def sweep(store, on):
    """Announce every milestone reached by ``on``, once per certificate and milestone
    however often and on however many processes this runs (each claim is one write that
    only one run can make)."""
    for certificate in store.with_milestones_due(on.toordinal()):
        for milestone in milestones.due(certificate, on):
            if milestone == milestones.EXPIRED:
                expire(store, certificate, on)
            else:
                store.claim_milestone(certificate["_id"], milestone, on.isoformat(),
                                      [milestone_event(certificate, milestone)])
        reschedule(store, certificate["_id"])


def expire(store, certificate, on):
    """Left for the next sweep, or the next issue's attempt, if it changed meanwhile."""
    store.expire(certificate["_id"], revision_of(certificate), on.isoformat(),
                 [milestone_event(certificate, milestones.EXPIRED)])


def milestone_event(certificate, milestone):
    """Only the expiry changes what the public sees: the other milestones keep the
    certificate's revision."""
    opens_on, closes_on = renewal.window(day(certificate["expires_on"]))
    revision = revision_of(certificate) + (milestone == milestones.EXPIRED)
    return make_event(f"certificate.{milestone}", f"products/{certificate['product_id']}", {
        **about(certificate, revision),
        "milestone_on": milestones.day_of(certificate, milestone).isoformat(),
        "renewal_opens_on": opens_on.isoformat(), "renewal_closes_on": closes_on.isoformat(),
        "valid_until": renewal.valid_until(certificate).isoformat()})


# Reads ------------------------------------------------------------------------------------

def certificate_view(certificate, on):
    """What anyone may check about a certificate on the day ``on`` (``records``), with its
    revision, for the gateway to keep what a command it relays has just changed."""
    record = records.record_of(certificate)
    return {**record, "status": records.status_on(record, on)}


def verify(store, code, on):
    return certificate_view(certificate_or_404(store, code), on)


def public_records(store, limit, after):
    """A page of every issued certificate's public record, newest first, and where the next
    one starts (``store.public``): what the gateway loads before it follows certification's
    events."""
    if isinstance(limit, bool) or not isinstance(limit, int) or \
            not 1 <= limit <= records.MAX_PAGE:
        raise InvalidInput(f"limit phải từ 1 đến {records.MAX_PAGE}",
                           f"limit must be 1 to {records.MAX_PAGE}",
                           [{"parameter": "limit", "detail": f"1–{records.MAX_PAGE}"}])
    found = store.public(limit, after)
    return {"items": [records.record_of(c) for c in found["items"]], "next": found["next"]}


def public_record(store, code):
    return records.record_of(certificate_or_404(store, code))


def certificates(store, query, limit, cursor, on):
    """A page of the list of certificates (``listing``), issued ones only. A status is
    the one on the day ``on``: a valid certificate past its validity that the daily timer
    has not yet expired is listed as expired, not valid, so a page may hold fewer items."""
    filters, status, states = listing.certificate_filters(query)
    found = store.listed(filters, states, limit, cursor)
    views = [certificate_view(c, on) for c in found["items"]]
    return {"items": [view for view in views if status in (None, view["status"])],
            "next": found["next"]}


def certified_products(store, query, limit, cursor, on, products=None):
    """A page of the public list of certified products (``listing``): the certificates in
    force on the day ``on``, of ``products`` only when given (those sold where the query
    asks: ``trade.products_sold``). The store walks valid ones; one past its validity that
    the daily timer has not yet expired is left out here, so a page may hold fewer items."""
    filters = listing.filters_of(query)
    if products is not None:
        if not products:
            return {"items": [], "next": None}
        filters["product_id"] = {"$in": sorted(products)}
    found = store.in_force(filters, limit, cursor)
    return {"items": [certificate_view(c, on) for c in found["items"]
                      if validity.status(c, on) == VALID], "next": found["next"]}
