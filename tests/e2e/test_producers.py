"""Producers, the lists and search of producers and products, and the import of what a
province already certified: through the gateway, the services and the broker."""
import uuid
from urllib.parse import unquote

import pytest
from pymongo import MongoClient

from tests.conftest import wait_until
from tests.e2e.journeys import COMMUNES, csv_file, new_product, producer_registration, row, \
    spreadsheet_upload, tax_code, xlsx_file
from tests.e2e.test_bad_input import assert_problem


def register(api, **overrides):
    response = api.post("/producers", producer_registration(**overrides))
    assert response.status_code == 201, response.text
    return response.json()


# Producers -------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["cooperative", "cooperative_group", "enterprise", "farm",
                                  "production_household", "household_business",
                                  "association", "operating_centre"])
def test_every_kind_of_article_2_3_registers(api, kind):
    producer = register(api, kind=kind)
    assert producer["kind"] == kind and producer["legal_representative"]["name"]


def test_associations_register_community_tourism_only(api, people):
    association = register(api, kind="association", name="Hội du lịch cộng đồng Cù Lao Giêng")
    owner = people.producer(association)
    body = {"producer_id": association["id"], "name": "Mắm cá", "category": "09"}
    problem = assert_problem(owner.post("/products", body), 422, "/category")
    assert "26" in problem["detail"]
    assert owner.post("/products", {**body, "category": "26", "name": "Du lịch Cù Lao Giêng"}
                      ).status_code == 201


def test_a_wrong_check_digit_is_refused_naming_the_digit(api):
    problem = assert_problem(api.post("/producers", producer_registration(
        tax_code="0100109107")), 422, "/tax_code")
    assert "must be 6, not 7" in str(problem["errors"])


def test_a_branch_registers_beside_its_parent_and_duplicates_are_refused(api):
    parent = tax_code()
    register(api, tax_code=parent)
    branch = register(api, tax_code=f"{parent}-001", name="HTX Phú Tân – chi nhánh")
    assert branch["tax_code"] == f"{parent}-001"
    for code in (parent, f"{parent}-001"):
        assert_problem(api.post("/producers", producer_registration(tax_code=code)), 409,
                       "/tax_code")


def test_legacy_names_are_mapped_and_kept_beside_the_current_codes(api, people):
    legacy = {"province": "Tỉnh Kiên Giang", "district": "Huyện Phú Quốc",
              "commune": "Xã Dương Tơ"}
    body = producer_registration(legacy_address=legacy)
    del body["province_code"], body["commune_code"]
    response = api.post("/producers", body)
    assert response.status_code == 201, response.text
    producer = response.json()
    assert (producer["province_code"], producer["commune_code"]) == ("91", "31078")
    assert producer["legacy_address"] == legacy
    read = people.province_officer("91").get(f"/producers/{producer['id']}").json()
    assert read["legacy_address"] == legacy and read["commune_code"] == "31078"
    # A split commune does not say which current one: the current code must be given.
    split = {"province": "An Giang", "district": "Thành phố Châu Đốc", "commune": "Xã Vĩnh Châu"}
    body = producer_registration(legacy_address=split)
    del body["commune_code"]
    assert_problem(api.post("/producers", body), 422, "/commune_code")
    assert_problem(api.post("/producers", producer_registration(
        province_code="80", legacy_address=legacy)), 422, "/province_code")


def test_a_registration_is_announced_without_personal_data(api, tap):
    producer = register(api)
    event = tap.wait_for("producer.registered", f"producers/{producer['id']}")
    assert event["data"] == {"producer_id": producer["id"], "name": producer["name"],
                             "kind": "cooperative", "province_code": "91",
                             "commune_code": COMMUNES["91"], "imported": False}


# Lists and search ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def listed(api, people):
    """In a commune of Tây Ninh: producers and products of their own, to list and search."""
    commune = "28144"  # Xã Long Hựu Đông… as written before 2025: Cần Đước, Long An
    marker = uuid.uuid4().hex[:6]
    makers = [register(api, province_code="80", commune_code=commune, kind=kind,
                       name=f"{name} {marker}")
              for name, kind in (("Cơ sở Lạp xưởng Cần Đước", "household_business"),
                                 ("HTX Đồng Tháp Mười", "cooperative"),
                                 ("Công ty Bánh tráng Trảng Bàng", "enterprise"))]
    products = [new_product(people.producer(makers[0]), makers[0]["id"], category="08",
                            name=f"Lạp xưởng Cần Đước {marker}")]
    for n in range(4):
        products.append(new_product(people.producer(makers[1]), makers[1]["id"],
                                    category="03", name=f"Gạo sạch {marker} số {n}"))
    return {"commune": commune, "marker": marker, "producers": makers, "products": products}


def all_pages(caller, path, params, limit=2):
    seen, query = [], {**params, "limit": limit}
    while True:
        response = caller.get(path, params=query)
        assert response.status_code == 200, response.text
        seen += response.json()
        if "Link" not in response.headers:
            return seen
        link = response.headers["Link"]
        assert link.endswith('>; rel="next"') and link.startswith("</api/v1" + path)
        query = {**query, "cursor": unquote(link.split("cursor=")[1].split(">")[0])}


def test_accents_and_case_are_ignored_when_searching_names(people, listed):
    officer = people.province_officer("80")
    found = officer.get("/products", params={
        "name": f"lap xuong CAN duoc {listed['marker']}"}).json()
    assert [p["id"] for p in found] == [listed["products"][0]["id"]]
    for query in (f"dong thap {listed['marker']}", f"ĐỒNG tháp {listed['marker']}"):
        assert [p["id"] for p in officer.get("/producers", params={"name": query}).json()] \
            == [listed["producers"][1]["id"]]
    assert officer.get("/producers", params={"name": f"dong nai {listed['marker']}"}
                       ).json() == []


def test_lists_page_newest_first_with_filters(people, listed):
    officer = people.commune_officer("80", listed["commune"])
    rice = all_pages(officer, "/products", {"category": "03", "name": listed["marker"]})
    assert [p["id"] for p in rice] == [p["id"] for p in reversed(listed["products"][1:])]
    makers = all_pages(officer, "/producers", {"name": listed["marker"]}, limit=1)
    assert [p["id"] for p in makers] == [p["id"] for p in reversed(listed["producers"])]
    assert [p["id"] for p in officer.get("/producers", params={
        "name": listed["marker"], "kind": "enterprise"}).json()] == \
        [listed["producers"][2]["id"]]
    registered = officer.get("/products", params={
        "stage": "registered", "producer": listed["producers"][0]["id"]}).json()
    assert [p["id"] for p in registered] == [listed["products"][0]["id"]]
    assert officer.get("/products", params={"stage": "certified",
                                            "name": listed["marker"]}).json() == []


def test_each_role_lists_in_its_own_scope(people, listed):
    maker = listed["producers"][0]
    own = people.producer(maker).get("/products").json()
    assert [p["id"] for p in own] == [listed["products"][0]["id"]]
    assert_problem(people.producer(maker).get(
        "/products", params={"producer": listed["producers"][1]["id"]}), 403)
    assert_problem(people.commune_officer("80", "27727").get(
        "/producers", params={"commune": listed["commune"]}), 403)
    assert_problem(people.province_officer("91").get("/producers", params={
        "province": "80"}), 403)
    # A province's officer sees its province by default, the ministry every province.
    for caller in (people.province_officer("80"), people.central_officer(), people.admin()):
        names = {p["name"] for p in caller.get("/producers", params={
            "name": listed["marker"], "province": "80"}).json()}
        assert len(names) == 3
    assert people.province_officer("91").get("/producers", params={
        "name": listed["marker"]}).json() == []
    assert_problem(people.member("chair").get("/producers"), 403)


def test_bad_filters_are_refused_naming_the_parameter(people):
    officer = people.central_officer()
    for parameter, value in (("stage", "nope"), ("stars", "six"), ("category", "27"),
                             ("kind", "kolkhoz")):
        path = "/producers" if parameter == "kind" else "/products"
        assert_problem(officer.get(path, params={parameter: value}), 422, parameter)
    assert_problem(officer.get("/products", params={"limit": 0}), 422, "limit")
    assert_problem(officer.get("/products", params={"cursor": "nonsense"}), 422, "cursor")


# The import ------------------------------------------------------------------------------

def upload(officer, data, province="91", file_name="ocop.csv"):
    return officer.post("/imports", spreadsheet_upload(province, data, file_name))


def test_a_province_imports_its_spreadsheet_once(stack, mongo_uri, people, tap):
    officer = people.province_officer("91")
    marker = uuid.uuid4().hex[:6]
    known = tax_code()
    rows = [row(producer=f"HTX Mắm Châu Đốc {marker}", tax_code=known,
                product=f"Mắm thái {marker}", certificate_number=f"{marker}-1"),
            row(producer=f"HTX Mắm Châu Đốc {marker}", tax_code=known,
                product=f"Mắm cá linh {marker}", certificate_number=f"{marker}-2", stars="3",
                score="60"),
            row(producer=f"Công ty Khô cá {marker}", product=f"Khô cá lóc {marker}",
                certificate_number=f"{marker}-3", province="Kiên Giang",
                district="Huyện Phú Quốc", commune="Xã Dương Tơ"),
            row(producer=f"Cơ sở Bánh {marker}", product=f"Bánh bò {marker}",
                certificate_number=f"{marker}-4", district="Thành phố Châu Đốc",
                commune="Xã Vĩnh Châu")]
    response = upload(officer, csv_file(rows))
    assert response.status_code == 201, response.text
    report = response.json()
    assert report["status"] == "completed" and report["rows"] == 4
    assert (report["products_created"], report["producers_created"]) == (4, 3)
    assert report["communes_mapped"] == 3  # Xã Vĩnh Châu was split: province only
    products = officer.get("/products", params={"name": marker}).json()
    assert len(products) == 4 and {p["stage"] for p in products} == {"certified"}
    three = officer.get("/products", params={"name": marker, "stars": "3"}).json()
    assert [p["name"] for p in three] == [f"Mắm cá linh {marker}"]
    dried = next(p for p in products if p["name"] == f"Khô cá lóc {marker}")
    assert (dried["province_code"], dried["commune_code"], dried["stars"]) == ("91", "31078", 4)
    assert dried["imported"]["written"] == {"province": "Kiên Giang",
                                            "district": "Huyện Phú Quốc",
                                            "commune": "Xã Dương Tơ"}
    assert dried["imported"]["expires_on"] == "2027-03-15"
    cake = next(p for p in products if p["name"] == f"Bánh bò {marker}")
    assert cake["commune_code"] is None and cake["imported"]["written"]["commune"] == \
        "Xã Vĩnh Châu"
    producers = officer.get("/producers", params={"name": marker}).json()
    assert {p["kind"] for p in producers} == {"cooperative", "enterprise", None}
    assert all(p["imported"] for p in producers)
    assert not {"tax_code", "contact"} & set(producers[0])  # personal: read one by one
    assert officer.get(f"/producers/{dried['producer_id']}").json()["tax_code"] == rows[2][1]
    assert officer.get(f"/imports/{report['id']}").json() == report

    completed = tap.wait_for("import.completed", f"imports/{report['id']}")
    assert completed["data"]["products_created"] == 4
    certification = MongoClient(mongo_uri)[f"{stack.db_prefix}certification"]
    stored = wait_until(lambda: certification.imported_certificates.find_one(
        {"_id": dried["id"]}), what="certification to record the imported certificate")
    assert (stored["certificate_number"], stored["stars"], stored["expires_on"]) == \
        (f"{marker}-3", 4, "2027-03-15")

    # The same file again, and the same rows in another file (as XLSX): nothing new.
    again = upload(officer, csv_file(rows))
    assert again.status_code == 201 and again.json()["id"] == report["id"]
    other = upload(officer, xlsx_file(rows), file_name="ocop.xlsx").json()
    assert other["id"] != report["id"]
    assert (other["products_created"], other["producers_created"]) == (0, 0)
    assert len(officer.get("/products", params={"name": marker}).json()) == 4
    assert wait_until(lambda: certification.imported_certificates.count_documents(
        {"import_id": report["id"]}) == 4)


def test_an_xlsx_file_is_told_by_its_content_and_imported(people):
    marker = uuid.uuid4().hex[:6]
    data = xlsx_file([row(product=f"Đường thốt nốt {marker}", certificate_number=marker,
                          category="04")])
    response = upload(people.province_officer("91"), data, file_name="named-as.csv")
    assert response.status_code == 201, response.text
    found = people.province_officer("91").get("/products", params={
        "name": f"duong thot not {marker}"}).json()
    assert len(found) == 1 and found[0]["category"] == "04"


def test_a_file_with_bad_rows_imports_nothing_and_lists_each(people):
    officer = people.province_officer("91")
    marker = uuid.uuid4().hex[:6]
    rows = [row(product=f"Tốt {marker}", certificate_number=f"{marker}-ok"),
            row(product=f"Sai MST {marker}", tax_code="0100109107"),
            row(product=f"Sai tỉnh {marker}", province="Long An")]
    problem = assert_problem(upload(officer, csv_file(rows)), 422, "/rows/3/tax_code",
                             "/rows/4/province")
    assert "nothing was imported" in problem["detail"]
    assert officer.get("/products", params={"name": marker}).json() == []
    assert_problem(upload(officer, b"not,a,spreadsheet\n"), 422, "/content")
    assert_problem(officer.post("/imports", {"province_code": "91", "file_name": "x.csv",
                                             "content": "%%%"}), 422, "/content")


def test_only_the_province_office_of_that_province_imports(people):
    data = csv_file([row()])
    assert_problem(upload(people.province_officer("79"), data), 403)
    assert_problem(upload(people.commune_officer(), data), 403)
    assert_problem(people.anonymous().post("/imports", spreadsheet_upload(
        "91", data)), 401)
