"""The dossier's rules without infrastructure: evidence files, Form 02's coverage of the
criteria set, the samples, the completeness check, the numbers of Art. 6 and Annex II."""
import base64
import hashlib

import pytest

from chassis.errors import InvalidInput
from services.registration import commune_review, dossiers, evidence, product_codes

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def encoded(content):
    return base64.b64encode(content).decode()


def pointers(exc_info):
    return [e["pointer"] for e in exc_info.value.errors]


@pytest.mark.parametrize("name, content, kind", [
    ("giay-phep.pdf", PDF, "application/pdf"), ("NHAN.PNG", PNG, "image/png"),
    ("anh.jpg", JPEG, "image/jpeg"), ("anh.jpeg", JPEG, "image/jpeg")])
def test_accepted_files_are_known_by_their_content(name, content, kind):
    stored, facts = evidence.checked(name, encoded(content))
    assert stored == content
    assert facts == {"filename": name, "content_type": kind, "size": len(content),
                     "sha256": hashlib.sha256(content).hexdigest()}


@pytest.mark.parametrize("name, content, pointer", [
    ("anh.jpg", PNG, "/filename"),         # a PNG that calls itself a JPEG
    ("hoa-don.pdf", JPEG, "/filename"),
    ("virus.pdf", b"MZ\x90\x00" + b"\x00" * 20, "/content"),  # not PDF, JPEG or PNG
    ("bao-cao.docx", b"PK\x03\x04" + b"\x00" * 20, "/content"),
    ("rong.pdf", b"", "/content"),
    ("lon.pdf", PDF + b"\x00" * (evidence.MAX_BYTES - len(PDF) + 1), "/content"),
])
def test_refused_files(name, content, pointer):
    with pytest.raises(InvalidInput) as refused:
        evidence.checked(name, encoded(content))
    assert pointers(refused) == [pointer]


def test_the_largest_file_is_taken_and_fits_the_http_body_once_encoded():
    content = PDF + b"\x00" * (evidence.MAX_BYTES - len(PDF))
    assert evidence.checked("lon.pdf", encoded(content))[1]["size"] == evidence.MAX_BYTES
    assert len(encoded(content)) + 1024 < 256 * 1024


def test_content_that_is_not_base64_is_refused():
    with pytest.raises(InvalidInput) as refused:
        evidence.checked("a.pdf", "không phải base64!")
    assert pointers(refused) == ["/content"]


def rice_assessment(evidence_ids=()):
    return [{"criterion": c["code"], "option": None, "evidence": list(evidence_ids)}
            for c in dossiers.criteria_of("03")]


def test_form_02_covers_every_criterion_once():
    dossiers.check_self_assessment("03", rice_assessment(["e1"]), {"e1"})
    first, *rest = rice_assessment()
    with pytest.raises(InvalidInput) as refused:
        dossiers.check_self_assessment("03", rest, set())
    assert pointers(refused) == ["/self_assessment"]
    assert first["criterion"] in refused.value.errors[0]["detail"]
    with pytest.raises(InvalidInput) as refused:
        dossiers.check_self_assessment("03", [first, *rest, first], set())
    assert pointers(refused) == [f"/self_assessment/{len(rest) + 1}/criterion"]


def test_form_02_options_and_evidence_must_exist():
    assessment = rice_assessment()
    criterion = dossiers.criteria_of("03")[0]
    assessment[0]["option"] = criterion["options"][0]["code"]
    assessment[1]["option"] = "9.9.z"
    assessment[2]["evidence"] = ["someone-elses-file"]
    assessment[3]["criterion"] = "99.9"
    with pytest.raises(InvalidInput) as refused:
        dossiers.check_self_assessment("03", assessment, {"mine"})
    assert pointers(refused)[:3] == ["/self_assessment/1/option",
                                     "/self_assessment/2/evidence/0",
                                     "/self_assessment/3/criterion"]


def test_five_samples_except_for_community_tourism():
    assert dossiers.samples_required("03") == 5
    assert dossiers.samples_required("26") == 0
    commune_review.check_samples("26", 0)
    for category, wrong in (("03", 4), ("03", 0), ("26", 5)):
        with pytest.raises(InvalidInput) as refused:
            commune_review.check_samples(category, wrong)
        assert pointers(refused) == ["/samples"]


def test_the_province_finds_what_is_missing():
    product = {"category": "03", "dossier": {
        "form_number": "1/PĐK-91-30406-2026", "self_assessment": {"0000": {}},
        "commune_review": {"form_03": {"local_labour": "…"}, "samples": 5}}}
    assert dossiers.missing_parts(product) == []
    product["dossier"]["commune_review"]["samples"] = 3
    del product["dossier"]["self_assessment"]
    assert [part for part, _, _ in dossiers.missing_parts(product)] == ["form_02", "samples"]


def test_the_numbers_of_the_decision():
    assert product_codes.form_number(12, "91", "30406", 2026) == "12/PĐK-91-30406-2026"
    assert product_codes.product_code(7, "91", "30406", 2027) == "91-30406-7-2027"
