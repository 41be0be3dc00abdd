"""Steps of the OCOP journey through the gateway, shared by the end-to-end tests."""
import base64
import csv
import io
import random
from datetime import datetime
from zoneinfo import ZoneInfo

import openpyxl
from dateutil.relativedelta import relativedelta

from services.registration.tax_codes import check_digit
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


def tax_code():
    """A tax code of its own: nine random digits and their check digit (Circular
    105/2020/TT-BTC)."""
    while True:
        prefix = f"{random.randrange(10 ** 8, 10 ** 9):09d}"
        digit = check_digit(prefix)
        if digit is not None:
            return f"{prefix}{digit}"


def producer_registration(province_code="91", **overrides):
    """What a producer sends to register itself, with a tax code of its own."""
    return {"name": "HTX Nông nghiệp Phú Tân", "kind": "cooperative",
            "tax_code": tax_code(), "province_code": province_code,
            "commune_code": COMMUNES[province_code],
            "legal_representative": {"name": "Nguyễn Văn An", "position": "Giám đốc"},
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


# The way to evaluation (Art. 7.1–7.3.a): the producer files the dossier with the commune,
# the commune reviews and forwards it, the province's office checks and proposes it.

FORM_03 = {"local_raw_material": "Lúa thu mua tại xã, có hợp đồng liên kết",
           "local_labour": "25 lao động thường trú tại xã",
           "idea_origin": "Sản phẩm truyền thống của địa phương",
           "local_identity": "Giống lúa và cách canh tác đặc trưng vùng"}


def self_assessment(caller, category, evidence=()):
    """Form 02 part III: no option claimed for any criterion (allowed), the evidence
    files cited on the first."""
    return [{"criterion": c["code"], "option": None, "evidence": list(evidence) if i == 0
             else []} for i, c in enumerate(criteria(criteria_set(caller, category)))]


def file_dossier(owner, product_id, kind=None, evidence=()):
    product = owner.get(f"/products/{product_id}").json()
    return owner.post(f"/products/{product_id}/dossier", {
        **({"kind": kind} if kind else {}),
        "self_assessment": self_assessment(owner, product["category"], evidence)})


def samples_for(product):
    return 0 if product["category"] == "26" else 5


def filed(owner, product_id, kind=None):
    """The producer files the dossier: the filed product."""
    response = file_dossier(owner, product_id, kind)
    assert response.status_code == 201, response.text
    return response.json()


def reviewed_by_commune(owner, product):
    """The producer's commune (signed in from the same ``People`` as the producer)
    reviews the filed dossier and forwards it: the forwarded product."""
    commune = owner.people.commune_officer(product["province_code"], product["commune_code"])
    response = commune.post(f"/products/{product['id']}/dossier/commune-review",
                            {"form_03": FORM_03, "samples": samples_for(product)})
    assert response.status_code == 200, response.text
    return response.json()


def province_office(owner, product):
    return owner.people.province_officer(product["province_code"])


def checked_complete(owner, product):
    response = province_office(owner, product).post(
        f"/products/{product['id']}/dossier/completeness")
    assert response.status_code == 200, response.text
    return response.json()


def proposed(owner, product):
    """The province's office proposes the checked dossier: the submitted product."""
    response = province_office(owner, product).post(f"/products/{product['id']}/proposal")
    assert response.status_code == 202, response.text
    assert response.json()["stage"] == "submitted"
    return response.json()


def forwarded(owner, product_id, kind=None):
    """Filed by the producer, reviewed and forwarded by its commune."""
    return reviewed_by_commune(owner, filed(owner, product_id, kind))


def propose(owner, product_id, kind=None):
    """The whole way to ``product.submitted``; the proposed product."""
    product = forwarded(owner, product_id, kind)
    checked_complete(owner, product)
    return proposed(owner, product)


def evaluation_opened(owner, product_id):
    return wait_until(lambda: owner.get("/evaluations", params={"product_id": product_id})
                      .json(), what="the evaluation to open")[0]


def open_evaluation(owner, product_id, kind=None):
    """The product proposed; wait until evaluation has opened its evaluation."""
    propose(owner, product_id, kind)
    return evaluation_opened(owner, product_id)


# Score sheets, built from the criteria set the front-end renders --------------------------

def criteria(criteria_set):
    return [c for part in criteria_set["parts"] for section in part["sections"]
            for c in section["criteria"]]


def best_picks(criteria_set):
    """Every criterion at its best option (``yes`` where it has none): 100 points, every
    star minimum met.  The served set's points are the values applied (errata included)."""
    picks = {}
    for c in criteria(criteria_set):
        options = [o for o in c["options"] if not o["knockout"]]
        picks[c["code"]] = max(options, key=lambda o: o["points"])["code"] if options \
            else "yes"
    return picks


def worst_picks(criteria_set):
    """Nothing printed describes the product: "none" on every criterion, 0 points."""
    return {c["code"]: "none" for c in criteria(criteria_set)}


def lowered_picks(criteria_set, drop):
    """Best picks, with criteria that carry no star minimum lowered until ``drop`` points
    are lost: a lower score, the same star minimums met."""
    picks, lost = best_picks(criteria_set), 0
    for c in sorted(criteria(criteria_set), key=lambda c: -c["max_points"]):
        if lost >= drop or any(o["star_min"] for o in c["options"]):
            continue
        options = [o for o in c["options"] if not o["knockout"]]
        if options:
            lowest = min(options, key=lambda o: o["points"])
            lost += c["max_points"] - lowest["points"]
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


# A province's spreadsheet of the products it certified before (the import) --------------

HEADINGS = ("Chủ thể", "Mã số thuế", "Sản phẩm", "Bộ sản phẩm", "Hạng sao", "Điểm",
            "Số giấy chứng nhận", "Ngày quyết định", "Tỉnh", "Huyện", "Xã")


def row(**overrides):
    """One product as a province's spreadsheet lists it, with units as written in 2023."""
    values = {"producer": "HTX Mắm Châu Đốc", "tax_code": tax_code(),
              "product": "Mắm thái Châu Đốc", "category": "09", "stars": "4", "score": "75.5",
              "certificate_number": f"{random.randrange(10 ** 6)}/QĐ-UBND",
              "decided_on": "15/03/2024", "province": "An Giang",
              "district": "Thành phố Châu Đốc", "commune": "Phường Châu Phú A", **overrides}
    return [values[k] for k in ("producer", "tax_code", "product", "category", "stars",
                                "score", "certificate_number", "decided_on", "province",
                                "district", "commune")]


def csv_file(rows, headings=HEADINGS):
    lines = io.StringIO()
    csv.writer(lines).writerows([headings, *rows])
    return lines.getvalue().encode("utf-8")


def xlsx_file(rows, headings=HEADINGS):
    book = openpyxl.Workbook()
    book.active.append(list(headings))
    for cells in rows:
        book.active.append(list(cells))
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def spreadsheet_upload(province_code, data, file_name="ocop.csv"):
    return {"province_code": province_code, "file_name": file_name,
            "content": base64.b64encode(data).decode()}


# Recognition: the authority's decision that issues the certificate ------------------------

def vietnam_today():
    return datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()


def province_chair(people, province="91"):
    """The provincial chair (Chủ tịch UBND cấp tỉnh), signed in for its province."""
    return people.calling(["province_authority"], subject=f"chair-{province}",
                          province=province)


def authority_for(people, evaluation):
    """Who recognises a result: the minister for 5★, else the chair of its province (also
    for a central result below 5★, handed back to the province)."""
    if evaluation["stars"] == 5:
        return people.calling(["central_authority"], subject="minister")
    return province_chair(people, evaluation["province_code"])


# The provincial chair's approval of a potential 5★ (Art. 7.3.e) -------------------------

def approval_of(people, evaluation, body=None, by=None):
    """The answer to the provincial chair's decision on the council's potential 5★
    ``evaluation``: by default, approved today."""
    return (by or province_chair(people, evaluation["province_code"])).post(
        f"/evaluations/{evaluation['id']}/approval", body if body is not None else {
            "reference": "456/QĐ-UBND", "date": vietnam_today().isoformat()})


def to_the_ministry(people, evaluation, sheets):
    """The provincial council scores a potential 5★ (it waits for approval), the province's
    chair approves it: the evaluation, forwarded — its event opens the central one."""
    assert score(people, evaluation, sheets)["status"] == "awaiting_approval"
    response = approval_of(people, evaluation)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "forwarded"
    return response.json()


def central_evaluation(owner, product_id):
    """The product's central evaluation, once it has opened."""
    return wait_until(lambda: next((e for e in owner.get("/evaluations", params={
        "product_id": product_id}).json() if e["level"] == "central"), None),
        what="the central evaluation to open")


def recognition_of(authority, evaluation, body):
    """The answer to recognising ``evaluation`` once certification has its result."""
    path = f"/evaluations/{evaluation['id']}/recognition"

    def attempt():  # a list: a refused Response is falsy
        response = authority.post(path, body)
        return None if response.status_code == 404 else [response]
    return wait_until(attempt, what="the result to reach certification")[0]


def recognise(people, evaluation, on=None, reference="1234/QĐ-UBND", by=None):
    """The authority recognises the completed ``evaluation`` with its decision of ``on``
    (default: today): the certificate issued."""
    response = recognition_of(by or authority_for(people, evaluation), evaluation, {
        "reference": reference, "date": (on or vietnam_today()).isoformat()})
    assert response.status_code == 201, response.text
    return response.json()


def certified(api, people, expires_on=None):
    """A 4★ product of An Giang, certified on a decision dated so that it expires on
    ``expires_on`` (default: 36 months from today): its producer's API, the product, the
    certificate."""
    producer, owner, product = registered(api, people)
    evaluation = open_evaluation(owner, product["id"])
    decided = score(people, evaluation, council_of(lowered_picks(criteria_set(api, "03"), 15)))
    on = expires_on - relativedelta(months=36) if expires_on else None
    certificate = recognise(people, decided, on=on)
    return owner, product_in_stage(owner, product["id"], "certified"), certificate
