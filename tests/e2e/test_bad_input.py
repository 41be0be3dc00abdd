"""Bad input anywhere: a 4xx application/problem+json naming the field, bilingual,
never a 500, and nothing stored."""
import pytest

from tests.e2e.journeys import best_picks, criteria_set, decide, file_dossier, \
    open_evaluation, registered, score

VALID_PRODUCER = {"name": "Tổ hợp tác Mắm Châu Đốc", "kind": "cooperative_group",
                  "tax_code": "1601234565", "province_code": "91", "commune_code": "30406",
                  "legal_representative": {"name": "Trần Thị Bình"},
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
    ({"commune_code": "99999"}, "/commune_code"),
    ({"commune_code": "27727"}, "/commune_code"),  # a commune of Tây Ninh, not An Giang
    ({"name": ""}, "/name"),
    ({"contact": {"email": "not-an-address", "phone": "0296 3868 999"}}, "/contact/email"),
    ({"contact": None}, "/contact"),
    ({"unexpected": 1}, "/unexpected"),
])
def test_a_bad_producer_is_refused_by_field(api, change, pointer):
    assert_problem(api.post("/producers", {**VALID_PRODUCER, **change}), 422, pointer)


def test_missing_fields_are_all_named(api):
    assert_problem(api.post("/producers", {}), 422, "/name", "/kind", "/tax_code",
                   "/province_code", "/commune_code", "/contact")


def test_a_refused_producer_is_not_stored(api):
    body = {**VALID_PRODUCER, "tax_code": "1609999982"}
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


def test_products_need_a_known_producer_and_category(api, people):
    producer, owner, _ = registered(api, people)
    officer = people.province_officer()
    # A producer that does not exist is answered as one that is not the caller's to see.
    hidden = assert_problem(officer.post("/products", {"producer_id": "no-such-producer",
                                                       "name": "Mắm cá", "category": "09"}), 404)
    other = assert_problem(people.province_officer("79").post("/products", {
        "producer_id": producer["id"], "name": "Mắm cá", "category": "09"}), 404)
    assert hidden["detail"] == other["detail"]
    assert_problem(owner.post("/products", {"producer_id": producer["id"], "name": "Mắm cá",
                                            "category": "99"}), 422, "/category")
    assert_problem(owner.post("/products", {"producer_id": producer["id"], "name": "M"}), 422,
                   "/name", "/category")
    assert_problem(owner.post("/products", {"name": "Mắm cá", "category": "09"}), 422,
                   "/producer_id")


def test_unknown_resources_and_routes(api, people, councils):
    officer, producer, member = (people.province_officer(), people.calling(
        ["producer"], producers=["nope"]), people.member("chair"))
    assert_problem(officer.get("/products/nope"), 404)
    assert_problem(officer.get("/producers/nope"), 404)
    assert_problem(api.get("/certificates/OCOP-91-2026-99999"), 404)
    assert_problem(producer.post("/products/nope/dossier", {"self_assessment": []}), 404)
    assert_problem(member.post("/evaluations/nope/decision"), 404)
    assert_problem(api.get("/no-such-thing"), 404)
    assert_problem(officer.get("/evaluations"), 422, "/scope")  # of a product or a council


def test_score_sheets_are_checked_and_refusals_change_nothing(api, people, councils):
    producer, owner, product = registered(api, people)
    evaluation = open_evaluation(owner, product["id"])
    sheets = f"/evaluations/{evaluation['id']}/scores"
    chair = people.member("chair")
    picks = best_picks(criteria_set(api, "03"))
    assert_problem(file_dossier(owner, product["id"]), 409)
    assert_problem(decide(people, evaluation), 409)
    assert_problem(chair.post(sheets, {"picks": {**picks, "1.1": "1.1.z"}}), 422, "/picks/1.1")
    assert_problem(chair.post(sheets, {"picks": {**picks, "99.9": "x"}}), 422, "/picks/99.9")
    incomplete = {k: v for k, v in picks.items() if k != "2.1"}
    assert_problem(chair.post(sheets, {"picks": incomplete}), 422, "/picks/2.1")
    # Who scores is the caller: a member field is refused, a stranger is not in scope.
    assert_problem(chair.post(sheets, {"member": "member-2", "picks": picks}), 422, "/member")
    assert_problem(people.member("stranger").post(sheets, {"picks": picks}), 404)
    assert_problem(chair.post(sheets, {}), 422, "/picks")
    untouched = chair.get(f"/evaluations/{evaluation['id']}").json()
    assert untouched["sheets"] == {} and untouched["status"] == "open"

    assert chair.post(sheets, {"picks": picks}).status_code == 201
    assert_problem(chair.post(sheets, {"picks": picks}), 409)
    closed = score(people, evaluation, {"member-2": picks, "member-3": picks})
    assert closed["status"] == "awaiting_approval"
    assert_problem(people.member("member-4").post(sheets, {"picks": picks}), 409)
    assert_problem(decide(people, evaluation), 409)
    assert_problem(chair.put(f"{sheets}/chair", {"picks": picks}), 409)
    after = chair.get(f"/evaluations/{evaluation['id']}").json()
    assert set(after["sheets"]) == {"chair", "member-2", "member-3"}


def test_councils_are_checked(api, people):
    office = people.province_officer("80")
    assert_problem(people.province_officer("99").put("/councils/province-99", {
        "name": "Hội đồng", "chair": "c", "members": ["c"]}), 404)
    assert_problem(office.put("/councils/province-80", {
        "name": "Hội đồng Tây Ninh", "chair": "c", "members": [],
        "rules": {"quorum": 2}}), 422, "/members")
    assert_problem(office.put("/councils/province-80", {
        "name": "Hội đồng Tây Ninh", "chair": "c", "members": ["c"],
        "rules": {"quorum": 2, "colour": "red"}}), 422, "/quorum", "/colour")
    assert_problem(api.get("/councils/province-48"), 404)  # none set up
    assert_problem(people.member("c", "province-48").post("/councils/province-48/interests", {
        "producer_id": "p1"}), 403)


def test_odd_json_is_refused_not_failed(api, people):
    post = api.base + "/producers"
    json_header = {"Content-Type": "application/json"}
    assert_problem(api.http.post(post, data=b'{"name": NaN}', headers=json_header,
                                 timeout=10), 400)
    assert_problem(api.http.post(post, data=b'{"name": "ab\\ud800"}', headers=json_header,
                                 timeout=10), 400)
    chunked = api.http.post(post, data=iter([b'{"name": ', b'"x"}']), headers=json_header,
                            timeout=10)
    assert_problem(chunked, 411)
    producer, owner, _ = registered(api, people)
    assert_problem(owner.post("/products", {"producer_id": producer["id"], "name": "Mắm",
                                            "category": ["03"]}), 422, "/category")
    assert_problem(people.province_officer("80").put("/councils/province-80", {
        "name": "Hội đồng", "chair": "c", "members": ["c"],
        "rules": {"max_spread": 10 ** 24}}), 422, "/max_spread")
    assert_problem(people.central_officer().put("/councils/central%0A", {
        "name": "Hội đồng", "chair": "c", "members": ["c"]}), 404)
