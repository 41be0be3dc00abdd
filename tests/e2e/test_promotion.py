"""Trade promotion (step 6) through the real processes: a province's points of sale and
showrooms carry certified products and nothing else, fairs show them, producers list them
online; the public list says where they are sold; a revocation withdraws the product from
everywhere at once with one event, however often and on however many processes the
withdrawal runs, and tells the producer; a supersession keeps it promoted; an expiry found
by the daily timer on two processes withdraws it too."""
import threading
import time
from datetime import timedelta

import pytest
from pymongo import MongoClient

from chassis.errors import Conflict
from chassis.events import rfc3339, utc_now
from chassis.identity import Identity
from services.certification import trade
from services.certification.store import PromotionStore
from tests.conftest import more_processes, wait_until
from tests.e2e.journeys import certified, council_of, criteria_set, lowered_picks, propose, \
    recognise, registered, score, vietnam_today
from tests.e2e.test_bad_input import assert_problem

CHAU_DOC = {"name": "Trung tâm OCOP Châu Đốc", "kind": "showroom", "province_code": "91",
            "commune_code": "30406", "street": "Đường Tôn Đức Thắng",
            "operator": "Trung tâm Xúc tiến Thương mại An Giang"}
REVOCATION = {"ground": "law_violation", "finding_reference": "12/KL-ATTP"}


def opened_point_of_sale(people, **changes):
    response = people.province_officer("91").post("/points-of-sale", {
        **CHAU_DOC, "opened_on": (vietnam_today() - timedelta(days=30)).isoformat(),
        **changes})
    assert response.status_code == 201, response.text
    return response.json()


def fair_of_the_week(people):
    response = people.province_officer("91").post("/fairs", {
        "name": "Hội chợ OCOP An Giang", "province_code": "91", "venue": "Quảng trường Long "
        "Xuyên", "starts_on": vietnam_today().isoformat(),
        "ends_on": (vietnam_today() + timedelta(days=4)).isoformat()})
    assert response.status_code == 201, response.text
    return response.json()


def carry(people, point_of_sale, product_id):
    return people.province_officer("91").post(
        f"/points-of-sale/{point_of_sale['id']}/products", {"product_id": product_id})


def listed(owner, product_id):
    response = owner.post(f"/products/{product_id}/listings", {
        "platform": "Shopee", "url": f"https://shopee.vn/ocop-{product_id}"})
    assert response.status_code == 201, response.text
    return response.json()


def certified_products(api, **query):
    response = api.get("/certified-products", params=query)
    assert response.status_code == 200, response.text
    return {c["product_id"] for c in response.json()}


def revoke(people, certificate):
    response = people.calling(["province_authority"], province="91").post(
        f"/certificates/{certificate['code']}/revocation",
        {**REVOCATION, "finding_date": vietnam_today().isoformat()})
    assert response.status_code == 200, response.text


def withdrawals(tap, product_id):
    """The distinct promotion.withdrawn events of a product (the relay may publish one
    twice, with the same id: consumers de-duplicate)."""
    return list({e["id"]: e for e in tap.events("promotion.withdrawn",
                                                f"products/{product_id}")}.values())


def test_only_certified_products_are_promoted_and_a_revocation_withdraws_them(
        api, people, tap, councils):
    shop = opened_point_of_sale(people)
    recorded = tap.wait_for("point_of_sale.recorded", f"points-of-sale/{shop['id']}")["data"]
    assert {k: recorded[k] for k in ("province_code", "kind", "opened_on")} == {
        "province_code": "91", "kind": "showroom", "opened_on": shop["opened_on"]}
    owner, product, certificate = certified(api, people)
    _, other, _ = certified(api, people)
    _, _, uncertified = registered(api, people)

    carried = carry(people, shop, product["id"])
    assert carried.status_code == 200, carried.text
    assert [p["product_id"] for p in carried.json()["products"]] == [product["id"]]
    assert carry(people, shop, product["id"]).json() == carried.json()  # once
    assert carry(people, shop, other["id"]).status_code == 200
    added = tap.wait_for("promotion.added", f"products/{product['id']}")["data"]
    assert added["place"] == {"kind": "point_of_sale", "id": shop["id"], "name": shop["name"],
                              "province_code": "91"}
    assert added["certificate_code"] == certificate["code"]
    refused = assert_problem(carry(people, shop, uncertified["id"]), 409, "/product_id")
    assert "chưa được cấp giấy chứng nhận" in refused["detail"] and "no OCOP certificate" in \
        refused["detail"]
    assert [p["product_id"] for p in api.get(f"/points-of-sale/{shop['id']}").json()[
        "products"]] == [product["id"], other["id"]]

    fair = fair_of_the_week(people)
    shown = people.province_officer("91").post(f"/fairs/{fair['id']}/products",
                                               {"product_id": product["id"]})
    assert shown.status_code == 200, shown.text
    assert shown.json()["producers"] == [{"producer_id": product["producer_id"],
                                          "producer_name": certificate["producer_name"]}]
    listing = listed(owner, product["id"])
    places = api.get(f"/certified-products/{product['id']}/places").json()
    assert ([p["id"] for p in places["points_of_sale"]], [f["id"] for f in places["fairs"]],
            [x["id"] for x in places["listings"]]) == ([shop["id"]], [fair["id"]],
                                                       [listing["id"]])

    # The public list, by where the products are sold.
    assert certified_products(api, point_of_sale=shop["id"]) == {product["id"], other["id"]}
    assert product["id"] in certified_products(api, sold_in="91")
    assert certified_products(api, point_of_sale=shop["id"], platform="shopee") == {
        product["id"]}
    assert certified_products(api, sold_in="01", point_of_sale=shop["id"]) == set()
    removed = people.province_officer("91").delete(
        f"/points-of-sale/{shop['id']}/products/{other['id']}")
    assert removed.status_code == 200, removed.text
    assert certified_products(api, point_of_sale=shop["id"]) == {product["id"]}
    assert tap.wait_for("promotion.removed", f"products/{other['id']}")["data"]["reason"] == \
        "taken_off"

    revoke(people, certificate)
    withdrawn = wait_until(lambda: withdrawals(tap, product["id"]), what="the withdrawal")
    data = withdrawn[0]["data"]
    assert data["reason"] == "revoked" and data["certificate_code"] == certificate["code"]
    assert sorted((p["kind"], p["id"]) for p in data["places"]) == sorted([
        ("point_of_sale", shop["id"]), ("fair", fair["id"]), ("listing", listing["id"])])
    assert api.get(f"/points-of-sale/{shop['id']}").json()["products"] == []
    assert api.get(f"/fairs/{fair['id']}").json()["products"] == []
    assert api.get(f"/certified-products/{product['id']}/places").json() == {
        "product_id": product["id"], "points_of_sale": [], "fairs": [], "listings": []}
    assert certified_products(api, point_of_sale=shop["id"]) == set()
    texts = wait_until(lambda: [n["text"] for n in owner.get("/notifications", params={
        "recipient": f"producer:{product['producer_id']}"}).json()
        if n["event_type"] == "vn.gov.ocop.promotion.withdrawn.v1"], what="the producer told")
    assert shop["name"] in texts[0]["vi"] and "thu hồi" in texts[0]["vi"]
    assert "revoked" in texts[0]["en"]
    again = assert_problem(carry(people, shop, product["id"]), 409, "/product_id")
    assert certificate["code"] in again["detail"] and "thu hồi" in again["detail"]
    assert_problem(owner.post(f"/products/{product['id']}/listings", {
        "platform": "Tiki", "url": "https://tiki.vn/gao"}), 409)
    time.sleep(2)  # the relay publishes what is left; nothing more is withdrawn
    assert len(withdrawals(tap, product["id"])) == 1


def test_the_withdrawal_is_once_however_often_and_wherever_it_runs(
        api, people, tap, stack, councils):
    """Four workers withdraw the same product at once, as if two processes had the event
    twice each; the real revocation comes after: one withdrawal, one event."""
    shop = opened_point_of_sale(people, name="Điểm bán OCOP Long Xuyên", kind="point_of_sale")
    owner, product, certificate = certified(api, people)
    assert carry(people, shop, product["id"]).status_code == 200
    listing = listed(owner, product["id"])
    event = {"data": {"code": certificate["code"], "product_id": product["id"]},
             "time": rfc3339(utc_now())}
    with MongoClient(stack.mongo_uri) as client:
        store = PromotionStore(client[f"{stack.db_prefix}certification"])
        workers = [threading.Thread(target=trade.withdraw, args=(store, event, "revoked"))
                   for _ in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        assert store.withdrawals.count_documents({"product_id": product["id"]}) == 1
        assert {p["state"] for p in store.placements_of(product["id"])} == {"withdrawn"}
    [withdrawn] = wait_until(lambda: withdrawals(tap, product["id"]), what="the withdrawal")
    assert {p["id"] for p in withdrawn["data"]["places"]} == {shop["id"], listing["id"]}
    revoke(people, certificate)
    tap.wait_for("certificate.revoked", f"products/{product['id']}")
    time.sleep(3)  # certification's own handler has run, and found it done
    assert len(withdrawals(tap, product["id"])) == 1


def test_a_product_whose_certificate_ends_while_it_is_added_is_taken_off_again(
        api, people, tap, stack, councils):
    """The revocation lands between the check of the certificate and the placement's write
    (its withdrawal would have found nothing): the product is taken off again, refused."""
    shop = opened_point_of_sale(people, name="Điểm bán OCOP Châu Phú")
    _, product, certificate = certified(api, people)

    class RevokedMeanwhile(PromotionStore):
        def promote(self, placement, events):
            written = super().promote(placement, events)
            current = self.certificates.find_one({"_id": certificate["code"]})
            self.revoke(certificate["code"], current.get("revision"), {"revocation": {
                "revoked_on": vietnam_today().isoformat()}, "revoked_at": rfc3339(utc_now())},
                [])
            return written
    with MongoClient(stack.mongo_uri) as client:
        store = RevokedMeanwhile(client[f"{stack.db_prefix}certification"])
        with pytest.raises(Conflict, match="thu hồi"):
            trade.carry(store, Identity(subject="officer-91"), shop["id"],
                        {"product_id": product["id"]}, vietnam_today())
        [placement] = store.placements_of(product["id"])
    assert placement["state"] == "removed"
    removed = tap.wait_for("promotion.removed", f"products/{product['id']}")["data"]
    assert removed["reason"] == "not_certified" and removed["place"]["id"] == shop["id"]
    assert api.get(f"/points-of-sale/{shop['id']}").json()["products"] == []


def test_an_upgrade_keeps_the_product_promoted(api, people, tap, councils):
    shop = opened_point_of_sale(people, name="Điểm bán OCOP Tân Châu")
    owner, product, first = certified(api, people)
    assert carry(people, shop, product["id"]).status_code == 200
    propose(owner, product["id"], "upgrade")
    upgrade = wait_until(lambda: next((e for e in owner.get("/evaluations", params={
        "product_id": product["id"]}).json() if e["kind"] == "upgrade"), None))
    second = recognise(people, score(people, upgrade, council_of(
        lowered_picks(criteria_set(api, "03"), 12))), reference="78/QĐ-UBND")
    tap.wait_for("certificate.superseded", f"products/{product['id']}")
    time.sleep(2)
    assert withdrawals(tap, product["id"]) == []
    assert [p["product_id"] for p in api.get(f"/points-of-sale/{shop['id']}").json()[
        "products"]] == [product["id"]]
    assert product["id"] in certified_products(api, point_of_sale=shop["id"])
    assert api.get(f"/certificates/{second['code']}").json()["status"] == "valid"


def test_an_expiry_withdraws_the_product(api, people, tap, stack, tmp_path, councils):
    """The daily timer expires the certificate on two processes living on its last day +1."""
    tomorrow = vietnam_today() + timedelta(days=1)
    shop = opened_point_of_sale(people, name="Điểm bán OCOP Chợ Mới")
    owner, product, certificate = certified(api, people, tomorrow)
    assert carry(people, shop, product["id"]).status_code == 200
    with more_processes(stack, "certification", tmp_path, {
            "MILESTONE_SWEEP_SECONDS": "0.2", "CERTIFICATION_TODAY": tomorrow.isoformat()},
            count=2):
        [withdrawn] = wait_until(lambda: withdrawals(tap, product["id"]), seconds=60,
                                 what="the withdrawal on expiry")
        time.sleep(2)
        assert len(withdrawals(tap, product["id"])) == 1
    assert withdrawn["data"]["reason"] == "expired"
    assert [p["id"] for p in withdrawn["data"]["places"]] == [shop["id"]]
    assert api.get(f"/points-of-sale/{shop['id']}").json()["products"] == []


def test_bad_input_is_refused_naming_the_field(api, people, councils):
    office = people.province_officer("91")
    today = vietnam_today()
    valid = {**CHAU_DOC, "opened_on": today.isoformat()}
    for change, pointer in (({"kind": "kiosk"}, "/kind"), ({"province_code": "99"},
                                                           "/province_code"),
                            ({"commune_code": "27727"}, "/commune_code"),
                            ({"opened_on": (today + timedelta(days=1)).isoformat()},
                             "/opened_on"), ({"name": ""}, "/name"),
                            ({"operator": None}, "/operator")):
        assert_problem(office.post("/points-of-sale", {**valid, **change}), 422, pointer)
    assert_problem(office.post("/points-of-sale", {"name": "x"}), 422, "/kind",
                   "/province_code", "/commune_code", "/opened_on", "/operator")
    # Another province's office records nothing in An Giang.
    assert_problem(people.province_officer("79").post("/points-of-sale", valid), 403)
    assert_problem(office.post("/fairs", {"name": "Hội chợ", "province_code": "91",
                                          "venue": "Long Xuyên", "starts_on": "2026-12-05",
                                          "ends_on": "2026-12-01"}), 422, "/ends_on")
    shop = opened_point_of_sale(people, name="Điểm bán OCOP Tri Tôn")
    assert_problem(office.post(f"/points-of-sale/{shop['id']}/products", {}), 422,
                   "/product_id")
    assert_problem(office.post("/points-of-sale/no-such-place/products",
                               {"product_id": "x"}), 404)
    owner, product, _ = certified(api, people)
    for url in ("ftp://shopee.vn/x", "shopee.vn/x", "https://user:secret@shopee.vn/x",
                "http://localhost/x"):
        assert_problem(owner.post(f"/products/{product['id']}/listings", {
            "platform": "Shopee", "url": url}), 422, "/url")
    assert_problem(owner.post(f"/products/{product['id']}/listings", {"url": "https://a.vn"}),
                   422, "/platform")
    for parameter, value in (("sold_in", "99"), ("point_of_sale", "no-such-place"),
                             ("platform", "!!")):
        assert_problem(api.get("/certified-products", params={parameter: value}), 422,
                       parameter)
    assert_problem(api.get("/points-of-sale", params={"kind": "kiosk"}), 422, "kind")
