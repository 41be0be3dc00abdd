"""The rules behind producers and imports, without infrastructure: tax codes, names folded
for search, administrative units current and legacy, and the import's row checks."""
from datetime import date

import pytest
import vietnam_provinces

from chassis.errors import InvalidInput
from chassis.names import folded, words
from chassis.provinces import COMMUNES, PROVINCES
from services.registration import imports, producers, units
from services.registration.tax_codes import InvalidTaxCode, check_digit, checked
from tests.e2e.journeys import csv_file, row, tax_code, xlsx_file

# Published tax codes of well-known enterprises, and python-stdnum's examples.
PUBLISHED = ["0100109106", "0300588569", "0101248141", "0101245486", "0100233488"]


@pytest.mark.parametrize("code", PUBLISHED + ["0314409058-002", "0100109106-999"])
def test_published_tax_codes_and_branches_are_accepted(code):
    assert checked(code) == code


def test_a_wrong_check_digit_is_refused_with_the_digit_it_should_be():
    with pytest.raises(InvalidTaxCode) as refused:
        checked("0100109107")
    assert "phải là 6" in refused.value.vietnamese and "must be 6, not 7" in refused.value.english


@pytest.mark.parametrize("code", ["010010910", "01001091061", "0100109106-01",
                                  "0100109106/001", "A100109106", "0100109106-000", ""])
def test_malformed_tax_codes_are_refused(code):
    with pytest.raises(InvalidTaxCode):
        checked(code)


def test_a_prefix_whose_sum_is_a_multiple_of_eleven_has_no_tax_code():
    assert check_digit("160999999") is None  # 10 − 0 would need two digits
    with pytest.raises(InvalidTaxCode, match="No tax code starts with"):
        checked("1609999990")


def test_generated_tax_codes_are_valid():
    for _ in range(200):
        assert checked(tax_code())


def test_names_fold_without_accents_case_or_extra_spaces():
    assert folded("Lạp xưởng  Cần Đước") == "lap xuong can duoc"
    assert folded("đ") == folded("Đ") == "d"  # a letter of its own: NFD leaves it whole
    assert folded("ĐẶC SẢN ĐỒNG THÁP") == "dac san dong thap"
    assert folded("Mắm cá linh, Châu Đốc!") == "mam ca linh chau doc"
    assert words("Gạo thơm Phú Tân – gạo") == ["gao", "phu", "tan", "thom"]


def test_the_pinned_units_are_the_34_provinces_and_3321_communes_of_july_2025():
    assert vietnam_provinces.__version__ == "2025.10.1"
    assert len(PROVINCES) == 34 and len(COMMUNES) == 3321
    assert PROVINCES["91"] == "An Giang" and COMMUNES["30406"] == ("Xã Phú Tân", "91")


@pytest.mark.parametrize("written, province, commune", [
    # merged provinces: Kiên Giang into An Giang, Long An into Tây Ninh
    (("Tỉnh Kiên Giang", "Huyện Phú Quốc", "Xã Dương Tơ"), "91", "31078"),
    (("Long An", "H. Cần Đước", "Xã Long Hựu Đông"), "80", "28144"),
    (("An Giang", "TP. Châu Đốc", "P. Châu Phú A"), "91", "30316"),
    (("TP Hồ Chí Minh", "Quận 1", "Phường Bến Nghé"), "79", "26740"),
    (("An Giang", None, "Xã Phú Tân"), "91", "30406"),  # written after the reform
    (("An Giang", "Thành phố Châu Đốc", "Xã Vĩnh Châu"), "91", None),  # split: province only
    (("Kiên Giang", "Huyện Phú Quốc", "Xã Không Có"), "91", None),  # unknown commune
    (("Hà Tây", None, None), None, None),  # gone since 2008
])
def test_legacy_units_map_to_current_codes_where_the_data_allows(written, province, commune):
    placement = units.placed(*written)
    assert (placement.province_code, placement.commune_code) == (province, commune)
    assert placement.written == dict(zip(("province", "district", "commune"), written))
    if commune:
        assert COMMUNES[commune][1] == province


def test_every_legacy_commune_maps_into_its_provinces_current_province():
    index = units._index()
    assert len(index.legacy_provinces) == 63
    mapped = [code for code in index.legacy_communes.values() if code]
    assert len(mapped) > 9000 and set(mapped) <= set(COMMUNES)


def test_associations_and_operating_centres_register_community_tourism_only():
    assert set(producers.KINDS) >= {"cooperative", "cooperative_group", "enterprise", "farm",
                                    "production_household", "household_business",
                                    "association", "operating_centre"}
    assert producers.may_register("association", "26")
    assert not producers.may_register("operating_centre", "09")
    assert producers.may_register("cooperative", "09") and producers.may_register(None, "01")
    assert producers.kind_in_name("HTX Mắm Châu Đốc") == "cooperative"
    assert producers.kind_in_name("Công ty TNHH Lạp xưởng") == "enterprise"
    assert producers.kind_in_name("Cơ sở Bánh pía") is None


TODAY = date(2026, 11, 30)


@pytest.mark.parametrize("make", [csv_file, xlsx_file])
def test_a_good_spreadsheet_is_read_whole(make):
    rows = imports.validated(make([row(certificate_number="1/QĐ"),
                                   row(certificate_number="2/QĐ", stars=3, score=55)]),
                             "91", TODAY)
    assert [r["line"] for r in rows] == [2, 3]
    assert rows[0]["commune_code"] == "30316" and rows[0]["expires_on"] == "2027-03-15"
    assert rows[0]["kind"] == "cooperative" and rows[1]["stars"] == 3


def test_a_kind_column_takes_the_codes_or_the_words_of_article_2_3():
    headings = ("Chủ thể", "Loại chủ thể", "Mã số thuế", "Sản phẩm", "Bộ sản phẩm", "Hạng sao",
                "Số giấy chứng nhận", "Ngày quyết định", "Tỉnh")

    def sheet(*kinds):
        return csv_file([("Cơ sở A", kind, tax_code(), "Bánh", "06", "3", f"K-{n}",
                          "01/02/2025", "An Giang") for n, kind in enumerate(kinds)], headings)

    rows = imports.validated(sheet("farm", "Hộ gia đình có đăng ký kinh doanh", "Hợp tác xã",
                                   ""), "91", TODAY)
    assert [r["kind"] for r in rows] == ["farm", "household_business", "cooperative", None]
    with pytest.raises(InvalidInput) as refused:
        imports.validated(sheet("kolkhoz"), "91", TODAY)
    assert refused.value.errors[0]["pointer"] == "/rows/2/kind"


def test_an_xlsx_date_cell_and_numbers_are_read_as_a_spreadsheet_stores_them():
    rows = imports.validated(xlsx_file([row(decided_on=date(2023, 6, 1), stars=5, score=92,
                                            category=9)]), "91", TODAY)
    assert (rows[0]["decided_on"], rows[0]["stars"], rows[0]["category"]) == \
        ("2023-06-01", 5, "09")


def test_every_bad_row_is_reported_with_its_reason_and_nothing_is_returned():
    good = row()
    bad = [row(tax_code="0100109107"), row(stars="2"), row(score="95"),
           row(category="27"), row(decided_on="31/02/2024"), row(province="Tây Ninh"),
           row(certificate_number=good[6]), row(producer="Khác", tax_code=good[1]),
           row(decided_on="01/01/2017")]
    with pytest.raises(InvalidInput) as refused:
        imports.validated(csv_file([good, *bad]), "91", TODAY)
    pointers = [e["pointer"] for e in refused.value.errors]
    assert pointers == ["/rows/3/tax_code", "/rows/4/stars", "/rows/5/score",
                        "/rows/6/category", "/rows/7/decided_on", "/rows/8/province",
                        "/rows/9/certificate_number", "/rows/10/producer",
                        "/rows/11/decided_on"]
    details = " ".join(e["detail"] for e in refused.value.errors)
    assert "must be 6, not 7" in details and "95 points is 5 stars" in details
    assert "Same certificate as line 2" in details


@pytest.mark.parametrize("data, reason", [
    (b"", "empty"), (b"\xff\xfe not utf-8", "UTF-8"), (b"PK\x03\x04broken", "damaged"),
    (csv_file([row()], headings=("Chủ thể", "Sản phẩm")), "Missing columns"),
])
def test_a_file_that_is_not_a_spreadsheet_of_products_is_refused(data, reason):
    with pytest.raises(InvalidInput) as refused:
        imports.validated(data, "91", TODAY)
    assert reason in refused.value.detail
