"""The commune's review of a dossier (Decision 26/2026 Art. 7.2, Form 03).

Within 15 working days of receiving it (``working_days``), the commune People's Committee
checks the dossier, assesses four things in its Form 03 report — the use of local raw
material, the use of local labour, the origin of the product idea, the local identity and
know-how that make the product different — and sends it to the province with its proposal
letter and the samples: 5, none for the community-tourism sector (Art. 6.2.d). Or it
returns the dossier to the producer with its reasons.

The day of receipt is the day the producer filed the electronic dossier, unless the
commune records the day the paper dossier arrived (Form 01's "Ngày nhận"): never a day in
the future, and not more than a year before the electronic filing.
"""
from datetime import date

from chassis.errors import InvalidInput, field_error
from services.registration import dossiers

FORM_03 = {
    "local_raw_material": "Về sử dụng nguyên liệu địa phương",
    "local_labour": "Về sử dụng lao động địa phương",
    "idea_origin": "Nguồn gốc ý tưởng sản phẩm",
    "local_identity": "Bản sắc, trí tuệ địa phương",
}


def check_samples(category, samples):
    required = dossiers.samples_required(category)
    if samples != required:
        raise InvalidInput(
            f"Hồ sơ bộ {category} gửi kèm {required} sản phẩm mẫu",
            f"A dossier of criteria set {category} goes with {required} samples",
            [field_error("/samples", f"Phải là {required}", f"Must be {required}")])


def check_receipt(received_on, filed_on, today):
    """The paper dossier's day of receipt: from the first of the month a year before the
    electronic filing (a paper dossier may arrive first) to today."""
    if received_on > today or received_on < date(filed_on.year - 1, filed_on.month, 1):
        raise InvalidInput(
            "Ngày nhận không thể ở tương lai hay trước hồ sơ quá một năm",
            "The day of receipt cannot be in the future or more than a year before filing",
            [field_error("/received_on", "Ngày không hợp lệ", "Not a valid day")])
