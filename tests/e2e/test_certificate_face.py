"""A certificate's public face through the real gateway and certification service: its page
in each of its four states, the not-found page, the QR decoded back to the page's address,
the printable PDF's text and the QR printed on it, and the public list of certified products.

One certificate is issued through the whole procedure (registration, the council's scores,
recognition). Its siblings in the other states, and the list's certificates (many, in a
province of their own, with chosen dates), are written into the certification service's own
store as the service writes them, with their events, which its relay publishes: the
gateway, which serves these reads from what certification's events told it, shows them
once it has heard of them.
Pages are checked by parsing the HTML served; ``test_pages_as_a_browser_renders_them`` also
renders them in headless Chromium (Debian's ``chromium``, installed by the project when
missing and the tests run as root).
"""
import io
import itertools
import uuid
from datetime import date, datetime, timedelta, timezone

import pypdfium2
import pytest
import requests
import zxingcpp
from bs4 import BeautifulSoup
from PIL import Image
from pymongo import MongoClient
from pypdf import PdfReader

from chassis import outbox, pages
from chassis.events import rfc3339
from services.certification import workflow
from services.certification.store import CertificationStore
from services.certification.validity import EXPIRED, REVOKED, VALID, expires_on, vietnam_day
from tests.conftest import browse, wait_until
from tests.e2e.journeys import council_of, criteria_set, lowered_picks, open_evaluation, \
    product_in_stage, recognise, registered, score
from tests.e2e.test_bad_input import assert_problem

PRODUCT = "Mắm cá linh Châu Đốc ướp muối hột"  # every kind of Vietnamese diacritic
UNUSED_PROVINCE = "48"  # Đà Nẵng: no other test certifies a product there
HAI_CHAU, HOA_CUONG = "20242", "20257"  # two of its wards


@pytest.fixture(scope="module")
def store(stack, mongo_uri):
    with MongoClient(mongo_uri) as client:
        database = client[f"{stack.db_prefix}certification"]
        yield CertificationStore(database)


@pytest.fixture(scope="module")
def issued(api, people, councils):
    """A 4★ certificate, issued through the whole procedure: the code."""
    _, owner, product = registered(api, people, name=PRODUCT)
    evaluation = open_evaluation(owner, product["id"])
    decided = score(people, evaluation,
                    council_of(lowered_picks(criteria_set(api, "03"), drop=15)))
    recognise(people, decided)
    return product_in_stage(owner, product["id"], "certified")["certificate_code"]


# Serials from 90000 on: apart from those the service counts from 1, and below 99999, the
# number other tests look up as missing.
SERIALS = itertools.count(90000)


def new_code(province, year):
    return f"OCOP-{province}-{year}-{next(SERIALS):05d}"


def stored(store, province="91", commune="30406", category="03", stars=4, issued_at=None,
           state=VALID, **fields):
    """A certificate written as the service writes one when it issues it, with its event:
    its code."""
    issued_at = issued_at or datetime.now(timezone.utc)
    issued_on = vietnam_day(issued_at)
    code = new_code(province, issued_on.year)
    product_id = str(uuid.uuid4())
    certificate = pages.stamped({
        "_id": code, "authority": province, "evaluation_id": str(uuid.uuid4()),
        "product_id": product_id, "product_code": None, "producer_id": str(uuid.uuid4()),
        "product_name": PRODUCT, "producer_name": "HTX Nông nghiệp Châu Đốc",
        "category": category, "province_code": province, "commune_code": commune,
        "stars": stars, "score": 80, "level": "central" if stars == 5 else "province",
        "kind": "first", "rule_version": "26/2026",
        "recognition": {"reference": "77/QĐ-UBND", "date": issued_on.isoformat(),
                        "by": "chair"},
        "issued_on": issued_on.isoformat(), "expires_on": expires_on(issued_on).isoformat(),
        "issued_at": rfc3339(issued_at), "state": state, "superseded_by": None,
        "superseded_at": None, "revoked_at": None, "revocation": None, "re_rating": None,
        "milestones": {}, **({"valid_product_id": product_id} if state == VALID else {}),
        **fields}, issued_at)
    store.certificates.insert_one(outbox.new_document(
        {**certificate, "revision": 1}, [workflow.issued(certificate)]))
    return code


def shown_as(api, code, status):
    """Once the gateway has heard of it, the certificate ``code`` as it shows it."""
    def shown():
        response = api.get(f"/certificates/{code}")
        return response.status_code == 200 and response.json()["status"] == status
    wait_until(shown, what=f"the gateway to show {code} {status}")


def superseded_by(store, code, later):
    workflow.supersede(store, store.get(code), {"_id": later})


def revoked_now():
    today = vietnam_day(datetime.now(timezone.utc)).isoformat()
    return {"revoked_at": rfc3339(datetime.now(timezone.utc)), "revocation": {
        "ground": "criteria_not_met", "finding_reference": "5/BB-KT", "finding_date": today,
        "due_on": today, "revoked_on": today, "late": False, "by": "chair"}}


@pytest.fixture(scope="module")
def states(api, store, issued):
    """A certificate in each state: code by state."""
    superseded = stored(store)
    superseded_by(store, superseded, issued)
    codes = {
        "valid": issued,
        "expired": stored(store, issued_at=datetime.now(timezone.utc) - timedelta(days=1100)),
        "superseded": superseded,
        "revoked": stored(store, state=REVOKED, **revoked_now(),
                          product_name="<script>alert('x')</script> Mắm & cá"),
    }
    for status, code in codes.items():
        shown_as(api, code, status)
    return codes


def page_of(api, code):
    response = api.http.get(f"{api.root}/verify/{code}", timeout=15)
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    return response, BeautifulSoup(response.text, "html.parser")


def shown(soup, label):
    """The value beside a label of the page's list of particulars."""
    term = next(dt for dt in soup.find_all("dt") if dt.get_text(" ", strip=True)
                .startswith(label))
    return term.find_next_sibling("dd").get_text(" ", strip=True)


EXPECTED_STATE = {"valid": "CÒN HIỆU LỰC VALID", "expired": "HẾT HIỆU LỰC EXPIRED",
                  "superseded": "ĐÃ ĐƯỢC THAY THẾ SUPERSEDED",
                  "revoked": "ĐÃ BỊ THU HỒI REVOKED"}


@pytest.mark.parametrize("state", list(EXPECTED_STATE))
def test_the_page_says_each_state_plainly(api, states, state):
    response, soup = page_of(api, states[state])
    assert response.status_code == 200
    assert api.get(f"/certificates/{states[state]}").json()["status"] == state
    section = soup.find("section", attrs={"data-state": True})
    assert section["data-state"] == state
    assert section.find(class_="label").get_text(" ", strip=True) == EXPECTED_STATE[state]
    assert shown(soup, "Chủ thể OCOP") in ("HTX Nông nghiệp Phú Tân",
                                           "HTX Nông nghiệp Châu Đốc")
    assert shown(soup, "Địa phương") == "Xã Phú Tân, An Giang"
    assert shown(soup, "Hạng") == "★★★★ 4 sao / 4 stars"
    assert soup.find("meta", attrs={"name": "viewport"})["content"].startswith(
        "width=device-width")
    assert not soup.find("script")
    if state == "superseded":
        assert shown(soup, "Giấy chứng nhận mới") == states["valid"]
        assert soup.find("a", string=states["valid"])["href"] == f"/verify/{states['valid']}"


def test_the_page_gives_dates_in_vietnam_and_escapes_what_it_shows(api, states, store):
    _, soup = page_of(api, states["valid"])
    certificate = store.get(states["valid"])
    issued = date.fromisoformat(certificate["issued_on"])
    assert issued == vietnam_day(datetime.fromisoformat(certificate["issued_at"]))
    assert shown(soup, "Ngày cấp") == issued.strftime("%d/%m/%Y")
    assert shown(soup, "Có giá trị đến") == (
        expires_on(issued) - timedelta(days=1)).strftime("%d/%m/%Y")
    assert shown(soup, "Quyết định công nhận") == \
        f"{certificate['recognition']['reference']} ({issued.strftime('%d/%m/%Y')})"
    assert shown(soup, "Sản phẩm") == PRODUCT
    assert shown(soup, "Cơ quan công nhận") == "ỦY BAN NHÂN DÂN TỈNH AN GIANG " \
                                               "People's Committee of An Giang"
    response, soup = page_of(api, states["revoked"])
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Mắm &amp; cá" in response.text
    assert shown(soup, "Sản phẩm") == "<script>alert('x')</script> Mắm & cá"
    assert not soup.find("script")


def test_an_unknown_number_gets_a_not_found_page(api):
    response, soup = page_of(api, "OCOP-91-2026-99999")
    assert response.status_code == 404
    assert soup.find("section")["data-state"] == "not-found"
    assert "Không tìm thấy giấy chứng nhận" in soup.h1.get_text()
    assert "OCOP-91-2026-99999" in soup.find("section").get_text()
    marked = api.http.get(f"{api.root}/verify/%3Cscript%3Ex", timeout=15)
    assert marked.status_code == 404 and "&lt;script&gt;x" in marked.text
    assert not BeautifulSoup(marked.text, "html.parser").find("script")
    # The API's own paths still answer problems as JSON.
    assert_problem(api.get("/certificates/OCOP-91-2026-99999/certificate.pdf"), 404)
    assert_problem(api.get("/certificates/OCOP-91-2026-99999/qr.png"), 404)


def decoded(png):
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(found) == 1 and found[0].format == zxingcpp.BarcodeFormat.QRCode
    return found[0].text


def test_the_qr_code_leads_back_to_the_page(api, stack, states):
    code = states["valid"]
    png = api.get(f"/certificates/{code}/qr.png")
    assert png.status_code == 200 and png.headers["Content-Type"] == "image/png"
    url = decoded(png.content)
    assert url == f"{stack.gateway_url}/verify/{code}"
    followed = requests.get(url, timeout=15)
    assert followed.status_code == 200 and code in followed.text
    svg = api.get(f"/certificates/{code}/qr.svg")
    assert svg.status_code == 200 and svg.headers["Content-Type"].startswith("image/svg+xml")
    assert BeautifulSoup(svg.text, "xml").find("svg").find("path")


def test_a_product_with_a_gtin_gets_a_gs1_digital_link(api, stack, store):
    code = stored(store, gtin="9521234543213")
    shown_as(api, code, "valid")
    url = decoded(api.get(f"/certificates/{code}/qr.png").content)
    assert url == f"{stack.gateway_url}/01/09521234543213?ocop={code}"
    page = requests.get(url, timeout=15)
    assert page.status_code == 200
    assert BeautifulSoup(page.text, "html.parser").find("section")["data-state"] == "valid"
    wrong = requests.get(f"{stack.gateway_url}/01/09521234543220?ocop={code}", timeout=15)
    assert wrong.status_code == 404 and "text/html" in wrong.headers["Content-Type"]
    unnamed = requests.get(f"{stack.gateway_url}/01/09521234543213", timeout=15)
    assert unnamed.status_code == 400 and "text/html" in unnamed.headers["Content-Type"]
    assert "ocop" in BeautifulSoup(unnamed.text, "html.parser").get_text()


def test_the_printable_certificate_carries_the_name_with_its_diacritics(api, stack, states):
    response = api.get(f"/certificates/{states['valid']}/certificate.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    document = PdfReader(io.BytesIO(response.content))
    text = document.pages[0].extract_text()
    assert PRODUCT in text.splitlines()
    for essential in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                      "GIẤY CHỨNG NHẬN", "SẢN PHẨM OCOP ĐẠT 4 SAO", states["valid"],
                      f"{stack.gateway_url}/verify/{states['valid']}"):
        assert essential in text
    fonts = document.pages[0]["/Resources"]["/Font"]
    assert fonts and all("/FontFile2" in font.get_object()["/FontDescriptor"]
                         for font in fonts.values()), "every font embedded"
    # The QR printed on it, drawn as a printer would, leads back to the page.
    printed = pypdfium2.PdfDocument(response.content)[0].render(scale=3).to_pil()
    as_png = io.BytesIO()
    printed.save(as_png, format="PNG")
    assert decoded(as_png.getvalue()) == f"{stack.gateway_url}/verify/{states['valid']}"
    revoked = PdfReader(io.BytesIO(api.get(
        f"/certificates/{states['revoked']}/certificate.pdf").content))
    assert "ĐÃ BỊ THU HỒI" in revoked.pages[0].extract_text()


# The public list of certified products ----------------------------------------------------

@pytest.fixture(scope="module")
def listed(api, store):
    """Certificates in Đà Nẵng, oldest first: those in force by code, and some not."""
    now = datetime.now(timezone.utc)
    in_force = [stored(store, UNUSED_PROVINCE, commune, category, stars,
                       issued_at=now - timedelta(minutes=10 - i))
                for i, (commune, category, stars) in enumerate([
                    (HAI_CHAU, "01", 3), (HAI_CHAU, "03", 4), (HOA_CUONG, "03", 5),
                    (HOA_CUONG, "01", 4), (HAI_CHAU, "03", 3)])]
    # Past its validity: one the daily timer has expired, one it has not yet reached.
    expired = [stored(store, UNUSED_PROVINCE, HOA_CUONG, "01", 4, state=EXPIRED,
                      issued_at=now - timedelta(days=1101)),
               stored(store, UNUSED_PROVINCE, HAI_CHAU, issued_at=now - timedelta(days=1100))]
    revoked = stored(store, UNUSED_PROVINCE, HAI_CHAU, state=REVOKED, **revoked_now(),
                     issued_at=now - timedelta(minutes=20))
    replaced = stored(store, UNUSED_PROVINCE, HAI_CHAU, issued_at=now - timedelta(minutes=30))
    superseded_by(store, replaced, in_force[-1])
    for status, codes in {"valid": in_force, "expired": expired, "revoked": [revoked],
                          "superseded": [replaced]}.items():
        for code in codes:
            shown_as(api, code, status)
    return {"codes": in_force, "particulars": [
        (HAI_CHAU, "01", 3), (HAI_CHAU, "03", 4), (HOA_CUONG, "03", 5), (HOA_CUONG, "01", 4),
        (HAI_CHAU, "03", 3)],
        # newest first, as listed
        "by_status": {"valid": in_force[::-1], "revoked": [revoked],
                      "superseded": [replaced], "expired": expired[::-1]}}


def every_page(api, params, limit, path="/certified-products"):
    """The codes of every page of the list, following Link rel=next; and the page count."""
    url, seen, count = f"{api.base}{path}", [], 0
    params = {**params, "limit": limit}
    while url:
        response = api.http.get(url, params=params, timeout=15)
        assert response.status_code == 200, response.text
        items = response.json()
        assert len(items) <= limit
        seen += [item["code"] for item in items]
        count += 1
        url, params = response.links.get("next", {}).get("url"), None
        if url:
            url = api.root + url
    return seen, count


def test_the_list_shows_certificates_in_force_newest_first_page_by_page(api, listed):
    seen, count = every_page(api, {"province": UNUSED_PROVINCE}, limit=2)
    assert seen == listed["codes"][::-1] and count == 3
    first = api.get("/certified-products", params={"province": UNUSED_PROVINCE}).json()[0]
    assert first["status"] == "valid" and first["product_name"] == PRODUCT
    assert first["commune_code"] == HAI_CHAU and first["stars"] == 3


@pytest.mark.parametrize("params, wanted", [
    ({"commune": HOA_CUONG}, lambda commune, category, stars: commune == HOA_CUONG),
    ({"province": UNUSED_PROVINCE, "category": "03"},
     lambda commune, category, stars: category == "03"),
    ({"commune": HAI_CHAU, "stars": "3"},
     lambda commune, category, stars: commune == HAI_CHAU and stars == 3),
    ({"province": UNUSED_PROVINCE, "category": "01", "stars": "4"},
     lambda commune, category, stars: (category, stars) == ("01", 4)),
])
def test_the_list_narrows_by_commune_category_and_stars(api, listed, params, wanted):
    expected = [code for code, particulars in zip(listed["codes"], listed["particulars"])
                if wanted(*particulars)]
    assert every_page(api, params, limit=1)[0] == expected[::-1]


def test_the_list_across_the_country_includes_certificates_issued_by_the_procedure(
        api, states, listed):
    codes = every_page(api, {}, limit=200)[0]
    assert states["valid"] in codes and set(listed["codes"]) <= set(codes)
    for code in (states["expired"], states["superseded"], states["revoked"]):
        assert code not in codes
    in_commune = every_page(api, {"commune": "30406", "stars": "4"}, limit=50)[0]
    assert states["valid"] in in_commune


@pytest.mark.parametrize("params, parameter", [
    ({"province": "99"}, "province"), ({"commune": "99999"}, "commune"),
    ({"province": "91", "commune": HAI_CHAU}, "commune"), ({"category": "3"}, "category"),
    ({"stars": "2"}, "stars"), ({"stars": "four"}, "stars"), ({"limit": "0"}, "limit"),
    ({"cursor": "nonsense"}, "cursor"),
])
def test_the_list_refuses_a_filter_that_can_match_nothing_naming_it(api, params, parameter):
    problem = assert_problem(api.get("/certified-products", params=params), 422)
    assert [e["parameter"] for e in problem["errors"]] == [parameter]


def test_the_list_of_certificates_narrows_by_status_on_the_day_page_by_page(api, listed):
    by_status = listed["by_status"]
    for status, codes in by_status.items():
        seen = every_page(api, {"province": UNUSED_PROVINCE, "status": status}, limit=2,
                          path="/certificates")[0]
        assert seen == codes, status
    everything = every_page(api, {"province": UNUSED_PROVINCE}, limit=2,
                            path="/certificates")[0]
    assert sorted(everything) == sorted(sum(by_status.values(), []))
    statuses = {item["code"]: item["status"] for item in api.get("/certificates", params={
        "province": UNUSED_PROVINCE, "limit": 50}).json()}
    assert statuses == {code: status for status, codes in by_status.items()
                        for code in codes}
    narrowed = every_page(api, {"commune": HOA_CUONG, "category": "01", "stars": "4",
                                "status": "expired"}, limit=1, path="/certificates")[0]
    assert narrowed == [by_status["expired"][-1]]


def test_the_list_of_certificates_of_one_product_has_its_certificate(api, states):
    valid = api.get(f"/certificates/{states['valid']}").json()
    listed = api.get("/certificates", params={"product_id": valid["product_id"],
                                              "status": "valid"})
    assert [item["code"] for item in listed.json()] == [states["valid"]]
    assert api.get("/certificates", params={"product_id": valid["product_id"],
                                            "status": "revoked"}).json() == []


@pytest.mark.parametrize("params, parameter", [
    ({"status": "issuing"}, "status"), ({"status": "Valid"}, "status"),
    ({"province": "99", "status": "valid"}, "province"), ({"stars": "2"}, "stars"),
])
def test_the_list_of_certificates_refuses_an_unknown_status_or_filter(api, params, parameter):
    problem = assert_problem(api.get("/certificates", params=params), 422)
    assert [e["parameter"] for e in problem["errors"]] == [parameter]


# As a browser renders them ---------------------------------------------------------------

def test_pages_as_a_browser_renders_them(chromium, api, stack, states, tmp_path):
    for state, code in states.items():
        dom = BeautifulSoup(browse(chromium, f"{stack.gateway_url}/verify/{code}",
                                   "--dump-dom"), "html.parser")
        assert dom.find("section")["data-state"] == state
        assert dom.find(class_="label").get_text(" ", strip=True) == EXPECTED_STATE[state]
    missing = BeautifulSoup(browse(chromium, f"{stack.gateway_url}/verify/OCOP-91-2026-99999",
                                   "--dump-dom"), "html.parser")
    assert missing.find("section")["data-state"] == "not-found"
    # The SVG QR as a browser draws it decodes to the page's address too.
    screenshot = tmp_path / "qr.png"
    browse(chromium, f"{api.base}/certificates/{states['valid']}/qr.svg",
           f"--screenshot={screenshot}", "--window-size=400,400")
    assert decoded(screenshot.read_bytes()) == f"{stack.gateway_url}/verify/{states['valid']}"
