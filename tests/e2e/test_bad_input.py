"""Bad input anywhere: a 4xx application/problem+json naming the field, bilingual,
never a 500, and nothing stored."""
import pytest

from tests.e2e.journeys import best_picks, criteria_set, new_producer, new_product, \
    open_evaluation, score

VALID_PRODUCER = {"name": "Tổ hợp tác Mắm Châu Đốc", "kind": "cooperative_group",
                  "tax_code": "1601234567", "province_code": "91",
                  "contact": {"email": "mam@example.vn", "phone": "0296 3868 999"}}


def assert_problem(response, status, *pointers):
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status and problem["type"].startswith("urn:ocop:problem:")
    assert " / " in problem["title"] and problem["detail"] and problem["instance"]
    named = {e["pointer"] if "pointer" in e else e.get("parameter")
             for e in problem.get("errors", [])}
    assert set(pointers) <= named, problem
    return problem


@pytest.mark.parametrize("change, pointer", [
    ({"kind": "kolkhoz"}, "/kind"),
    ({"tax_code": "12AB"}, "/tax_code"),
    ({"province_code": "99"}, "/province_code"),
    ({"name": ""}, "/name"),
    ({"contact": {"email": "not-an-address", "phone": "0296 3868 999"}}, "/contact/email"),
    ({"contact": None}, "/contact"),
    ({"unexpected": 1}, "/unexpected"),
])
def test_a_bad_producer_is_refused_by_field(api, change, pointer):
    assert_problem(api.post("/producers", {**VALID_PRODUCER, **change}), 422, pointer)


def test_missing_fields_are_all_named(api):
    assert_problem(api.post("/producers", {}), 422, "/name", "/kind", "/tax_code",
                   "/province_code", "/contact")


def test_a_refused_producer_is_not_stored(api):
    body = {**VALID_PRODUCER, "tax_code": "1609999999"}
    assert_problem(api.post("/producers", {**body, "kind": "nope"}), 422, "/kind")
    assert api.post("/producers", body).status_code == 201
    problem = assert_problem(api.post("/producers", body), 409, "/tax_code")
    assert "Mã số thuế" in problem["detail"] and "tax code" in problem["detail"]


def test_not_json_or_not_an_object(api):
    raw = api.http.post(api.base + "/producers", data="{name:", timeout=10,
                        headers={"Content-Type": "application/json"})
    assert_problem(raw, 400)
    text = api.http.post(api.base + "/producers", data="name=x", timeout=10,
                         headers={"Content-Type": "text/plain"})
    assert_problem(text, 415)
    assert_problem(api.post("/producers", [1, 2]), 422, "")


def test_products_need_a_known_producer_and_category(api):
    producer = new_producer(api)
    assert_problem(api.post("/products", {"producer_id": "no-such-producer", "name": "Mắm cá",
                                          "category": "09"}), 422, "/producer_id")
    assert_problem(api.post("/products", {"producer_id": producer["id"], "name": "Mắm cá",
                                          "category": "99"}), 422, "/category")
    assert_problem(api.post("/products", {"producer_id": producer["id"], "name": "M"}), 422,
                   "/name", "/category")


def test_unknown_resources_and_routes(api, councils):
    assert_problem(api.get("/products/nope"), 404)
    assert_problem(api.get("/producers/nope"), 404)
    assert_problem(api.get("/certificates/OCOP-91-2026-99999"), 404)
    assert_problem(api.post("/products/nope/submission"), 404)
    assert_problem(api.post("/evaluations/nope/decision"), 404)
    assert_problem(api.get("/no-such-thing"), 404)
    assert_problem(api.get("/evaluations"), 400, "product_id")


def test_score_sheets_are_checked_and_refusals_change_nothing(api, councils):
    producer = new_producer(api)
    product = new_product(api, producer["id"])
    evaluation = open_evaluation(api, product["id"])
    sheets = f"/evaluations/{evaluation['id']}/scores"
    picks = best_picks(criteria_set(api, "03"))
    assert_problem(api.post(f"/products/{product['id']}/submission"), 409)
    assert_problem(api.post(f"/evaluations/{evaluation['id']}/decision"), 409)
    assert_problem(api.post(sheets, {"member": "chair", "picks": {**picks, "1.1": "1.1.z"}}),
                   422, "/picks/1.1")
    assert_problem(api.post(sheets, {"member": "chair", "picks": {**picks, "99.9": "x"}}),
                   422, "/picks/99.9")
    incomplete = {k: v for k, v in picks.items() if k != "2.1"}
    assert_problem(api.post(sheets, {"member": "chair", "picks": incomplete}), 422,
                   "/picks/2.1")
    assert_problem(api.post(sheets, {"member": "stranger", "picks": picks}), 422, "/member")
    assert_problem(api.post(sheets, {"member": "a.b", "picks": picks}), 422, "/member")
    assert_problem(api.post(sheets, {"member": "chair"}), 422, "/picks")
    untouched = api.get(f"/evaluations/{evaluation['id']}").json()
    assert untouched["sheets"] == {} and untouched["status"] == "open"

    assert api.post(sheets, {"member": "chair", "picks": picks}).status_code == 201
    assert_problem(api.post(sheets, {"member": "chair", "picks": picks}), 409)
    closed = score(api, evaluation["id"], {"member-2": picks, "member-3": picks})
    assert closed["status"] == "forwarded"
    assert_problem(api.post(sheets, {"member": "member-4", "picks": picks}), 409)
    assert_problem(api.post(f"/evaluations/{evaluation['id']}/decision"), 409)
    assert_problem(api.http.put(f"{api.base}{sheets}/chair", json={"picks": picks}, timeout=10),
                   409)
    after = api.get(f"/evaluations/{evaluation['id']}").json()
    assert set(after["sheets"]) == {"chair", "member-2", "member-3"}


def test_councils_are_checked(api):
    assert_problem(api.http.put(f"{api.base}/councils/province-99", timeout=10, json={
        "name": "Hội đồng", "chair": "c", "members": ["c"]}), 404)
    assert_problem(api.http.put(f"{api.base}/councils/province-80", timeout=10, json={
        "name": "Hội đồng Tây Ninh", "chair": "c", "members": [],
        "rules": {"quorum": 2}}), 422, "/members")
    assert_problem(api.http.put(f"{api.base}/councils/province-80", timeout=10, json={
        "name": "Hội đồng Tây Ninh", "chair": "c", "members": ["c"],
        "rules": {"quorum": 2, "colour": "red"}}), 422, "/quorum", "/colour")
    assert_problem(api.get("/councils/province-80"), 404)
    assert_problem(api.post("/councils/central/interests", {"member": "nobody",
                                                             "producer_id": "p1"}), 422,
                   "/member")


def test_odd_json_is_refused_not_failed(api):
    post = api.base + "/producers"
    json_header = {"Content-Type": "application/json"}
    assert_problem(api.http.post(post, data=b'{"name": NaN}', headers=json_header,
                                 timeout=10), 400)
    assert_problem(api.http.post(post, data=b'{"name": "ab\\ud800"}', headers=json_header,
                                 timeout=10), 400)
    chunked = api.http.post(post, data=iter([b'{"name": ', b'"x"}']), headers=json_header,
                            timeout=10)
    assert_problem(chunked, 411)
    producer = new_producer(api)
    assert_problem(api.post("/products", {"producer_id": producer["id"], "name": "Mắm",
                                          "category": ["03"]}), 422, "/category")
    assert_problem(api.http.put(f"{api.base}/councils/province-80", timeout=10, json={
        "name": "Hội đồng", "chair": "c", "members": ["c"],
        "rules": {"max_spread": 10 ** 24}}), 422, "/max_spread")
    assert_problem(api.http.put(f"{api.base}/councils/central%0A", timeout=10, json={
        "name": "Hội đồng", "chair": "c", "members": ["c"]}), 404)
