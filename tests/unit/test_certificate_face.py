"""The certificate's public face without a system: the address its QR encodes (the GS1
Digital Link rule), the font its PDF embeds, and its words."""
import fontpkg
import pytest
from reportlab.pdfbase.ttfonts import TTFont

from gateway.face import links, wording

BASE = "https://ocop.angiang.gov.vn"


def test_without_a_gtin_the_qr_is_the_pages_address():
    assert links.qr_url(BASE + "/", {"code": "OCOP-91-2026-00037"}) == \
        f"{BASE}/verify/OCOP-91-2026-00037"
    assert links.qr_url(BASE, {"code": "OCOP-91-2026-00037", "gtin": None}) == \
        f"{BASE}/verify/OCOP-91-2026-00037"


@pytest.mark.parametrize("gtin, fourteen", [
    ("09521234543213", "09521234543213"),  # GTIN-14 (GS1's own example)
    ("9521234543213", "09521234543213"),  # GTIN-13
    ("036000291452", "00036000291452"),  # GTIN-12 (UPC-A)
    ("96385074", "00000096385074"),  # GTIN-8
])
def test_with_a_gtin_the_qr_is_a_gs1_digital_link(gtin, fourteen):
    assert links.qr_url(BASE, {"code": "OCOP-91-2026-00037", "gtin": gtin}) == \
        f"{BASE}/01/{fourteen}?ocop=OCOP-91-2026-00037"


@pytest.mark.parametrize("gtin", ["9521234543214", "952123454321", "0952123454321a",
                                  "123456789012345", "", "٩٥٢١٢٣٤٥٤٣٢١٣"])
def test_what_is_not_a_gtin_is_refused(gtin):
    with pytest.raises(ValueError):
        links.gtin14(gtin)


def test_the_check_digit_is_gs1_mod_10():
    assert links.check_digit("952123454321") == 3
    assert links.check_digit("03600029145") == 2


def test_a_number_is_escaped_in_the_pages_address():
    assert links.page_url(BASE, "a/b?c") == f"{BASE}/verify/a%2Fb%3Fc"


VIETNAMESE = ("aàảãáạăằẳẵắặâầẩẫấậbcdđeèẻẽéẹêềểễếệghiìỉĩíịklmnoòỏõóọôồổỗốộơờởỡớợpqrstu"
              "ùủũúụưừửữứựvxyỳỷỹýỵ")


def test_the_pdfs_font_has_every_vietnamese_letter():
    face = TTFont("probe", fontpkg.path("Noto Serif")).face
    letters = set(VIETNAMESE + VIETNAMESE.upper() + "0123456789/-–—.,:;()")
    assert {c for c in letters if ord(c) not in face.charToGlyph} == set()


def test_the_issuing_authority_follows_the_level():
    province = {"level": "province", "province_code": "91"}
    assert wording.issuing_authority(province)[0] == "ỦY BAN NHÂN DÂN TỈNH AN GIANG"
    assert wording.issuing_authority({"level": "province", "province_code": "01"})[0] == \
        "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI"
    assert wording.issuing_authority({"level": "central", "province_code": "91"})[0] == \
        "BỘ NÔNG NGHIỆP VÀ MÔI TRƯỜNG"


def test_days_are_printed_as_vietnam_writes_them_and_valid_until_is_the_last_valid_day():
    assert wording.vietnam_date("2026-11-30") == "30/11/2026"
    # valid_until is the first day no longer valid: the face prints the day before it.
    assert wording.last_valid_day({"valid_until": "2029-11-30"}) == "29/11/2029"
    assert wording.last_valid_day({"valid_until": "2029-03-01"}) == "28/02/2029"
    assert wording.recognition({"recognition": {"reference": "12/QĐ-UBND",
                                                "date": "2026-11-30"}}) == \
        "12/QĐ-UBND (30/11/2026)"
