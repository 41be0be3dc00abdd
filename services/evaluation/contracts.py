"""The events evaluation publishes, on the topic exchange ``evaluation.events``.

Each schema describes the event's ``data``; the envelope is CloudEvents 1.0
(``chassis.events``). ``docs/asyncapi.yaml`` is generated from ``PUBLISHED``.
Every event carries the evaluation's summary (``EvaluationSummarySchema``).
"""
from marshmallow import fields, validate

from chassis.contracts import (CategoryCode, CommuneCode, EventDataSchema, Flag, Identifier,
                               Number, ProvinceCode, Stars, Text)
from services.evaluation import rerating
from services.evaluation.schemas import MEMBER_ID, REVIEW_KINDS

LEVELS = ("province", "central")
SUBMISSION_KINDS = ("first", "upgrade", "re_rating")


def Level(description):
    return fields.String(required=True, validate=validate.OneOf(LEVELS),
                         metadata={"description": description})


def Score(**kwargs):
    return Number("The council's score (điểm): the mean of its members' totals out of 100, "
                  "to two decimals.", validate=validate.Range(0, 100), **kwargs)


class EvaluationSummarySchema(EventDataSchema):
    """What every evaluation event says about the evaluation (not published on its own)."""

    evaluation_id = Identifier("The evaluation; the same submission always opens the same one.")
    product_id = Identifier("The product (sản phẩm) being evaluated.")
    producer_id = Identifier("The producer (chủ thể OCOP) that owns the product.")
    name = Text("The product's name (tên sản phẩm).")
    producer_name = Text("The producer's registered name (tên chủ thể).")
    category = CategoryCode()
    province_code = ProvinceCode()
    commune_code = CommuneCode()
    product_code = fields.String(required=False, allow_none=True, metadata={
        "description": "The product code (mã số sản phẩm) `(T)-(X)-(STT)-(year)` registration "
                       "gave it at the proposal; null for evaluations opened before codes "
                       "travelled with the product."})
    level = Level("Which council evaluates: `province` (Hội đồng đánh giá, phân hạng cấp "
                  "tỉnh) or `central` (cấp trung ương).")
    kind = fields.String(required=True, validate=validate.OneOf(SUBMISSION_KINDS), metadata={
        "description": "The kind of registration (loại đăng ký, Form 01): the `first` "
                       "rating, an `upgrade` (nâng hạng), or a `re_rating` (đánh giá lại) "
                       "before the certificate expires."})
    round_id = fields.String(required=True, allow_none=True, validate=validate.Regexp(
        r"^(province|central)-\d{4}-\d+$"), metadata={
        "description": "The evaluation round (đợt đánh giá, Art. 5) of the Vietnam date the "
                       "dossier was proposed: `<level>-<year of its deadline>-<number>`, e.g. "
                       "`province-2026-1`; null for a re-rating, decided within its own 45 "
                       "days of the complete file (Art. 7.6.g)."})


class EvaluationOpenedSchema(EvaluationSummarySchema):
    """An evaluation session (phiên đánh giá, phân hạng) was opened for a submitted product."""


class ReviewRequestedSchema(EvaluationSummarySchema):
    """The advisory group (tổ tư vấn) asked for a review step: completing the dossier
    (which returns it to the producer), a site visit, or laboratory tests."""

    review_id = Identifier("This review request.")
    member = fields.String(required=True, validate=MEMBER_ID, metadata={
        "description": "The advisory group member who asked."})
    review_kind = fields.String(required=True, validate=validate.OneOf(REVIEW_KINDS), metadata={
        "description": "What is asked: `completion` (bổ sung hồ sơ: the dossier goes back "
                       "to the producer), `site_visit` (khảo sát thực tế) or `lab_tests` "
                       "(kiểm nghiệm bổ sung)."})
    note = Text("The request, in the advisory group's words.", max_length=2000)


class SheetSubmittedSchema(EventDataSchema):
    """A council member submitted their score sheet (phiếu chấm điểm)."""

    evaluation_id = Identifier("The evaluation.")
    product_id = Identifier("The product (sản phẩm) being evaluated.")
    member = fields.String(required=True, validate=MEMBER_ID, metadata={
        "description": "The council member."})
    total = Number("The sheet's total points out of 100.", validate=validate.Range(0, 100))


class ReasonSchema(EventDataSchema):
    vi = Text("Why, in Vietnamese.", max_length=5000)
    en = Text("Why, in English.", max_length=5000)


class KnockoutReasonSchema(ReasonSchema):
    codes = fields.List(fields.String(), required=True, validate=validate.Length(min=1),
                        metadata={"description": "The knock-out grounds found: criteria "
                                                 "options or dossier-level codes."})
    criteria = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "Knock-out code → the criterion whose printed note it is (e.g. "
                       "`food_safety_contaminant` → `6.1`: evaluation stopped there)."})


class EvaluationRejectedSchema(EvaluationSummarySchema):
    """The council knocked the dossier out (hồ sơ bị loại): no stars, no recognition."""

    score = Score()
    reason = fields.Nested(KnockoutReasonSchema, required=True, metadata={
        "description": "The knock-out grounds (Annex II \"Hồ sơ bị loại khi…\")."})


class ApprovalRequestedSchema(EvaluationSummarySchema):
    """The provincial council's result is a potential 5★ — a score of 90 or more, even if a
    star minimum caps its stars: it waits for the provincial chair's approval before it goes
    to the ministry (Art. 7.3.e)."""

    score = Score()
    stars = Stars()
    capped_by = fields.List(fields.String(), required=True, metadata={
        "description": "Criteria whose 5★ minimum the result misses; empty when none."})


class ApprovalRefusedSchema(EvaluationSummarySchema):
    """The provincial chair did not approve a potential 5★ result (Art. 7.3.e): it is
    closed; nothing goes to the ministry and nothing is recognised on it."""

    score = Score()
    stars = Stars()
    reference = Text("The decision's reference (số quyết định).", max_length=100)
    date = fields.Date(required=True, metadata={"description": "The decision's date "
                                                               "(Vietnam)."})
    refused_by = Text("Who decided: the province authority (Chủ tịch UBND cấp tỉnh or its "
                      "delegate), by the subject of their sign-in.", max_length=128)
    reason = Text("Why, in the authority's words.", max_length=2000)


class EvaluationForwardedSchema(EvaluationSummarySchema):
    """A provincial potential 5★ result — a score of 90 or more, even if a star minimum caps
    its stars — approved by the provincial chair and forwarded to the central council (Art.
    7.3.e); or a 5★ re-rating, on the province office's report (Art. 6.3.b, 7.6.e)."""

    score = Score(allow_none=True)
    stars = Stars(allow_none=True)
    to_level = fields.String(required=True, validate=validate.OneOf(["central"]), metadata={
        "description": "The level it goes to: the ministry's council."})
    approval_reference = fields.String(validate=validate.Length(min=1, max=100), metadata={
        "description": "A provincial result only: the reference of the provincial chair's "
                       "approval decision (quyết định phê duyệt kết quả đánh giá, Art. "
                       "6.3.a) — optional: absent from results forwarded before approvals "
                       "were recorded, and from a 5★ re-rating."})
    approval_date = fields.Date(metadata={"description": "Its date (Vietnam)."})
    approved_by = fields.String(validate=validate.Length(min=1, max=128), metadata={
        "description": "Who approved it: the province authority, by the subject of their "
                       "sign-in."})
    office_report = fields.String(validate=validate.Length(min=1, max=5000), metadata={
        "description": "A 5★ re-rating only: the province OCOP office's report (báo cáo "
                       "đánh giá của cơ quan tham mưu quản lý OCOP cấp tỉnh); score and "
                       "stars are then null: the provincial council did not score it."})


class MeetingCalledSchema(EvaluationSummarySchema):
    """A re-rating's council meets to decide instead of deciding on written opinions (Art.
    7.6.d, 7.6.e): the opinions differ, or its chair found the content complex."""

    reason = fields.Nested(ReasonSchema, required=True, metadata={
        "description": "Why: how the opinions differ (star ranks, spread of the totals), or "
                       "what the chair found complex."})
    ground = fields.String(validate=validate.OneOf(
        [rerating.OPINIONS_DIFFER, rerating.COMPLEX_CONTENT]), metadata={
        "description": "`opinions_differ` (nhiều ý kiến đánh giá khác nhau) or "
                       "`complex_content` (nội dung phức tạp cần thảo luận); optional: "
                       "absent from meetings called before the chair could call one."})
    called_by = fields.String(validate=MEMBER_ID, metadata={
        "description": "The council chair who called it (`complex_content` only)."})


class ProvincialEvaluationOrderedSchema(EvaluationSummarySchema):
    """The provincial chair chose to have the province evaluate a product whose central
    result was handed back (Art. 7.4.g), instead of recognising 3★/4★ on that result: the
    central result is set aside and a provincial evaluation opens."""

    score = Score()
    stars = Stars()
    ordered_by = Text("Who ordered it: the province authority (Chủ tịch UBND cấp tỉnh or its "
                      "delegate), by the subject of their sign-in.", max_length=128)
    note = Text("The decision, in the authority's words.", max_length=2000)
    provincial_evaluation_id = Identifier("The provincial evaluation it opens.")


class EvaluationCompletedSchema(EvaluationSummarySchema):
    """The council decided: the evaluation is closed with its score and stars."""

    score = Score()
    stars = Stars()
    recognised = Flag("Whether the result is recognised (công nhận); only recognised "
                      "products get a certificate.")
    level = Level("The level that recognises the result: `central` for 5★, otherwise "
                  "`province` (a central result below 5★ goes back to the province).")
    council_level = fields.String(validate=validate.OneOf(LEVELS), metadata={
        "description": "The council that scored it (optional: added later, a compatible "
                       "change): `central` with `level` `province` is a central result "
                       "handed back to the province (Art. 7.4.g)."})
    rule_version = Text("The rules the score was given under, e.g. `26/2026` "
                        "(Decision 26/2026/QĐ-TTg).", max_length=32)
    capped_by = fields.List(fields.String(), required=True, metadata={
        "description": "Criteria whose star minimum the result misses, which capped the "
                       "stars below the score's band; empty when not capped."})


PUBLISHED = {
    "evaluation.opened": EvaluationOpenedSchema,
    "evaluation.review_requested": ReviewRequestedSchema,
    "evaluation.sheet_submitted": SheetSubmittedSchema,
    "evaluation.rejected": EvaluationRejectedSchema,
    "evaluation.approval_requested": ApprovalRequestedSchema,
    "evaluation.approval_refused": ApprovalRefusedSchema,
    "evaluation.forwarded": EvaluationForwardedSchema,
    "evaluation.meeting_called": MeetingCalledSchema,
    "evaluation.provincial_evaluation_ordered": ProvincialEvaluationOrderedSchema,
    "evaluation.completed": EvaluationCompletedSchema,
}
