"""Who may call each route of the API, and on which objects: the one policy table.

Each operation of ``gateway/api/`` has a rule here, by its name:
- ``public(...)``: anyone, without a token; rate-limited per client (``gateway/limits.py``);
- ``allow(roles..., on=locator, when=condition)``: a signed-in caller holding one of the
  roles, *in that role's scope* for the object the locator finds (``chassis.identity.
  in_scope``: own producer, own commune or province, own council, national), and meeting
  the extra condition if there is one.

A caller without a token gets 401; with none of the roles, 403; in none of the roles'
scopes, 404 when the object's existence is itself private (producers, products,
evaluations), else 403. The gateway refuses to start with an operation that has no rule.
"""
from dataclasses import dataclass

from chassis.identity import (
    ADMIN, ADVISORY_MEMBER, AGENCY, CENTRAL_AUTHORITY, CENTRAL_OFFICER, COMMUNE_OFFICER,
    COUNCIL_MEMBER, PRODUCER, PROVINCE_AUTHORITY, PROVINCE_OFFICER, Target, in_scope)
from chassis.errors import NotFound
from chassis.provinces import PROVINCES
from services.notification import recipients
from gateway.problems import Problem
from gateway.signin import SignInRefused
from services.certification.authority import target as authority_target


@dataclass(frozen=True)
class Rule:
    roles: frozenset = frozenset()
    locate: object = None     # (services, values, identity) → Target
    condition: object = None  # (identity, target, values) → bool
    public: bool = False
    limit: str | None = None  # the rate-limit bucket of a public route


def public(limit="public", on=None):
    return Rule(public=True, limit=limit, locate=on)


def allow(*roles, on, when=None):
    return Rule(roles=frozenset(roles), locate=on, condition=when)


# Locators: the object a call acts on, found from its path, query or body ----------------

def registered(kind, name):
    """A producer or product (``kind``) whose id is ``name``: whose it is and where."""
    def locate(services, values, identity):
        object_id = values.get(name)
        return owned(f"{kind}s/{object_id}",
                     getattr(services.registration, f"{kind}_scope")(object_id))
    return locate


def cycle_step(step, name):
    """A product idea or business plan (``step``) whose id is ``name``."""
    def locate(services, values, identity):
        object_id = values.get(name)
        return owned(f"{step}s/{object_id}",
                     services.registration.step_scope(step, object_id))
    return locate


def owned(obj, scope):
    return Target(obj, producer_id=scope["producer_id"], province=scope["province_code"],
                  commune=scope["commune_code"])


def producer(name):
    return registered("producer", name)


def product(name):
    return registered("product", name)


def producer_of_new_product(services, values, identity):
    """The producer named in the body (one that does not exist is answered as one out of
    scope: 404); a body that names none is the service's to refuse, naming the field."""
    if not isinstance(values.get("producer_id"), str):
        return None
    return producer("producer_id")(services, values, identity)


def idea_of_new_plan(services, values, identity):
    """The idea a new plan carries out (like ``producer_of_new_product``)."""
    if not isinstance(values.get("idea_id"), str):
        return None
    return cycle_step("idea", "idea_id")(services, values, identity)


def province_named(name):
    """A province named in the path: its own data (its calendar, its overdue dossiers)."""
    def locate(services, values, identity):
        return Target(f"provinces/{values[name]}", province=values[name], private=False)
    return locate


def province_report(name):
    """A province's plan, progress or report (the province named in the path): its own
    offices', and the ministry's for every province."""
    def locate(services, values, identity):
        return Target(f"plans/{values[name]}", province=values[name], national=True,
                      private=False)
    return locate


def statistics_of(name):
    """The statistics of the province named in the query, by default the caller's own;
    the whole country's for the ministry (a province of None)."""
    def locate(services, values, identity):
        return Target("statistics", province=values.get(name) or identity.province,
                      national=True, private=False)
    return locate


def new_producer(services, values, identity):
    return Target("producers", province=values.get("province_code"),
                  commune=values.get("commune_code"))


def listed_scope(kind):
    """A list of producers or products: the province, commune or producer its query names,
    by default the caller's own (a province officer lists its province, a commune officer
    its commune, a producer its own; the central roles and admin, everything)."""
    def locate(services, values, identity):
        own_producer = next(iter(identity.producers)) if len(identity.producers) == 1 \
            else None
        return Target(kind, producer_id=values.get("producer") or own_producer,
                      province=values.get("province") or identity.province,
                      commune=values.get("commune") or identity.commune, national=True,
                      private=False)
    return locate


def province_of_import(services, values, identity):
    return Target("imports", province=values.get("province_code"), private=False)


def an_import(name):
    def locate(services, values, identity):
        scope = services.registration.import_scope(values[name])
        return Target(f"imports/{values[name]}", province=scope["province_code"])
    return locate


def council(name):
    def locate(services, values, identity):
        return seated(f"councils/{values[name]}",
                      services.evaluation.council_roster(values[name]), private=False)
    return locate


def evaluation(name):
    def locate(services, values, identity):
        scope = services.evaluation.evaluation_scope(values[name])
        return seated(f"evaluations/{values[name]}", scope, producer_id=scope["producer_id"])
    return locate


def seated(obj, roster, **details):
    return Target(obj, province=roster["province_code"], national=roster["level"] == "central",
                  council=roster["council"], members=frozenset(roster["members"]),
                  advisory_group=frozenset(roster["advisory_group"]),
                  chairs=frozenset(roster["chairs"]), chair=roster.get("chair"), **details)


def evaluations_of(services, values, identity):
    """What a list of evaluations is of: a product, or a council (``scope``); none named
    is the service's to refuse."""
    if values.get("product_id"):
        return product("product_id")(services, values, identity)
    if values.get("scope"):
        return council("scope")(services, values, identity)
    return None


def decided_at_level(kind, name):
    """A completed result (``kind`` ``result``, by evaluation id) or a certificate
    (``certificate``, by number), as the authorities see it: one of the central level is
    national and no province's (``services.certification.authority.target``)."""
    def locate(services, values, identity):
        scope = getattr(services.certification, f"{kind}_scope")(values[name])
        return authority_target(f"{kind}s/{values[name]}", scope["level"],
                                scope["province_code"])
    return locate


def province_of_new_place(services, values, identity):
    """A point of sale or fair to record, in the province its body names (one that names
    none, or no province, is the service's to refuse, naming the field); national, for a
    fair the ministry organises."""
    province = values.get("province_code")
    if not isinstance(province, str) or province not in PROVINCES:
        return None
    return Target("places", province=province, national=True, private=False)


def promotion_place(kind, name):
    """A point of sale (``kind`` ``point_of_sale``) or fair (``fair``) whose id is
    ``name``: the province it is in. Their existence is public."""
    def locate(services, values, identity):
        scope = services.certification.place_scope(kind, values[name])
        return Target(f"{kind}s/{values[name]}", province=scope["province_code"],
                      national=True, private=False)
    return locate


def province_in(name):
    """A province named in the query; the caller's own when none is."""
    def locate(services, values, identity):
        return Target("audit", province=values.get(name) or identity.province, private=False)
    return locate


def inbox_of(name):
    """The recipient whose inbox (or contact) is named (``services/notification/
    recipients.py``): the producer, commune, province, council, ministry or agency it is.
    A key that names no recipient is the service's to refuse, naming the parameter."""
    def locate(services, values, identity):
        return inbox_target(services, values.get(name))
    return locate


def inbox_target(services, key):
    recipient = recipients.parse(key)
    if recipient is None:
        return None
    obj = f"inboxes/{key}"
    if recipient.kind == recipients.PRODUCER:
        return producer("id")(services, {"id": recipient.value}, None)
    # A producer's or an agency's inbox is as private as they are; the offices' and the
    # councils' exist for all to know.
    if recipient.kind == recipients.COUNCIL:
        return seated(obj, services.evaluation.council_roster(recipient.value), private=False)
    agency = recipient.kind == recipients.AGENCY
    return Target(obj, province=recipient.province,
                  commune=recipient.value if recipient.kind == recipients.COMMUNE else None,
                  national=recipient.kind == recipients.CENTRAL,
                  agency=recipient.value if agency else None, private=agency)


def inbox_item(name):
    """An inbox item: the inbox it lies in."""
    def locate(services, values, identity):
        return inbox_target(services, services.notification.message_scope(values[name])[
            "recipient"])
    return locate


def event_feed(name):
    """The events shared with agencies, of the province named in the query (of the
    agency's own province when it names none); national for the ministry."""
    def locate(services, values, identity):
        return Target("events", province=values.get(name) or identity.province,
                      events=True, national=True, private=False)
    return locate


def own_subscriptions(services, values, identity):
    return Target("webhooks", agency=identity.subject, private=False)


def webhook_endpoint(name):
    def locate(services, values, identity):
        owner = services.notification.endpoint_scope(values[name])["owner"]
        return Target(f"webhooks/{values[name]}", agency=owner)
    return locate


# Conditions ------------------------------------------------------------------------------

def is_the_member(identity, target, values):
    """A member's sheet is theirs alone to change."""
    return values.get("member") == identity.subject


def chairs_the_council(identity, target, values):
    """The council's decision is recorded by its chair or its secretary."""
    return identity.subject in target.chairs


def is_the_chair(identity, target, values):
    """A judgement of the council's chair alone, not of its secretary."""
    return identity.subject == target.chair


# The table -------------------------------------------------------------------------------

PROVINCE = (PROVINCE_OFFICER, PROVINCE_AUTHORITY)
CENTRAL = (CENTRAL_OFFICER, CENTRAL_AUTHORITY)
# Personal data (tax code, e-mail, phone, inbox): the producer, its commune and province.
PERSONAL = (PRODUCER, COMMUNE_OFFICER, *PROVINCE, ADMIN)
# An inbox is read by whoever holds its recipient's role in its scope (inbox_of).
INBOX_READERS = (PRODUCER, COMMUNE_OFFICER, *PROVINCE, COUNCIL_MEMBER, ADVISORY_MEMBER,
                 *CENTRAL, AGENCY, ADMIN)
# Lists of producers and products: each in its own scope (listed_scope).
LISTERS = (*PERSONAL, *CENTRAL)

POLICY = {
    # Registration: producers and products ------------------------------------------------
    "register_producer": public(limit="registration", on=new_producer),
    "get_producer": allow(*PERSONAL, on=producer("producer_id")),
    "register_product": allow(PRODUCER, COMMUNE_OFFICER, PROVINCE_OFFICER,
                              on=producer_of_new_product),
    "get_product": allow(*PERSONAL, on=product("product_id")),
    "list_producers": allow(*LISTERS, on=listed_scope("producers")),
    "list_products": allow(*LISTERS, on=listed_scope("products")),
    "import_products": allow(PROVINCE_OFFICER, on=province_of_import),
    "get_import": allow(*PROVINCE, ADMIN, on=an_import("import_id")),
    "product_timeline": allow(*PERSONAL, on=product("product_id")),
    # Steps 2–4: the producer submits and corrects; the commune's OCOP staff decide;
    # support is recorded by the commune's or the province's office that gave it.
    "submit_idea": allow(PRODUCER, on=producer_of_new_product),
    "get_idea": allow(*PERSONAL, on=cycle_step("idea", "idea_id")),
    "decide_idea": allow(COMMUNE_OFFICER, on=cycle_step("idea", "idea_id")),
    "resubmit_idea": allow(PRODUCER, on=cycle_step("idea", "idea_id")),
    "submit_plan": allow(PRODUCER, on=idea_of_new_plan),
    "get_plan": allow(*PERSONAL, on=cycle_step("plan", "plan_id")),
    "decide_plan": allow(COMMUNE_OFFICER, on=cycle_step("plan", "plan_id")),
    "resubmit_plan": allow(PRODUCER, on=cycle_step("plan", "plan_id")),
    "record_support": allow(COMMUNE_OFFICER, PROVINCE_OFFICER, on=cycle_step("plan", "plan_id")),
    # The dossier (Art. 7.1–7.3.a): the producer files it, the commune reviews and
    # forwards it, the province's OCOP office checks and proposes it; either office may
    # return what it holds (the service checks which one holds it).
    "upload_evidence": allow(PRODUCER, on=product("product_id")),
    "get_evidence": allow(*PERSONAL, on=product("product_id")),
    "file_dossier": allow(PRODUCER, on=product("product_id")),
    "record_receipt": allow(COMMUNE_OFFICER, on=product("product_id")),
    "review_dossier": allow(COMMUNE_OFFICER, on=product("product_id")),
    "return_dossier": allow(COMMUNE_OFFICER, PROVINCE_OFFICER, on=product("product_id")),
    "check_completeness": allow(PROVINCE_OFFICER, on=product("product_id")),
    "propose_product": allow(PROVINCE_OFFICER, on=product("product_id")),
    "overdue_dossiers": allow(*PROVINCE, on=province_named("province_code")),
    "set_days_off": allow(*PROVINCE, on=province_named("province_code")),

    # Evaluation: criteria sets, councils, evaluations ------------------------------------
    "list_categories": public(),
    "get_criteria_set": public(),
    "get_council": public(),  # its public view names no producer
    "set_council": allow(*PROVINCE, *CENTRAL, on=council("scope")),
    "list_interests": allow(COUNCIL_MEMBER, ADVISORY_MEMBER, *PROVINCE, *CENTRAL, ADMIN,
                            on=council("scope")),
    "declare_interest": allow(COUNCIL_MEMBER, on=council("scope")),
    # A product's: its producer, province, admin; a council's: its members, advisory group,
    # the province's offices (the ministry's for the central council), admin.
    "list_evaluations": allow(PRODUCER, *PROVINCE, *CENTRAL, COUNCIL_MEMBER, ADVISORY_MEMBER,
                              ADMIN, on=evaluations_of),
    "get_evaluation": allow(PRODUCER, *PROVINCE, *CENTRAL, COUNCIL_MEMBER, ADVISORY_MEMBER,
                            ADMIN, on=evaluation("evaluation_id")),
    "request_review": allow(ADVISORY_MEMBER, on=evaluation("evaluation_id")),
    "record_sheet": allow(COUNCIL_MEMBER, on=evaluation("evaluation_id")),
    "get_sheet": allow(COUNCIL_MEMBER, on=evaluation("evaluation_id"), when=is_the_member),
    "rescore": allow(COUNCIL_MEMBER, on=evaluation("evaluation_id"), when=is_the_member),
    "decide": allow(COUNCIL_MEMBER, on=evaluation("evaluation_id"), when=chairs_the_council),
    # Art. 7.6.d: the chair calls a re-rating's meeting when its content is complex.
    "call_meeting": allow(COUNCIL_MEMBER, on=evaluation("evaluation_id"), when=is_the_chair),
    # Art. 7.3.e: the provincial chair approves a potential 5★ result for the ministry.
    "decide_on_approval": allow(PROVINCE_AUTHORITY, on=evaluation("evaluation_id")),
    # Art. 7.4.g: the provincial chair decides on a central result handed back.
    "order_provincial_evaluation": allow(PROVINCE_AUTHORITY, on=evaluation("evaluation_id")),
    # Art. 6.3.b: the province OCOP office reports on a 5★ re-rating.
    "report_five_star_re_rating": allow(PROVINCE_OFFICER, on=evaluation("evaluation_id")),

    # Certification -----------------------------------------------------------------------
    # The authority of the level decides: the province's chair on 3★/4★ of its province,
    # the minister on 5★ (Decision 26/2026 Art. 4.1, 8.2).
    "recognise_result": allow(PROVINCE_AUTHORITY, CENTRAL_AUTHORITY,
                              on=decided_at_level("result", "evaluation_id")),
    "revoke_certificate": allow(PROVINCE_AUTHORITY, CENTRAL_AUTHORITY,
                                on=decided_at_level("certificate", "code")),
    "verify_certificate": public(),
    "list_certificates": public(),
    "list_certified_products": public(),
    "verification_page": public(),
    "digital_link_page": public(),
    "certificate_qr_svg": public(),
    "certificate_qr_png": public(),
    "certificate_pdf": public(),

    # Trade promotion (step 6) -------------------------------------------------------------
    # The province's OCOP office promotes its province's OCOP products: it records the
    # points of sale and showrooms opened there and what they carry (the seeds' OCOP
    # centres are the province's), and with the ministry's office the fairs and trade
    # events each organises (national fairs too: central in any province). E-commerce
    # listings are the producer's own sales channel (it answers for what it publishes,
    # roles.md, Art. 7.1), recorded by it or by its province's office. The public sees
    # where OCOP products are sold. The service refuses a product without a valid
    # certificate, whoever asks.
    "record_point_of_sale": allow(PROVINCE_OFFICER, on=province_of_new_place),
    "list_points_of_sale": public(),
    "get_point_of_sale": public(),
    "carry_product": allow(PROVINCE_OFFICER,
                           on=promotion_place("point_of_sale", "point_of_sale_id")),
    "stop_carrying_product": allow(PROVINCE_OFFICER,
                                   on=promotion_place("point_of_sale", "point_of_sale_id")),
    "record_fair": allow(PROVINCE_OFFICER, CENTRAL_OFFICER, on=province_of_new_place),
    "list_fairs": public(),
    "get_fair": public(),
    "show_product_at_fair": allow(PROVINCE_OFFICER, CENTRAL_OFFICER,
                                  on=promotion_place("fair", "fair_id")),
    "add_listing": allow(PRODUCER, PROVINCE_OFFICER, on=product("product_id")),
    "remove_listing": allow(PRODUCER, PROVINCE_OFFICER, on=product("product_id")),
    "product_places": public(),

    # Notification: inboxes, contacts, the agencies' feed and webhooks ---------------------
    "list_notifications": allow(*INBOX_READERS, on=inbox_of("recipient")),
    "count_unread": allow(*INBOX_READERS, on=inbox_of("recipient")),
    "mark_read": allow(*INBOX_READERS, on=inbox_item("item_id")),
    "set_contact": allow(*INBOX_READERS, on=inbox_of("recipient")),
    "read_events": allow(AGENCY, *CENTRAL, ADMIN, on=event_feed("province")),
    "create_webhook": allow(AGENCY, on=own_subscriptions),
    "list_webhooks": allow(AGENCY, on=own_subscriptions),
    "rotate_webhook_secret": allow(AGENCY, ADMIN, on=webhook_endpoint("webhook_id")),
    "enable_webhook": allow(AGENCY, ADMIN, on=webhook_endpoint("webhook_id")),
    "list_deliveries": allow(AGENCY, ADMIN, on=webhook_endpoint("webhook_id")),
    "replay_delivery": allow(AGENCY, ADMIN, on=webhook_endpoint("webhook_id")),
    "replay_deliveries": allow(AGENCY, ADMIN, on=webhook_endpoint("webhook_id")),

    # Plans and statistics ----------------------------------------------------------------
    # The province's OCOP office records its plan and the figures no event gives; the
    # province's offices and the ministry read progress. Statistics are not public: the
    # stages count products still in the cycle (returned, rejected, not ranked), which in a
    # small commune would point at a producer before any decision is published.
    "record_province_plan": allow(PROVINCE_OFFICER, on=province_report("province")),
    "get_province_plan": allow(*PROVINCE, *CENTRAL, on=province_report("province")),
    "report_plan_figure": allow(PROVINCE_OFFICER, on=province_report("province")),
    "plan_progress": allow(*PROVINCE, *CENTRAL, on=province_report("province")),
    "plan_progress_csv": allow(*PROVINCE, *CENTRAL, on=province_report("province")),
    "plan_progress_xlsx": allow(*PROVINCE, *CENTRAL, on=province_report("province")),
    "plan_progress_svg": allow(*PROVINCE, *CENTRAL, on=province_report("province")),
    "plan_report_page": allow(*PROVINCE, *CENTRAL, on=province_report("province")),
    "statistics": allow(*PROVINCE, *CENTRAL, on=statistics_of("province")),
    "statistics_csv": allow(*PROVINCE, *CENTRAL, on=statistics_of("province")),
    "statistics_xlsx": allow(*PROVINCE, *CENTRAL, on=statistics_of("province")),
    "stars_by_category_svg": allow(*PROVINCE, *CENTRAL, on=statistics_of("province")),
    "certificates_by_year_svg": allow(*PROVINCE, *CENTRAL, on=statistics_of("province")),

    # Audit -------------------------------------------------------------------------------
    "read_audit_trail": allow(PROVINCE_OFFICER, ADMIN, on=province_in("province")),
}


def authorize(rule, identity, services, values):
    """The object the call may act on (None when it names none), or the refusal."""
    if rule.public:
        return rule.locate(services, values, identity) if rule.locate else None
    if identity is None:
        raise SignInRefused("Cần mã truy cập (Bearer)", "A Bearer access token is required",
                            error=None)
    roles = identity.roles & rule.roles
    if not roles:
        raise Problem(403, "Không có quyền / Forbidden",
                      "Vai trò của bạn không được làm việc này / "
                      "None of your roles may do this")
    try:
        target = rule.locate(services, values, identity)
    except NotFound:
        raise hidden() from None
    if target is None:
        return None
    scoped = [role for role in roles if in_scope(identity, role, target)]
    if scoped and (rule.condition is None or rule.condition(identity, target, values)):
        return target
    if not scoped and target.private:
        raise hidden()
    raise Problem(403, "Không có quyền / Forbidden",
                  f"Bạn không được làm việc này với {target.object} / "
                  f"You may not do this on {target.object}")


def hidden():
    """The same answer whether the object is missing or not the caller's to see."""
    return Problem(404, "Không tìm thấy / Not found",
                   "Không có đối tượng này, hoặc bạn không được xem / "
                   "No such object, or it is not yours to see")
