"""Trade promotion's use cases (step 6, ``promotion``): the provinces' points of sale and
showrooms and the products they carry, fairs and the products shown there, e-commerce
listings, the withdrawal of a product whose certificate ended, and the public list's
filters by where products are sold."""
import uuid

from chassis import pages
from chassis.errors import NotFound
from chassis.events import timestamp
from services.certification import listing, promotion, validity
from services.certification.promotion import ACTIVE, AT_FAIR, AT_POINT_OF_SALE, ONLINE
from services.certification.workflow import make_event, utc_from


# The places -------------------------------------------------------------------------------

def record_point_of_sale(store, caller, request, today):
    """The province's OCOP office records a point of sale or showroom that has opened:
    ``point_of_sale.recorded``."""
    promotion.check_opened_on(request["opened_on"], today)
    point_of_sale = pages.stamped({
        "_id": str(uuid.uuid4()), **request, "opened_on": request["opened_on"].isoformat(),
        "recorded_by": caller.subject})
    store.insert_point_of_sale(point_of_sale, [make_event(
        "point_of_sale.recorded", f"points-of-sale/{point_of_sale['_id']}", {
            "point_of_sale_id": point_of_sale["_id"],
            **{k: point_of_sale[k] for k in ("name", "kind", "province_code",
                                              "commune_code", "opened_on", "operator")}})])
    return point_of_sale_view(store, point_of_sale)


# Each kind of place: its collection and its name in a refusal.
PLACES = {AT_POINT_OF_SALE: ("points_of_sale", ("điểm bán", "point of sale")),
          AT_FAIR: ("fairs", ("hội chợ", "fair"))}


def place_or_404(store, kind, place_id):
    collection, (vi, en) = PLACES[kind]
    place = store.place(collection, place_id)
    if place is None:
        raise NotFound(f"Không có {vi} {place_id}", f"No {en} {place_id}")
    return place


def place_scope(store, kind, place_id):
    """Where a point of sale or fair is: what the gateway's policy checks."""
    return {"province_code": place_or_404(store, kind, place_id)["province_code"]}


def places(store, kind, query, limit, cursor):
    """A page of the points of sale (by province and kind) or fairs (by province)."""
    found = store.page_of(PLACES[kind][0], place_filters(query, by_kind=kind == AT_POINT_OF_SALE),
                          limit, cursor)
    return {"items": [place_view(p) for p in found["items"]], "next": found["next"]}


def point_of_sale(store, point_of_sale_id):
    return point_of_sale_view(store, place_or_404(store, AT_POINT_OF_SALE, point_of_sale_id))


def place_filters(query, by_kind=False):
    """A list of places by province (and for points of sale, kind), checked."""
    filters = {}
    if query.get("province") is not None:
        filters["province_code"] = listing.province_code(query["province"], "province")
    if by_kind and query.get("kind") is not None:
        if query["kind"] not in promotion.OUTLET_KINDS:
            raise listing.refused("kind", "Loại phải là " + ", ".join(promotion.OUTLET_KINDS),
                                  "Kind must be one of " + ", ".join(promotion.OUTLET_KINDS))
        filters["kind"] = query["kind"]
    return filters


def place_view(place):
    return {"id": place["_id"], **{k: v for k, v in place.items()
                                   if k not in ("_id", "listed", "recorded_by")}}


def point_of_sale_view(store, point_of_sale):
    return {**place_view(point_of_sale),
            "products": [product_view(p) for p in store.active_at(point_of_sale["_id"])]}


def product_view(placement):
    return {k: placement[k] for k in ("product_id", "product_name", "producer_id",
                                      "producer_name", "certificate_code", "since")}


def record_fair(store, caller, request):
    fair = pages.stamped({"_id": str(uuid.uuid4()), **request,
                          "starts_on": request["starts_on"].isoformat(),
                          "ends_on": request["ends_on"].isoformat(),
                          "recorded_by": caller.subject})
    store.insert_fair(fair)
    return fair_view(store, fair)


def fair(store, fair_id):
    return fair_view(store, place_or_404(store, AT_FAIR, fair_id))


def fair_view(store, fair):
    shown = store.active_at(fair["_id"])
    return {**place_view(fair), "products": [product_view(p) for p in shown],
            "producers": list({p["producer_id"]: {"producer_id": p["producer_id"],
                                                  "producer_name": p["producer_name"]}
                               for p in shown}.values())}


# Promoting a certified product -------------------------------------------------------------

def about(certificate):
    """What every promotion event says about the product, from its certificate."""
    return {"product_id": certificate["product_id"], "producer_id": certificate["producer_id"],
            "province_code": certificate["province_code"], "name": certificate["product_name"],
            "certificate_code": certificate["_id"]}


def promote(store, caller, product_id, place, today, pointer=None, **details):
    """Promote ``product_id`` at ``place`` (``promotion.place_of_*``) if it holds a valid
    certificate; otherwise 409 saying why. Once per product and place: promoting it there
    again changes nothing. The placement's id."""
    certificate = valid_certificate(store, product_id, today, pointer)
    placement_id = promotion.placement_id(place["kind"], place["id"], product_id)
    added_at = timestamp()
    placement = {
        "_id": placement_id, "kind": place["kind"], "place_id": place["id"], "place": place,
        "province_code": place["province_code"], "product_id": product_id,
        "product_name": certificate["product_name"],
        "producer_id": certificate["producer_id"],
        "producer_name": certificate["producer_name"],
        "certificate_code": certificate["_id"], "state": ACTIVE, "since": added_at,
        "by": caller.subject, **details}
    if store.promote(placement, [make_event("promotion.added", f"products/{product_id}", {
            **about(certificate), "place": promotion.event_place(place),
            "added_at": added_at})]):
        still_certified(store, placement, today, pointer)
    return placement_id


def valid_certificate(store, product_id, today, pointer):
    certificates = store.for_product(product_id)
    refused = promotion.refusal(product_id, certificates, today, pointer)
    if refused is not None:
        raise refused
    return next(c for c in certificates if validity.status(c, today) == validity.VALID)


def still_certified(store, placement, today, pointer):
    """A certificate that ended while the product was being added: the withdrawal may have
    looked for its places before this one existed, so it is taken off here (once: by the
    withdrawal or by this) and refused. Read after the placement's write: any later end
    of validity withdraws this placement with the others."""
    refused = promotion.refusal(placement["product_id"],
                                store.for_product(placement["product_id"]), today, pointer)
    if refused is not None:
        take_off(store, placement, store.get(placement["certificate_code"]), "not_certified")
        raise refused


def take_off(store, placement, certificate, reason):
    removed_at = timestamp()
    return store.take_off(placement["_id"], [make_event(
        "promotion.removed", f"products/{placement['product_id']}", {
            **about(certificate), "place": promotion.event_place(placement["place"]),
            "reason": reason, "removed_at": removed_at})])


def stop_promoting(store, kind, place_id, product_id):
    """The product is no longer promoted at the place (already not: nothing changes)."""
    placement = store.placement(promotion.placement_id(kind, place_id, product_id))
    if placement is not None and placement["state"] == ACTIVE:
        take_off(store, placement, store.get(placement["certificate_code"]), "taken_off")


def carry(store, caller, point_of_sale_id, request, today):
    """A point of sale or showroom carries a certified product."""
    outlet = place_or_404(store, AT_POINT_OF_SALE, point_of_sale_id)
    promote(store, caller, request["product_id"], promotion.place_of_outlet(outlet), today,
            "/product_id")
    return point_of_sale_view(store, outlet)


def stop_carrying(store, point_of_sale_id, product_id):
    outlet = place_or_404(store, AT_POINT_OF_SALE, point_of_sale_id)
    stop_promoting(store, AT_POINT_OF_SALE, point_of_sale_id, product_id)
    return point_of_sale_view(store, outlet)


def show_at_fair(store, caller, fair_id, request, today):
    """A certified product shown at a fair that is not over; its producer participates."""
    shown_at = place_or_404(store, AT_FAIR, fair_id)
    promotion.check_fair_open(shown_at, today)
    promote(store, caller, request["product_id"], promotion.place_of_fair(shown_at), today,
            "/product_id")
    return fair_view(store, shown_at)


def add_listing(store, caller, product_id, request, today):
    """A certified product's page on an e-commerce platform; the same address again is the
    same listing."""
    promotion.check_listing_url(request["url"])
    listing_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{product_id} {request['url']}"))
    placement_id = promote(
        store, caller, product_id,
        promotion.place_of_listing(listing_id, request["platform"], request["url"]), today,
        platform_key=promotion.platform_key(request["platform"]))
    return listing_view(store.placement(placement_id))


def listing_view(placement):
    return {"id": placement["place_id"], "platform": placement["place"]["platform"],
            "url": placement["place"]["url"], "certificate_code": placement["certificate_code"],
            "since": placement["since"]}


def remove_listing(store, product_id, listing_id):
    """The listing taken off (one not there: nothing changes); where the product is
    promoted now."""
    stop_promoting(store, ONLINE, listing_id, product_id)
    return product_places(store, product_id)


def product_places(store, product_id):
    """Where a product is promoted now (nothing for a product never promoted)."""
    active = [p for p in store.placements_of(product_id) if p["state"] == ACTIVE]

    def of(kind):
        return [p for p in active if p["kind"] == kind]
    return {"product_id": product_id,
            "points_of_sale": [{**{k: p["place"][k] for k in ("id", "name", "province_code")},
                                "kind": p["place"]["outlet_kind"], "since": p["since"]}
                               for p in of(AT_POINT_OF_SALE)],
            "fairs": [{k: p["place"][k] for k in ("id", "name", "province_code", "starts_on",
                                                   "ends_on")} for p in of(AT_FAIR)],
            "listings": [listing_view(p) for p in of(ONLINE)]}


# Withdrawal -------------------------------------------------------------------------------

def withdraw(store, event, reason):
    """The certificate of ``event`` (``certificate.revoked`` or ``.expired``) ended: its
    product is withdrawn from every place it is promoted at (``promotion.withdrawable``),
    each placement once, and ``promotion.withdrawn`` names them all, once per certificate
    however often the event arrives and on however many processes."""
    code, product_id = event["data"]["code"], event["data"]["product_id"]
    on = validity.vietnam_day(utc_from(event["time"]))
    for placement in store.placements_of(product_id):
        if promotion.withdrawable(placement, on):
            store.withdraw_placement(placement["_id"], code)
    withdrawn = [p for p in store.placements_of(product_id) if p.get("withdrawn_by") == code]
    if not withdrawn:
        return
    withdrawn_at = timestamp()
    store.record_withdrawal(
        {"_id": code, "product_id": product_id, "reason": reason,
         "places": [p["_id"] for p in withdrawn], "withdrawn_at": withdrawn_at},
        [make_event("promotion.withdrawn", f"products/{product_id}", {
            **about(store.get(code)), "reason": reason,
            "places": [promotion.event_place(p["place"]) for p in withdrawn],
            "withdrawn_at": withdrawn_at})])


# The public list, by where products are sold -----------------------------------------------

def products_sold(store, query):
    """The ids of the products sold where the public list's query asks (``listing.
    sold_at``: each place asked for, all at once); None when it asks nothing of the kind."""
    wanted = listing.sold_at(query)
    if not wanted:
        return None
    for match in wanted:
        if "place_id" in match and store.place("points_of_sale", match["place_id"]) is None:
            raise listing.refused("point_of_sale", "Không có điểm bán này",
                                  "No such point of sale")
    return set.intersection(*(store.products_promoted(match) for match in wanted))
