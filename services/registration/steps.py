"""Steps 2 and 3 of the OCOP cycle, before any dossier (OCOP.md §2):

- step 2, product ideas (đăng ký ý tưởng sản phẩm): a producer registers an idea; it is
  assessed and accepted, or returned with reasons;
- step 3, business plans (phương án / kế hoạch sản xuất kinh doanh): a producer whose idea
  was accepted submits its plan; it is accepted, or returned with reasons;
- step 4, plan implementation (triển khai phương án): support given against an accepted
  plan — training, advice or credit — recorded so that plans and statistics can count it.

Both steps follow the same small state machine: submitted → accepted, or → returned with
reasons → (corrected by the producer) submitted again. Every move is kept in the record's
history with who and why. Ideas and plans are received and assessed by the commune's OCOP
staff: since districts were abolished (1 July 2025) the commune receives what the district
used to (Decision 26/2026 Art. 7.2 gives the commune the first assessment of a product's
origin, idea and local identity); support is recorded by the commune's or the province's
OCOP office, whichever arranged it.
"""
from enum import Enum


class Status(str, Enum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"


class Outcome(str, Enum):
    ACCEPTED = "accepted"
    RETURNED = "returned"


# The status each act needs: an idea or plan is decided once submitted, and corrected
# (submitted again) once returned.
DECIDED_FROM = Status.SUBMITTED
RESUBMITTED_FROM = Status.RETURNED
SUPPORT_KINDS = {
    "training": "Đào tạo, tập huấn",
    "advice": "Tư vấn",
    "credit": "Hỗ trợ vốn, tín dụng",
}
STEPS = {
    "idea": {"vi": "ý tưởng sản phẩm", "en": "product idea"},
    "plan": {"vi": "phương án kinh doanh", "en": "business plan"},
}
