"""Steps of the OCOP journey through the gateway, shared by the end-to-end tests."""
import random

from tests.conftest import wait_until

MEMBERS = ["chair", "member-2", "member-3", "member-4"]
# A commune of each province the tests use (current codes, vietnam-provinces).
COMMUNES = {"91": "30406", "80": "27727", "01": "00070", "79": "26506"}


def set_up_council(people, scope, **overrides):
    """As the office that sets it up: the ministry's for ``central``, else the province's;
    a council already set up is changed with the ETag just read."""
    office = people.central_officer() if scope == "central" else \
        people.province_officer(scope.removeprefix("province-"))
    current = office.get(f"/councils/{scope}")
    response = office.put(f"/councils/{scope}", {
        "name": f"Hội đồng đánh giá, phân hạng sản phẩm OCOP {scope}", "chair": "chair",
        "members": MEMBERS, "advisory_group": ["advisor-1"], **overrides},
        headers={"If-Match": current.headers["ETag"]} if current.status_code == 200 else {})
    assert response.status_code == 200, response.text
    return response.json()


def producer_registration(province_code="91", **overrides):
    """What a producer sends to register itself, with a tax code of its own."""
    return {"name": "HTX Nông nghiệp Phú Tân", "kind": "cooperative",
            "tax_code": str(random.randrange(10 ** 9, 10 ** 10)), "province_code": province_code,
            "commune_code": COMMUNES[province_code],
            "contact": {"email": "htx.phutan@example.vn", "phone": "0296 3812 345"},
            **overrides}


def new_producer(api, province_code="91", **overrides):
    """A producer registering itself (anonymous registration)."""
    response = api.post("/producers", producer_registration(province_code, **overrides))
    assert response.status_code == 201, response.text
    return response.json()


def new_product(producer_api, producer_id, category="03", name="Gạo thơm Phú Tân"):
    response = producer_api.post("/products", {"producer_id": producer_id, "name": name,
                                               "category": category, "description": "Gạo ST25"})
    assert response.status_code == 201, response.text
    return response.json()


def registered(api, people, province_code="91", **product):
    """A producer registered anonymously, its API as that producer, and one product."""
    producer = new_producer(api, province_code)
    owner = people.producer(producer)
    return producer, owner, new_product(owner, producer["id"], **product)


def open_evaluation(owner, product_id, kind=None):
    """The producer submits the product; wait until evaluation has opened its evaluation."""
    response = owner.post(f"/products/{product_id}/submission", {"kind": kind} if kind else None)
    assert response.status_code == 202, response.text
    assert response.json()["stage"] == "submitted"
    return wait_until(lambda: owner.get("/evaluations", params={"product_id": product_id})
                      .json(), what="the evaluation to open")[0]


# Score sheets, built from the criteria set the front-end renders --------------------------

def criteria(criteria_set):
    return [c for part in criteria_set["parts"] for section in part["sections"]
            for c in section["criteria"]]


def points(criterion, option):
    return min(option["points"] or 0, criterion["max_points"])


def extreme_picks(criteria_set, choose, answer):
    """Every criterion at the option ``choose`` (max or min) gives it; ``answer`` for the
    criteria answered yes/no."""
    picks = {}
    for c in criteria(criteria_set):
        options = [o for o in c["options"] if not o["knockout"]]
        picks[c["code"]] = choose(options, key=lambda o: points(c, o))["code"] if options \
            else answer
    return picks


def best_picks(criteria_set):
    """Every criterion at its best option: 100 points, every star minimum met."""
    return extreme_picks(criteria_set, max, "yes")


def worst_picks(criteria_set):
    return extreme_picks(criteria_set, min, "no")


def lowered_picks(criteria_set, drop):
    """Best picks, with criteria that carry no star minimum lowered until ``drop`` points
    are lost: a lower score, the same star minimums met."""
    picks, lost = best_picks(criteria_set), 0
    for c in sorted(criteria(criteria_set), key=lambda c: -c["max_points"]):
        if lost >= drop or any(o["star_min"] for o in c["options"]):
            continue
        options = [o for o in c["options"] if not o["knockout"]]
        if options:
            lowest = min(options, key=lambda o: points(c, o))
            lost += c["max_points"] - points(c, lowest)
            picks[c["code"]] = lowest["code"]
        else:
            lost += c["max_points"]
            picks[c["code"]] = "no"
    return picks


def criteria_set(api, code):
    return api.get(f"/categories/{code}/criteria").json()


def submit_sheets(people, evaluation, sheets):
    """Each member submits their own sheet, signed in as themselves."""
    for member, picks in sheets.items():
        response = people.member(member, evaluation["scope"]).post(
            f"/evaluations/{evaluation['id']}/scores", {"picks": picks})
        assert response.status_code == 201, response.text


def decide(people, evaluation, decision=None, chair="chair"):
    return people.member(chair, evaluation["scope"]).post(
        f"/evaluations/{evaluation['id']}/decision", decision)


def score(people, evaluation, sheets, decision=None):
    """The members score, then the chair records the council's decision."""
    submit_sheets(people, evaluation, sheets)
    response = decide(people, evaluation, decision)
    assert response.status_code == 200, response.text
    return response.json()


def council_of(picks):
    """The same sheet from the chair and two members: a quorum of 3 of 4."""
    return {member: picks for member in MEMBERS[:3]}


def product_in_stage(owner, product_id, stage):
    def probe():
        product = owner.get(f"/products/{product_id}").json()
        return product if product["stage"] == stage else None
    return wait_until(probe, what=f"product {product_id} to be {stage}")
