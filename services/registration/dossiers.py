"""The product dossier (hồ sơ sản phẩm, Decision 26/2026 Art. 6.1) and the province's
completeness check of the commune's proposal (Art. 6.2, 7.3.a).

The producer's dossier: Form 01 (phiếu đăng ký) with the kind of registration — the first
rating, an upgrade or a re-rating (``submissions.KINDS``) — and the criteria set (bộ sản
phẩm) of the product; Form 02 (báo cáo tự đánh giá), whose part III is the producer's own
assessment against *every* criterion of that set, in the set's order: the option it
expects to reach, or none, each with references to its evidence files (``evidence.py``).

The criteria sets are evaluation's reference data, shipped in the image as the JSON files
of ``services/evaluation/criteria/sets``; registration reads those same files
(``catalogue.criteria_sets``, loaded once per process) rather than asking evaluation on
every request.

What the commune sends on (Art. 6.2): its proposal letter, its Form 03 report, the product
dossier and 5 samples, none for the community-tourism sector (Art. 6.2.d).
"""
from chassis.errors import InvalidInput, field_error
from services.evaluation.catalogue import criteria_sets

SAMPLES = 5
SAMPLE_FREE_SECTOR = "tourism"  # dịch vụ du lịch cộng đồng, du lịch sinh thái, điểm du lịch


def criteria_set(code):
    return criteria_sets().get(code)


def criteria_of(category):
    return [c for part in criteria_set(category)["parts"] for section in part["sections"]
            for c in section["criteria"]]


def samples_required(category):
    return 0 if criteria_set(category)["sector"]["code"] == SAMPLE_FREE_SECTOR else SAMPLES


def check_category(category):
    if criteria_set(category) is None:
        raise InvalidInput("Bộ sản phẩm không có trong Quyết định 26/2026",
                           "The category is not a criteria set of Decision 26/2026",
                           [field_error("/category", "Mã bộ sản phẩm không tồn tại",
                                        "Unknown category code")])


def check_self_assessment(category, assessment, evidence_ids):
    """Form 02 part III covers every criterion of the set once, each with one of its
    options (or ``yes``/``no`` for a criterion without options) or none, citing only
    evidence files uploaded for this product. InvalidInput lists every fault."""
    errors = []
    criteria = {c["code"]: c for c in criteria_of(category)}
    seen = set()
    for index, entry in enumerate(assessment):
        code = entry["criterion"]
        if code not in criteria:
            errors.append(field_error(f"/self_assessment/{index}/criterion",
                                      f"Bộ {category} không có tiêu chí {code}",
                                      f"Criteria set {category} has no criterion {code}"))
            continue
        if code in seen:
            errors.append(field_error(f"/self_assessment/{index}/criterion",
                                      f"Tiêu chí {code} khai hai lần",
                                      f"Criterion {code} is assessed twice"))
        seen.add(code)
        options = {o["code"] for o in criteria[code]["options"]} or {"yes", "no"}
        if entry["option"] is not None and entry["option"] not in options:
            errors.append(field_error(f"/self_assessment/{index}/option",
                                      f"Tiêu chí {code} không có lựa chọn {entry['option']}",
                                      f"Criterion {code} has no option {entry['option']}"))
        for position, reference in enumerate(entry["evidence"]):
            if reference not in evidence_ids:
                errors.append(field_error(
                    f"/self_assessment/{index}/evidence/{position}",
                    f"Không có tệp minh chứng {reference} của sản phẩm này",
                    f"No evidence file {reference} of this product"))
    missing = [code for code in criteria if code not in seen]
    if missing:
        errors.append(field_error("/self_assessment",
                                  f"Thiếu tự đánh giá các tiêu chí {', '.join(missing)}",
                                  f"No self-assessment for criteria {', '.join(missing)}"))
    if errors:
        raise InvalidInput("Báo cáo tự đánh giá (Mẫu 02) chưa đúng",
                           "The self-assessment (Form 02) is not valid", errors)


def missing_parts(product):
    """What the province's office finds missing from a forwarded dossier (Art. 6.2, 7.3.a):
    an empty list when it is complete."""
    dossier = product.get("dossier") or {}
    review = dossier.get("commune_review") or {}
    missing = []
    if not dossier.get("form_number"):
        missing.append(("form_01", "Phiếu đăng ký (Mẫu 01)", "Registration form (Form 01)"))
    if not dossier.get("self_assessment"):
        missing.append(("form_02", "Báo cáo tự đánh giá (Mẫu 02)", "Self-assessment (Form 02)"))
    if not review.get("form_03"):
        missing.append(("form_03", "Báo cáo đánh giá của xã (Mẫu 03)",
                        "The commune's report (Form 03)"))
    if review.get("samples") != samples_required(product["category"]):
        missing.append(("samples", f"{samples_required(product['category'])} sản phẩm mẫu",
                        f"{samples_required(product['category'])} samples"))
    return missing
