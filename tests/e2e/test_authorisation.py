"""Who may do what, through the real gateway: every route of the API × every role × a
caller scoped to the object's own province, commune, producer and council, or to another.

The expected answers are written here by hand, from roles.md and the issue, not read from
``gateway/policy.py``: a route added to the gateway without a line below fails
``test_every_route_is_in_the_matrix``, and a rule that lets in someone it should not (or
keeps out someone it should let in) fails the matrix.
"""
import base64
import tempfile
from pathlib import Path

import pytest

from gateway.policy import POLICY
from gateway.routes import OPERATIONS
from gateway.service import GatewayService  # noqa: F401  (declares the operations)
from gateway.tokens import DevelopmentIssuer
from tests.conftest import Api
from tests.conftest import wait_until
from tests.e2e.journeys import COMMUNES, best_picks, central_evaluation, council_of, \
    criteria_set, csv_file, lowered_picks, open_evaluation, recognise, registered, row, score, \
    set_up_council, spreadsheet_upload, to_the_ministry
from tests.e2e.test_bad_input import assert_problem

PDF = {"filename": "giay-phep.pdf",
       "content": base64.b64encode(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n").decode()}
PLAN_2026 = {"reference": "1/KH-UBND", "adopted_on": "2026-01-15", "targets": [
    {"measure": "certified_new", "at_least": 40, "at_most": 50}]}
OWN, OTHER = "91", "79"  # An Giang, where the objects are; Hồ Chí Minh City, elsewhere
# An agency of each province: the own one registered the world's webhook endpoint.
AGENCIES = {OWN: {"subject": "agency-91", "province": OWN},
            OTHER: {"subject": "agency-79", "province": OTHER}}
ROLES = ("producer", "commune_officer", "province_officer", "province_authority",
         "council_member", "advisory_member", "central_officer", "central_authority",
         "agency", "admin")
EVERYONE = {(role, scope) for role in ROLES + ("anonymous",) for scope in ("own", "other")}


def own(*roles):
    return {(role, "own") for role in roles}


def anywhere(*roles):
    return {(role, scope) for role in roles for scope in ("own", "other")}


PERSONAL = own("producer", "commune_officer", "province_officer", "province_authority") | \
    anywhere("admin")

READERS_OF_PLANS = own("province_officer", "province_authority") | \
    anywhere("central_officer", "central_authority")

# route → who gets past the policy (everyone else: 401 without a token, else 403 or 404)
EXPECTED = {
    # Registration
    "register_producer": EVERYONE,
    "get_producer": PERSONAL,
    "register_product": own("producer", "commune_officer", "province_officer"),
    "get_product": PERSONAL,
    "list_producers": PERSONAL | anywhere("central_officer", "central_authority"),
    "list_products": PERSONAL | anywhere("central_officer", "central_authority"),
    "import_products": own("province_officer"),
    "get_import": own("province_officer", "province_authority") | anywhere("admin"),
    "product_timeline": PERSONAL,
    "submit_idea": own("producer"),
    "get_idea": PERSONAL,
    "decide_idea": own("commune_officer"),
    "resubmit_idea": own("producer"),
    "submit_plan": own("producer"),
    "get_plan": PERSONAL,
    "decide_plan": own("commune_officer"),
    "resubmit_plan": own("producer"),
    "record_support": own("commune_officer", "province_officer"),
    "upload_evidence": own("producer"),
    "get_evidence": PERSONAL,
    "file_dossier": own("producer"),
    "record_receipt": own("commune_officer"),
    "review_dossier": own("commune_officer"),
    "return_dossier": own("commune_officer", "province_officer"),
    "check_completeness": own("province_officer"),
    "propose_product": own("province_officer"),
    "overdue_dossiers": own("province_officer", "province_authority"),
    "set_days_off": own("province_officer", "province_authority"),

    # Evaluation
    "list_categories": EVERYONE,
    "get_criteria_set": EVERYONE,
    "get_council": EVERYONE,
    "set_council": own("province_officer", "province_authority"),
    "list_interests": own("council_member", "advisory_member", "province_officer",
                          "province_authority") | anywhere("admin"),
    "declare_interest": own("council_member"),
    "list_evaluations": own("producer", "province_officer", "province_authority") |
    anywhere("admin"),
    "get_evaluation": own("producer", "province_officer", "province_authority",
                          "council_member", "advisory_member") | anywhere("admin"),
    "request_review": own("advisory_member"),
    "record_sheet": own("council_member"),
    "get_sheet": own("council_member"),
    "rescore": own("council_member"),
    "decide": own("council_member"),
    "call_meeting": own("council_member"),
    "decide_on_approval": own("province_authority"),
    "order_provincial_evaluation": own("province_authority"),
    "report_five_star_re_rating": own("province_officer"),

    # Certification: the province's chair decides on its province's 3★/4★
    "recognise_result": own("province_authority"),
    "revoke_certificate": own("province_authority"),
    "verify_certificate": EVERYONE,
    "list_certificates": EVERYONE,
    "list_certified_products": EVERYONE,
    "verification_page": EVERYONE,
    "digital_link_page": EVERYONE,
    "certificate_qr_svg": EVERYONE,
    "certificate_qr_png": EVERYONE,
    "certificate_pdf": EVERYONE,

    # Trade promotion: the province's office, the ministry's for fairs; listings also the
    # producer's own
    "record_point_of_sale": own("province_officer"),
    "list_points_of_sale": EVERYONE,
    "get_point_of_sale": EVERYONE,
    "carry_product": own("province_officer"),
    "stop_carrying_product": own("province_officer"),
    "record_fair": own("province_officer") | anywhere("central_officer"),
    "list_fairs": EVERYONE,
    "get_fair": EVERYONE,
    "show_product_at_fair": own("province_officer") | anywhere("central_officer"),
    "add_listing": own("producer", "province_officer"),
    "remove_listing": own("producer", "province_officer"),
    "product_places": EVERYONE,

    # Notification
    "list_notifications": PERSONAL,
    "count_unread": PERSONAL,
    "mark_read": PERSONAL,
    "set_contact": PERSONAL,
    "read_events": own("agency") | anywhere("central_officer", "central_authority", "admin"),
    "create_webhook": anywhere("agency"),
    "list_webhooks": anywhere("agency"),
    "rotate_webhook_secret": own("agency") | anywhere("admin"),
    "enable_webhook": own("agency") | anywhere("admin"),
    "list_deliveries": own("agency") | anywhere("admin"),
    "replay_delivery": own("agency") | anywhere("admin"),
    "replay_deliveries": own("agency") | anywhere("admin"),

    # Plans and statistics: the province's offices in their province, the ministry's
    # everywhere; nobody else (statistics count products still in the cycle)
    "record_province_plan": own("province_officer"),
    "get_province_plan": READERS_OF_PLANS,
    "report_plan_figure": own("province_officer"),
    "plan_progress": READERS_OF_PLANS,
    "plan_progress_csv": READERS_OF_PLANS,
    "plan_progress_xlsx": READERS_OF_PLANS,
    "plan_progress_svg": READERS_OF_PLANS,
    "plan_report_page": READERS_OF_PLANS,
    "statistics": READERS_OF_PLANS,
    "statistics_csv": READERS_OF_PLANS,
    "statistics_xlsx": READERS_OF_PLANS,
    "stars_by_category_svg": READERS_OF_PLANS,
    "certificates_by_year_svg": READERS_OF_PLANS,

    # Audit
    "read_audit_trail": own("province_officer") | anywhere("admin"),
}


def requests_for(world):
    """route → (method, path, query, body): a call on the own province's objects, shaped so
    that a caller let through changes nothing that matters to the others (bodies the
    service refuses with 422 where the call would change state)."""
    council = {"name": "Hội đồng An Giang", "chair": "chair"}  # no members: refused, 422
    evaluation = f"/evaluations/{world['evaluation']}"
    inbox, webhook = f"producer:{world['producer']}", f"/webhooks/{world['webhook']}"
    product = f"/products/{world['product']}"
    idea, plan = f"/ideas/{world['idea']}", f"/plans/{world['plan']}"
    point_of_sale, fair = f"/points-of-sale/{world['point_of_sale']}", f"/fairs/{world['fair']}"
    return {
        # Registration
        "register_producer": ("POST", "/producers", None, {"name": "x"}),
        "get_producer": ("GET", f"/producers/{world['producer']}", None, None),
        "register_product": ("POST", "/products", None,
                             {"producer_id": world["producer"], "name": "x"}),
        "get_product": ("GET", f"/products/{world['product']}", None, None),
        "list_producers": ("GET", "/producers", {"province": OWN,
                                                 "producer": world["producer"]}, None),
        "list_products": ("GET", "/products", {"province": OWN, "producer": world["producer"]},
                          None),
        "import_products": ("POST", "/imports", None,
                            {"province_code": OWN, "file_name": "x.csv", "content": "!"}),
        "get_import": ("GET", f"/imports/{world['import']}", None, None),
        "product_timeline": ("GET", f"{product}/timeline", None, None),
        "submit_idea": ("POST", "/ideas", None, {"producer_id": world["producer"]}),
        "get_idea": ("GET", idea, None, None),
        "decide_idea": ("POST", f"{idea}/decision", None, {"outcome": "nope"}),
        "resubmit_idea": ("PUT", idea, None, {}),
        "submit_plan": ("POST", "/plans", None, {"idea_id": world["idea"]}),
        "get_plan": ("GET", plan, None, None),
        "decide_plan": ("POST", f"{plan}/decision", None, {"outcome": "nope"}),
        "resubmit_plan": ("PUT", plan, None, {}),
        "record_support": ("POST", f"{plan}/support", None, {"kind": "nope"}),
        "upload_evidence": ("POST", f"{product}/evidence", None, {"filename": "x"}),
        "get_evidence": ("GET", f"{product}/evidence/{world['evidence']}", None, None),
        # A product under evaluation: every act on its dossier is refused (409 or 422).
        "file_dossier": ("POST", f"{product}/dossier", None, {"self_assessment": []}),
        "record_receipt": ("PUT", f"{product}/dossier/receipt", None, {}),
        "review_dossier": ("POST", f"{product}/dossier/commune-review", None, {}),
        "return_dossier": ("POST", f"{product}/dossier/return", None, {}),
        "check_completeness": ("POST", f"{product}/dossier/completeness", None, None),
        "propose_product": ("POST", f"{product}/proposal", None, None),
        "overdue_dossiers": ("GET", f"/provinces/{OWN}/overdue-dossiers", None, None),
        "set_days_off": ("PUT", f"/provinces/{OWN}/days-off", None, {"days": "nope"}),

        # Evaluation
        "list_categories": ("GET", "/categories", None, None),
        "get_criteria_set": ("GET", "/categories/03/criteria", None, None),
        "get_council": ("GET", f"/councils/province-{OWN}", None, None),
        "set_council": ("PUT", f"/councils/province-{OWN}", None, council),
        "list_interests": ("GET", f"/councils/province-{OWN}/interests", None, None),
        "declare_interest": ("POST", f"/councils/province-{OWN}/interests", None, {}),
        "list_evaluations": ("GET", "/evaluations", {"product_id": world["product"]}, None),
        "get_evaluation": ("GET", evaluation, None, None),
        "request_review": ("POST", f"{evaluation}/reviews", None, {"kind": "nope"}),
        "record_sheet": ("POST", f"{evaluation}/scores", None, {}),
        "get_sheet": ("GET", f"/evaluations/{world['scored_evaluation']}/scores/chair", None,
                      None),
        "rescore": ("PUT", f"{evaluation}/scores/chair", None, {}),
        "decide": ("POST", f"{evaluation}/decision", None, {"knockouts": 5}),
        "call_meeting": ("POST", f"{evaluation}/meeting", None, {"reason": ""}),
        "decide_on_approval": ("POST", f"{evaluation}/approval", None, {"reference": ""}),
        "order_provincial_evaluation": (
            "POST", f"/evaluations/{world['central_evaluation']}/provincial-evaluation", None,
            {}),
        "report_five_star_re_rating": ("POST", f"{evaluation}/office-report", None, {}),

        # Certification
        "recognise_result": ("POST", f"/evaluations/{world['recognised']}/recognition", None,
                             {"reference": ""}),
        "revoke_certificate": ("POST", f"/certificates/{world['certificate']}/revocation",
                               None, {"ground": "nope"}),
        "verify_certificate": ("GET", "/certificates/OCOP-91-2026-99999", None, None),
        "list_certificates": ("GET", "/certificates", {"product_id": world["product"]}, None),
        "list_certified_products": ("GET", "/certified-products", {"province": OWN}, None),
        # The public pages are addressed from the site's root, not the API's.
        "verification_page": ("GET", "/verify/OCOP-91-2026-99999", None, None),
        "digital_link_page": ("GET", "/01/08934567890128", {"ocop": "OCOP-91-2026-99999"},
                              None),
        "certificate_qr_svg": ("GET", "/certificates/OCOP-91-2026-99999/qr.svg", None, None),
        "certificate_qr_png": ("GET", "/certificates/OCOP-91-2026-99999/qr.png", None, None),
        "certificate_pdf": ("GET", "/certificates/OCOP-91-2026-99999/certificate.pdf", None,
                            None),

        # Trade promotion: nothing carried, shown or listed (bodies refused with 422; the
        # product is not carried at the point of sale, nor listed)
        "record_point_of_sale": ("POST", "/points-of-sale", None, {"province_code": OWN}),
        "list_points_of_sale": ("GET", "/points-of-sale", {"province": OWN}, None),
        "get_point_of_sale": ("GET", point_of_sale, None, None),
        "carry_product": ("POST", f"{point_of_sale}/products", None, {"product_id": ""}),
        "stop_carrying_product": ("DELETE", f"{point_of_sale}/products/{world['product']}",
                                  None, None),
        "record_fair": ("POST", "/fairs", None, {"province_code": OWN}),
        "list_fairs": ("GET", "/fairs", {"province": OWN}, None),
        "get_fair": ("GET", fair, None, None),
        "show_product_at_fair": ("POST", f"{fair}/products", None, {"product_id": ""}),
        "add_listing": ("POST", f"{product}/listings", None, {"url": "ftp://example.org/"}),
        "remove_listing": ("DELETE", f"{product}/listings/no-such-listing", None, None),
        "product_places": ("GET", f"/certified-products/{world['product']}/places", None,
                           None),

        # Notification
        "list_notifications": ("GET", "/notifications", {"recipient": inbox}, None),
        "count_unread": ("GET", "/notifications/unread", {"recipient": inbox}, None),
        "mark_read": ("POST", f"/notifications/{world['notification']}/read", None, None),
        "set_contact": ("PUT", f"/notifications/contacts/{inbox}", None, {}),
        "read_events": ("GET", "/events", {"province": OWN, "limit": 1}, None),
        "create_webhook": ("POST", "/webhooks", None, {"url": "ftp://example.org/"}),
        "list_webhooks": ("GET", "/webhooks", None, None),
        "rotate_webhook_secret": ("POST", f"{webhook}/secret", None, None),
        "enable_webhook": ("POST", f"{webhook}/enable", None, None),
        "list_deliveries": ("GET", f"{webhook}/deliveries", None, None),
        "replay_delivery": ("POST", f"{webhook}/deliveries/{world['delivery']}/replay", None,
                            None),
        "replay_deliveries": ("POST", f"{webhook}/replays", None, {}),

        # Plans and statistics (An Giang's plan for 2026 is recorded: a change without
        # If-Match is refused, 428)
        "record_province_plan": ("PUT", f"/plans/{OWN}/2026", None, {"reference": ""}),
        "get_province_plan": ("GET", f"/plans/{OWN}/2026", None, None),
        "report_plan_figure": ("POST", f"/plans/{OWN}/2026/reports", None, {"measure": "x"}),
        "plan_progress": ("GET", f"/plans/{OWN}/2026/progress", None, None),
        "plan_progress_csv": ("GET", f"/plans/{OWN}/2026/progress.csv", None, None),
        "plan_progress_xlsx": ("GET", f"/plans/{OWN}/2026/progress.xlsx", None, None),
        "plan_progress_svg": ("GET", f"/plans/{OWN}/2026/progress.svg", None, None),
        "plan_report_page": ("GET", f"/plans/{OWN}/2026/report", None, None),
        "statistics": ("GET", "/statistics", {"province": OWN}, None),
        "statistics_csv": ("GET", "/statistics.csv", {"province": OWN}, None),
        "statistics_xlsx": ("GET", "/statistics.xlsx", {"province": OWN}, None),
        "stars_by_category_svg": ("GET", "/statistics/stars-by-category.svg",
                                  {"province": OWN}, None),
        "certificates_by_year_svg": ("GET", "/statistics/certificates-by-year.svg",
                                     {"province": OWN}, None),

        # Audit
        "read_audit_trail": ("GET", "/audit", {"province": OWN}, None),
    }


@pytest.fixture(scope="module")
def world(api, people, councils):
    """In An Giang: a producer, its product under evaluation before the provincial council,
    and a 4★ product certified on recognition. In Hồ Chí Minh City: a council with the same
    member names, so that only the scope differs."""
    set_up_council(people, f"province-{OTHER}")
    # An agency of An Giang's endpoint, told of evaluations opening there: nothing listens
    # at its address (allowed to the test stack, tests/conftest.py), its deliveries fail.
    agency = people.calling(["agency"], **AGENCIES[OWN])
    webhook = agency.post("/webhooks", {"url": "http://127.0.0.2:9/", "types": [
        "evaluation.opened"]}).json()
    producer, owner, product = registered(api, people)
    evidence = owner.post(f"/products/{product['id']}/evidence", PDF).json()
    evaluation = open_evaluation(owner, product["id"])
    notification = wait_until(lambda: owner.get("/notifications", params={
        "recipient": f"producer:{producer['id']}"}).json(), what="a notification")[0]
    delivery = wait_until(lambda: agency.get(f"/webhooks/{webhook['id']}/deliveries").json(),
                          what="a delivery")[0]
    idea = owner.post("/ideas", {"producer_id": producer["id"], "title": "Gạo hữu cơ",
                                 "description": "Gạo trồng theo hướng hữu cơ"}).json()
    people.commune_officer().post(f"/ideas/{idea['id']}/decision", {"outcome": "accepted"})
    plan = owner.post("/plans", {"idea_id": idea["id"], "title": "Phương án 2027",
                                 "summary": "Mở rộng vùng nguyên liệu"}).json()
    other_producer, _, _ = registered(api, people, OTHER)
    _, owner, forwarded = registered(api, people)
    provincial = open_evaluation(owner, forwarded["id"])
    to_the_ministry(people, provincial, council_of(best_picks(criteria_set(api, "03"))))
    central = central_evaluation(owner, forwarded["id"])
    imported = people.province_officer(OWN).post("/imports", spreadsheet_upload(
        "91", csv_file([row(certificate_number="MATRIX-1")])))
    assert imported.status_code == 201, imported.text
    _, owner, rated = registered(api, people)
    recognised = score(people, open_evaluation(owner, rated["id"]),
                       council_of(lowered_picks(criteria_set(api, "03"), 15)))
    certificate = recognise(people, recognised)
    office = people.province_officer(OWN)
    point_of_sale = office.post("/points-of-sale", {
        "name": "Trung tâm OCOP An Giang", "kind": "showroom", "province_code": OWN,
        "commune_code": COMMUNES[OWN], "opened_on": "2026-01-15",
        "operator": "Trung tâm Xúc tiến Thương mại An Giang"}).json()
    fair = office.post("/fairs", {"name": "Hội chợ OCOP An Giang", "province_code": OWN,
                                  "venue": "Long Xuyên", "starts_on": "2026-12-01",
                                  "ends_on": "2026-12-05"}).json()
    yearly = people.province_officer(OWN).put(f"/plans/{OWN}/2026", PLAN_2026)
    assert yearly.status_code in (200, 428), yearly.text  # 428: recorded by an earlier run
    return {"producer": producer["id"], "product": product["id"],
            "evaluation": evaluation["id"], "other_producer": other_producer["id"],
            "idea": idea["id"], "plan": plan["id"], "evidence": evidence["id"],
            "scored_evaluation": provincial["id"],
            "central_evaluation": central["id"], "import": imported.json()["id"],
            "recognised": recognised["id"], "certificate": certificate["code"],
            "webhook": webhook["id"], "notification": notification["id"],
            "delivery": delivery["id"], "point_of_sale": point_of_sale["id"],
            "fair": fair["id"]}


def caller(people, world, role, scope):
    """The API as ``role``, scoped to the objects' province (own) or to another."""
    if role == "anonymous":
        return people.anonymous()
    province = OWN if scope == "own" else OTHER
    claims = {
        "producer": {"producers": [world["producer" if scope == "own" else "other_producer"]]},
        "commune_officer": {"province": province, "commune": COMMUNES[province]},
        "province_officer": {"province": province},
        "province_authority": {"province": province},
        "council_member": {"subject": "chair", "councils": [f"province-{province}"]},
        "advisory_member": {"subject": "advisor-1", "councils": [f"province-{province}"]},
        "agency": AGENCIES[province],
    }.get(role, {})
    return people.calling([role], **claims)


def test_every_route_is_in_the_matrix(api):
    served = api.get("/openapi.json").json()["paths"]
    routes = {operation["operationId"] for path in served.values()
              for operation in path.values()}
    assert routes == {op.name for op in OPERATIONS} == set(EXPECTED) == set(POLICY), \
        "a route without an expected line or rule, or one too many"


@pytest.mark.parametrize("role", ROLES + ("anonymous",))
@pytest.mark.parametrize("scope", ("own", "other"))
def test_the_matrix(people, world, role, scope):
    api = caller(people, world, role, scope)
    wrong = []
    for name, (method, path, query, body) in requests_for(world).items():
        base = api.root if path.startswith(PAGES) else api.base
        response = api.http.request(method, base + path, params=query, json=body, timeout=15)
        assert response.status_code < 500, (name, response.text)
        # A public route's 404 is an answer (no such certificate); elsewhere it is a refusal.
        let_in = response.status_code not in ((401, 403) if name in PUBLIC_ROUTES
                                              else (401, 403, 404))
        if let_in != ((role, scope) in EXPECTED[name]):
            wrong.append((name, response.status_code, response.text[:200]))
        if not let_in and role == "anonymous":
            assert response.status_code == 401, (name, response.text)
            assert response.headers["WWW-Authenticate"].startswith('Bearer realm="ocop"')
        if name not in PUBLIC_ROUTES or method != "GET":  # a registration answers with
            assert response.headers["Cache-Control"] == "no-store", name  # personal data
    assert not wrong, f"{role} ({scope}): {wrong}"


PAGES = ("/verify/", "/01/")  # addressed from the site's root
PUBLIC_ROUTES = {name for name, allowed in EXPECTED.items() if allowed == EVERYONE}


def test_a_refused_read_reveals_nothing(people, world):
    """Out of scope or missing: the same 404, word for word."""
    stranger = people.province_officer(OTHER)
    for path in (f"/products/{world['product']}", f"/producers/{world['producer']}",
                 f"/evaluations/{world['evaluation']}", f"/ideas/{world['idea']}",
                 f"/plans/{world['plan']}"):
        hidden = assert_problem(stranger.get(path), 404)
        missing = assert_problem(stranger.get(path.rsplit("/", 1)[0] + "/no-such-id"), 404)
        assert {k: v for k, v in hidden.items() if k != "instance"} == \
            {k: v for k, v in missing.items() if k != "instance"}
    # A council's existence is public: a member of another council is told no, not "none".
    assert_problem(people.member("chair", f"province-{OTHER}").get(
        f"/councils/province-{OWN}/interests"), 403)


def test_personal_data_is_only_for_the_producer_its_commune_and_province(people, world):
    for reader in (people.calling(["producer"], producers=[world["producer"]]),
                   people.commune_officer(), people.province_officer(), people.admin()):
        producer = reader.get(f"/producers/{world['producer']}")
        assert producer.status_code == 200 and producer.json()["tax_code"]
        assert producer.headers["Cache-Control"] == "no-store"
    for outsider in (people.calling(["producer"], producers=[world["other_producer"]]),
                     people.commune_officer("91", "30307"), people.member("chair"),
                     people.central_officer(), people.calling(["agency"])):
        assert outsider.get(f"/producers/{world['producer']}").status_code in (403, 404)


def test_the_gateway_refuses_tokens_it_cannot_trust(people, issuer, world):
    path = f"/products/{world['product']}"
    expired = issuer.token(["province_officer"], province=OWN, minutes=-5)
    stranger = DevelopmentIssuer(Path(tempfile.mkdtemp())).token(["province_officer"],
                                                                 province=OWN)
    for token, reason in ((expired, "expired"), (stranger, "signature")):
        response = Api(people.base_url, token).get(path)
        problem = assert_problem(response, 401)
        assert reason in problem["detail"]
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert people.province_officer(OWN).get(path).status_code == 200


def test_the_ministrys_level_is_the_central_roles_and_councils(people, world):
    """The national scope: the central council and the evaluations before it, not a
    province's; a provincial member has no say at the central level."""
    central = f"/evaluations/{world['central_evaluation']}"
    body = {"name": "Hội đồng Trung ương", "chair": "chair"}  # no members: refused, 422
    for office in (people.central_officer(), people.calling(["central_authority"])):
        assert_problem(office.put("/councils/central", body), 422, "/members")
        assert office.get(central).status_code == 200
        assert_problem(office.put(f"/councils/province-{OWN}", body), 403)
        assert_problem(office.get(f"/evaluations/{world['evaluation']}"), 404)
    assert_problem(people.province_officer(OWN).put("/councils/central", body), 403)
    assert people.province_officer(OWN).get(central).status_code == 200  # its own product
    assert people.member("member-2", "central").get(central).status_code == 200
    assert_problem(people.member("member-2").get(central), 404)  # province-91's member
    assert_problem(people.member("member-2", "central").post(f"{central}/decision",
                                                            {"knockouts": 5}), 403)
    assert_problem(people.member("chair", "central").post(f"{central}/decision",
                                                         {"knockouts": 5}), 422)
