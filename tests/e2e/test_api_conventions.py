"""What every operation of the gateway does the same way: problems in the caller's language,
405 and CORS preflights, strict JSON, bounded errors, the documentation page, the list of
evaluations a council works through."""
import re

import pytest

from chassis.provinces import COMMUNES
from gateway.openapi import SERVER_REFUSALS
from gateway.routes import MAX_JSON_DEPTH
from tests.conftest import FRONT_END, browse
from tests.e2e.journeys import best_picks, criteria_set, new_product, open_evaluation, \
    producer_registration, set_up_council
from tests.e2e.test_bad_input import VALID_PRODUCER, assert_problem

MISSING = "/products/no-such-product"


@pytest.mark.parametrize("accept, title, language", [
    (None, "Không tìm thấy / Not found", "vi, en"),
    ("vi", "Không tìm thấy", "vi"),
    ("en-GB,en;q=0.9,vi;q=0.5", "Not found", "en"),
    ("fr", "Không tìm thấy", "vi"),  # a language we do not speak: Vietnamese
])
def test_problems_speak_the_callers_language(people, accept, title, language):
    officer = people.province_officer()
    response = officer.get(MISSING, headers={"Accept-Language": accept} if accept else {})
    problem = response.json()
    assert response.status_code == 404 and problem["title"] == title
    assert response.headers["Content-Language"] == language
    assert "Accept-Language" in response.headers["Vary"]
    if language == "en":
        assert problem["detail"] == "No such object, or it is not yours to see"


def test_field_errors_speak_the_callers_language(api):
    problem = api.post("/producers", {**VALID_PRODUCER, "kind": "kolkhoz"},
                       headers={"Accept-Language": "en"}).json()
    assert problem["title"] == "Invalid input"
    assert problem["errors"][0]["detail"].startswith("Kind must be one of")


def test_a_wrong_method_is_405_with_allow(api):
    response = api.http.delete(api.base + "/councils/central", timeout=10)
    problem = assert_problem(response, 405)
    assert response.headers["Allow"] == "GET, PUT"
    assert problem["type"] == "urn:ocop:problem:method-not-allowed"
    assert_problem(api.http.patch(api.base + "/no/such/route", timeout=10), 404)


def test_cors_preflight_and_answers_for_the_configured_origin(api):
    preflight = api.http.options(api.base + "/producers", timeout=10, headers={
        "Origin": FRONT_END, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, idempotency-key"})
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == FRONT_END
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Idempotency-Key" in preflight.headers["Access-Control-Allow-Headers"]
    answer = api.get("/categories", headers={"Origin": FRONT_END})
    assert answer.headers["Access-Control-Allow-Origin"] == FRONT_END
    assert "ETag" in answer.headers["Access-Control-Expose-Headers"]
    stranger = api.http.options(api.base + "/producers", timeout=10, headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert stranger.status_code == 204
    assert "Access-Control-Allow-Origin" not in stranger.headers
    assert "Access-Control-Allow-Origin" not in api.get(
        "/categories", headers={"Origin": "https://evil.example"}).headers


def post_raw(api, data):
    return api.http.post(api.base + "/producers", data=data, timeout=10,
                         headers={"Content-Type": "application/json"})


@pytest.mark.parametrize("data", [
    b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1),
    b"[" * 100_000,  # deeper than Python's parser could follow
    b'{"name": "a", "contact": {"email": "x"}, "name": "b"}',  # a key twice
    b'{"name": "M\xe1m"}',  # not UTF-8
], ids=["too-deep", "far-too-deep", "duplicate-key", "latin-1"])
def test_unreadable_json_is_a_400_never_a_500(api, data):
    assert_problem(post_raw(api, data), 400)


@pytest.mark.parametrize("name", ["Mắm\u202e cá linh", "Mắm\x00", "Mắm\ncá", "Mắm\u2066"])
def test_control_and_bidi_characters_in_names_are_refused_and_not_stored(api, name):
    body = producer_registration()
    assert_problem(api.post("/producers", {**body, "name": name}), 422, "/name")
    assert api.post("/producers", body).status_code == 201  # the tax code was still free


def test_line_breaks_are_text_in_free_text(api, people):
    producer = api.post("/producers", producer_registration()).json()
    owner = people.producer(producer)
    response = owner.post("/products", {"producer_id": producer["id"], "name": "Mắm",
                                        "category": "03", "description": "Dòng 1\nDòng 2"})
    assert response.status_code == 201, response.text


def test_a_422_names_at_most_twenty_fields(api):
    problem = assert_problem(api.post("/producers", {f"x{i}": i for i in range(200)}), 422)
    assert 1 <= len(problem["errors"]) <= 20


def test_the_docs_page_runs_from_the_gateways_own_files(api):
    page = api.get("/docs")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/api/v1/docs/assets/") for s in sources), sources
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    for source in sources:
        asset = api.http.get(api.root + source, timeout=10)
        assert asset.status_code == 200 and asset.content, source
    start = api.get("/docs/assets/start.js").text
    assert "/api/v1/openapi.json" in start and '"persistAuthorization": true' in start
    assert "SwaggerUIBundle" in api.get("/docs/assets/swagger-ui-bundle.js").text
    assert_problem(api.get("/docs/assets/..%2F..%2Fservice.py"), 404)


def test_the_document_declares_every_mechanism(api):
    document = api.get("/openapi.json").json()
    operations = [(path, method, op) for path, item in document["paths"].items()
                  for method, op in item.items()]
    for path, method, op in operations:
        refs = {p.get("$ref", "").rsplit("/", 1)[-1] for p in op.get("parameters", [])}
        assert {"AcceptLanguage", "CorrelationId"} <= refs, path
        assert ("IdempotencyKey" in refs) == (method == "post"), (method, path)
        answered = next(r for status, r in op["responses"].items() if status.startswith("2"))
        assert "X-Correlation-Id" in answered["headers"], path
        # A page (HTML) refuses with a page, but for what the HTTP server refuses first.
        page = "text/html" in answered["content"]
        for status, response in op["responses"].items():
            if int(status) >= 400:
                refusal = "text/html" if page and int(status) not in SERVER_REFUSALS \
                    else "application/problem+json"
                assert list(response["content"]) == [refusal], (path, status)
    criteria = document["paths"]["/api/v1/categories/{code}/criteria"]["get"]
    assert criteria["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CriteriaSet"}
    option = document["components"]["schemas"]["Option"]
    assert {"points", "star_min", "knockout"} <= set(option["properties"])
    assert option["additionalProperties"] is True  # additions to the set are served
    assert document["components"]["schemas"]["NewProducer"]["properties"][
        "province_code"] == {"$ref": "#/components/schemas/ProvinceCode"}
    province = document["components"]["schemas"]["ProvinceCode"]
    assert len(province["enum"]) == 34
    assert province["x-enum-descriptions"][province["enum"].index("91")] == "An Giang"
    producers = document["paths"]["/api/v1/producers"]["post"]
    assert producers["requestBody"]["content"]["application/json"]["example"]["name"]


# The list of evaluations ------------------------------------------------------------------

SCOPE, PROVINCE = "province-96", "96"


@pytest.fixture(scope="module")
def council_96(api, people):
    """Cà Mau's council with three evaluations open before it."""
    set_up_council(people, SCOPE)
    commune = next(code for code, (_, province) in COMMUNES.items() if province == PROVINCE)
    opened = []
    for number in range(3):
        producer = api.post("/producers", {**producer_registration(),
                                           "province_code": PROVINCE,
                                           "commune_code": commune}).json()
        owner = people.producer(producer)
        product = new_product(owner, producer["id"], name=f"Tôm khô Cà Mau {number}")
        opened.append(open_evaluation(owner, product["id"]))
    return opened


def ids(response):
    assert response.status_code == 200, response.text
    return [e["id"] for e in response.json()]


def test_a_council_lists_its_evaluations_newest_first_page_by_page(people, council_96):
    officer = people.province_officer(PROVINCE)
    everything = ids(officer.get("/evaluations", params={"scope": SCOPE}))
    assert everything == [e["id"] for e in reversed(council_96)]
    first = officer.get("/evaluations", params={"scope": SCOPE, "limit": 2})
    assert ids(first) == everything[:2]
    following = re.fullmatch(r'<([^>]+)>; rel="next"', first.headers["Link"]).group(1)
    second = officer.http.get(officer.root + following, timeout=10)
    assert ids(second) == everything[2:] and "Link" not in second.headers
    assert ids(officer.get("/evaluations", params={"scope": SCOPE, "status": "open",
                                                   "level": "province"})) == everything
    assert ids(officer.get("/evaluations", params={"scope": SCOPE, "status": "completed"})) \
        == []
    round_id = council_96[0]["round"]["id"]
    assert ids(officer.get("/evaluations", params={"scope": SCOPE, "round": round_id})) == \
        everything
    assert_problem(officer.get("/evaluations", params={"scope": SCOPE, "status": "nope"}),
                   422, "/status")
    assert_problem(people.province_officer("91").get("/evaluations", params={
        "scope": SCOPE}), 403)


def test_waiting_for_me_is_what_the_member_has_still_to_score(api, people, council_96):
    member = people.member("member-2", SCOPE)
    waiting = {"scope": SCOPE, "waiting_for_me": "true"}
    assert set(ids(member.get("/evaluations", params=waiting))) == {
        e["id"] for e in council_96}
    scored, declined = council_96[0], council_96[1]
    assert member.post(f"/evaluations/{scored['id']}/scores", {
        "picks": best_picks(criteria_set(api, "03"))}).status_code == 201
    assert member.post(f"/councils/{SCOPE}/interests",
                       {"producer_id": declined["producer_id"]}).status_code == 201
    assert ids(member.get("/evaluations", params=waiting)) == [council_96[2]["id"]]
    # Another member still has all three to score; someone outside the council, none.
    assert len(ids(people.member("member-3", SCOPE).get("/evaluations", params=waiting))) == 3
    assert ids(people.province_officer(PROVINCE).get("/evaluations", params=waiting)) == []
    assert_problem(member.get("/evaluations", params={"waiting_for_me": "true"}), 422,
                   "/scope")



def test_the_docs_page_renders_every_operation_in_a_browser(api, chromium):
    """Swagger UI, run by a real browser from the gateway's own files, lists every
    operation of the served document and offers the token dialog ("Authorize")."""
    rendered = browse(chromium, api.base + "/docs", "--virtual-time-budget=15000",
                      "--dump-dom")
    document = api.get("/openapi.json").json()
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            shown = f'id="operations-{op["tags"][0]}-{op["operationId"]}"'
            assert shown in rendered, (method, path)
    assert "btn authorize" in rendered
