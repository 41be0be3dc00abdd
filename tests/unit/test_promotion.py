"""The rules of trade promotion (step 6): only a product with a valid certificate is
promoted as OCOP, and the refusal says why; what a withdrawal takes off; what a point of
sale, a fair and a listing must be; the public list's filters by where products are sold;
what the producer is told of a withdrawal."""
from datetime import date

import pytest

from chassis.contracts import validated
from chassis.errors import Conflict, InvalidInput
from chassis.schemas import load
from services.certification import listing, promotion
from services.certification.contracts import PUBLISHED
from services.certification.schemas import NewFairSchema, NewListingSchema, \
    NewPointOfSaleSchema
from services.notification.templates import text

TODAY = date(2026, 11, 30)
SHOP = {"_id": "pos-1", "name": "Trung tâm OCOP Châu Đốc", "kind": "showroom",
        "province_code": "91"}
FAIR = {"_id": "fair-1", "name": "Hội chợ OCOP An Giang", "province_code": "91",
        "starts_on": "2026-11-28", "ends_on": "2026-12-02"}


def certificate(code="OCOP-91-2026-00037", **changes):
    return {"_id": code, "state": "valid", "expires_on": "2029-05-22", "re_rating": None,
            "revocation": None, **changes}


def test_a_product_with_a_valid_certificate_may_be_promoted():
    assert promotion.refusal("p", [certificate()], TODAY) is None
    # Upgraded 3★→4★: the newer certificate is valid, the product stays promoted.
    assert promotion.refusal("p", [certificate("OCOP-91-2026-00040"), certificate(
        state="superseded")], TODAY) is None


@pytest.mark.parametrize("certificates, says_vi, says_en", [
    ([], "chưa được cấp giấy chứng nhận OCOP", "has no OCOP certificate"),
    ([certificate(state="revoked", revocation={"revoked_on": "2026-11-20"})],
     "OCOP-91-2026-00037 của sản phẩm p bị thu hồi ngày 2026-11-20", "was revoked on 2026-11-20"),
    ([certificate(state="expired", expires_on="2026-11-01")], "hết hiệu lực từ ngày 2026-11-01",
     "expired on 2026-11-01"),
    # Past its 36 months before the daily timer stored it so: expired on the day.
    ([certificate(expires_on="2026-11-30")], "hết hiệu lực từ ngày 2026-11-30",
     "expired on 2026-11-30"),
])
def test_anything_else_is_refused_saying_why(certificates, says_vi, says_en):
    refused = promotion.refusal("p", certificates, TODAY, "/product_id")
    assert isinstance(refused, Conflict) and refused.status == 409
    assert says_vi in refused.message_vi and says_en in refused.message_en
    assert [e["pointer"] for e in refused.errors] == ["/product_id"]


def test_a_late_re_rating_keeps_the_product_promoted_until_its_decision():
    late = certificate(expires_on="2026-11-01", re_rating={
        "evaluation_id": "e", "filed_on": "2026-08-01", "late": True,
        "decision_due_on": "2026-12-20", "decided_on": None})
    assert promotion.refusal("p", [late], TODAY) is None


def placement(kind, state="active", **place):
    return {"kind": kind, "state": state, "place": place}


def test_a_withdrawal_takes_off_every_active_place_but_fairs_already_over():
    assert promotion.withdrawable(placement("point_of_sale"), TODAY)
    assert promotion.withdrawable(placement("listing"), TODAY)
    assert promotion.withdrawable(placement("fair", ends_on="2026-11-30"), TODAY)
    assert not promotion.withdrawable(placement("fair", ends_on="2026-11-29"), TODAY)
    assert not promotion.withdrawable(placement("point_of_sale", state="removed"), TODAY)
    assert not promotion.withdrawable(placement("listing", state="withdrawn"), TODAY)


def test_a_product_is_shown_at_a_fair_until_it_ends():
    promotion.check_fair_open(FAIR, date(2026, 12, 2))
    with pytest.raises(Conflict, match="2026-12-02"):
        promotion.check_fair_open(FAIR, date(2026, 12, 3))


def test_one_placement_per_product_and_place():
    assert promotion.placement_id("point_of_sale", "pos-1", "p") == "point_of_sale:pos-1:p"
    assert promotion.placement_id("fair", "pos-1", "p") != promotion.placement_id(
        "point_of_sale", "pos-1", "p")


def test_a_point_of_sale_is_recorded_once_opened_in_current_units():
    body = {"name": "Trung tâm OCOP Châu Đốc", "kind": "showroom", "province_code": "91",
            "commune_code": "30406", "opened_on": "2026-11-30", "operator": "Sở Công Thương"}
    loaded = load(NewPointOfSaleSchema(), body)
    promotion.check_opened_on(loaded["opened_on"], TODAY)
    with pytest.raises(InvalidInput) as future:
        promotion.check_opened_on(date(2026, 12, 1), TODAY)
    assert future.value.errors[0]["pointer"] == "/opened_on"
    for change, pointer in (({"commune_code": "27727"}, "/commune_code"),  # Tây Ninh's
                            ({"commune_code": "99999"}, "/commune_code"),
                            ({"kind": "kiosk"}, "/kind"), ({"province_code": "67"},
                                                           "/province_code")):
        with pytest.raises(InvalidInput) as refused:
            load(NewPointOfSaleSchema(), {**body, **change})
        assert pointer in {e["pointer"] for e in refused.value.errors}


def test_a_fair_ends_on_or_after_its_first_day():
    body = {"name": "Hội chợ OCOP", "province_code": "91", "venue": "Long Xuyên",
            "starts_on": "2026-12-01", "ends_on": "2026-12-01"}
    assert load(NewFairSchema(), body)["commune_code"] is None
    with pytest.raises(InvalidInput) as refused:
        load(NewFairSchema(), {**body, "ends_on": "2026-11-30"})
    assert [e["pointer"] for e in refused.value.errors] == ["/ends_on"]


@pytest.mark.parametrize("url", ["ftp://shopee.vn/gao", "shopee.vn/gao", "https://",
                                 "javascript:alert(1)", "http://intranet:8080/gao"])
def test_a_listing_is_an_http_address(url):
    with pytest.raises(InvalidInput) as refused:
        load(NewListingSchema(), {"platform": "Shopee", "url": url})
    assert [e["pointer"] for e in refused.value.errors] == ["/url"]


@pytest.mark.parametrize("url", ["https://user:pw@shopee.vn/gao", "http://localhost/gao"])
def test_a_listing_is_on_a_public_domain_without_credentials(url):
    load(NewListingSchema(), {"platform": "Shopee", "url": url})
    with pytest.raises(InvalidInput) as refused:
        promotion.check_listing_url(url)
    assert [e["pointer"] for e in refused.value.errors] == ["/url"]


def test_platforms_compare_without_case_or_accents():
    assert promotion.platform_key(" Shopee ") == promotion.platform_key("SHOPEE") == "shopee"
    assert promotion.platform_key("Sàn Đà Nẵng") == "san da nang"


def test_the_public_list_by_where_products_are_sold():
    assert listing.sold_at({"province": "91"}) == []
    assert listing.sold_at({"point_of_sale": "pos-1", "sold_in": "91", "platform": "Shopee"}) \
        == [{"kind": "point_of_sale", "place_id": "pos-1"},
            {"kind": "point_of_sale", "province_code": "91"},
            {"kind": "listing", "platform_key": "shopee"}]
    for parameter, value in (("sold_in", "99"), ("platform", "!!")):
        with pytest.raises(InvalidInput) as refused:
            listing.sold_at({parameter: value})
        assert refused.value.errors[0]["parameter"] == parameter


def about():
    return {"product_id": "p", "producer_id": "h", "province_code": "91",
            "name": "Gạo thơm Phú Tân", "certificate_code": "OCOP-91-2026-00037"}


def test_events_say_where_the_product_was_promoted():
    shop, fair = promotion.place_of_outlet(SHOP), promotion.place_of_fair(FAIR)
    online = promotion.place_of_listing("l", "Shopee", "https://shopee.vn/gao")
    places = [promotion.event_place(p) for p in (shop, fair, online)]
    assert places[0] == {"kind": "point_of_sale", "id": "pos-1",
                         "name": "Trung tâm OCOP Châu Đốc", "province_code": "91"}
    assert places[2] == {"kind": "listing", "id": "l", "name": "Shopee", "province_code": None,
                         "platform": "Shopee", "url": "https://shopee.vn/gao"}
    added = {**about(), "place": places[0], "added_at": "2026-11-30T01:00:00Z"}
    assert validated(PUBLISHED["promotion.added"], added) is added
    withdrawn = {**about(), "reason": "revoked", "places": places,
                 "withdrawn_at": "2026-11-30T01:00:00Z"}
    assert validated(PUBLISHED["promotion.withdrawn"], withdrawn) is withdrawn
    with pytest.raises(Exception, match="places"):
        validated(PUBLISHED["promotion.withdrawn"], {**withdrawn, "places": []})


def test_the_producer_is_told_what_was_withdrawn_and_why():
    told = text("withdrawn", {**about(), "reason": "expired", "places": [
        promotion.event_place(promotion.place_of_outlet(SHOP)),
        promotion.event_place(promotion.place_of_listing("l", "Shopee", "https://s.vn/g"))]})
    assert told["vi"] == ("Sản phẩm «Gạo thơm Phú Tân» không còn được quảng bá là sản phẩm "
                          "OCOP vì giấy chứng nhận hết hiệu lực (OCOP-91-2026-00037); đã rút "
                          "khỏi: điểm bán Trung tâm OCOP Châu Đốc; sàn thương mại điện tử Shopee")
    assert "its certificate expired" in told["en"] and "e-commerce platform Shopee" in \
        told["en"]
