"""What evaluation accepts and returns."""
from marshmallow import INCLUDE, ValidationError, fields, post_dump, validate, validates_schema

from chassis.schemas import BaseSchema, Timestamp

STATUSES = ("open", "returned", "rejected", "awaiting_approval", "not_approved", "forwarded",
            "completed", "province_reevaluates")
LEVELS = ("province", "central")
MEMBER_ID = validate.Regexp(
    r"^[A-Za-z0-9_-]{1,64}$",
    error="Mã thành viên gồm chữ, số, '-' hoặc '_' (tối đa 64) / "
          "Member id is letters, digits, '-' or '_' (at most 64).")
REVIEW_KINDS = ("completion", "site_visit", "lab_tests")


def member_id(**kwargs):
    return fields.String(validate=MEMBER_ID, **kwargs)


class CouncilSchema(BaseSchema):
    """A council (hội đồng đánh giá, phân hạng) of a province or of the ministry: its chair,
    members, advisory group (tổ tư vấn) and the regulation it works under."""

    name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    chair = member_id(required=True)
    secretary = member_id(load_default=None, allow_none=True, metadata={
        "description": "The council's secretary (thư ký), who may record its decision "
                       "beside the chair"})
    members = fields.List(member_id(), required=True, validate=validate.Length(min=1, max=50))
    advisory_group = fields.List(member_id(), load_default=list,
                                 validate=validate.Length(max=50))
    rules = fields.Dict(load_default=dict, metadata={
        "description": "quorum (0–1], chair_required, max_spread (points or null)"})


class CouncilViewSchema(CouncilSchema):
    id = fields.String(required=True)
    level = fields.String(required=True, metadata={"enum": ["province", "central"]})
    province_code = fields.String(allow_none=True)
    updated_at = Timestamp(required=True)


class InterestsViewSchema(BaseSchema):
    """The interests declared to a council: member → the producers they will not score."""

    council = fields.String(required=True)
    interests = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class InterestSchema(BaseSchema):
    """The calling member's declared interest in a producer: they will not score its
    products."""

    producer_id = fields.String(required=True, validate=validate.Regexp(
        r"^[A-Za-z0-9_-]{1,64}$", error="Mã chủ thể không hợp lệ / Not a valid producer id."))


class ReviewSchema(BaseSchema):
    """A step of the advisory group's review, by the calling advisory member: ask the
    producer to complete the dossier, visit the site, or order laboratory tests."""

    kind = fields.String(required=True, validate=validate.OneOf(
        REVIEW_KINDS, error="Loại yêu cầu phải là một trong {choices} / "
                            "Kind must be one of {choices}."),
        metadata={"enum": list(REVIEW_KINDS)})
    note = fields.String(required=True, validate=validate.Length(min=1, max=2000))


PICKS = ("criterion code → answer: an option code of the criterion (`2.3.c`), `yes`/`no` "
         "for a criterion printed without options, or `none` on any criterion (no printed "
         "option describes the product: 0 points, no star minimum met)")


class SheetSchema(BaseSchema):
    """The calling council member's score sheet (phiếu chấm): one option per criterion of
    the product's criteria set (Decision 26/2026 Annex II)."""

    picks = fields.Dict(keys=fields.String(), values=fields.String(), required=True,
                        metadata={"description": PICKS})


class RescoreSchema(BaseSchema):
    picks = fields.Dict(keys=fields.String(), values=fields.String(), required=True,
                        metadata={"description": PICKS})


class DecisionSchema(BaseSchema):
    knockouts = fields.List(fields.String(), load_default=list, metadata={
        "description": "knock-out findings: codes of the set's `knockouts`, or the code of "
                       "a criterion whose printed note stops or voids the evaluation (e.g. "
                       "`6.1`, unacceptable impurities)"})


class ProvincialEvaluationOrderSchema(BaseSchema):
    """The provincial chair's choice to have the province evaluate a product the ministry
    handed back (Decision 26/2026 Art. 7.4.g), instead of recognising it on that result."""

    note = fields.String(required=True, validate=validate.Length(min=1, max=2000), metadata={
        "description": "The decision, in the authority's words"})


class ApprovalSchema(BaseSchema):
    """The provincial chair's decision on a potential 5★ result (Decision 26/2026 Art.
    7.3.e, quyết định phê duyệt kết quả đánh giá): approved, it goes to the ministry;
    not approved, it is closed and nothing goes."""

    approved = fields.Boolean(load_default=True, metadata={
        "description": "Whether the chair approves the result (default true); false "
                       "records the decision not to approve it, with its reason"})
    reference = fields.String(required=True, validate=validate.Length(min=1, max=100),
                              metadata={"description": "The decision's reference (số quyết "
                                                       "định), e.g. `456/QĐ-UBND`"})
    date = fields.Date(required=True, metadata={
        "description": "The decision's date (Vietnam): not in the future, not before the "
                       "council's decision"})
    reason = fields.String(validate=validate.Length(min=1, max=2000), metadata={
        "description": "Why the result is not approved: required when `approved` is false"})

    @validates_schema
    def a_refusal_gives_its_reason(self, data, **kwargs):
        if not data.get("approved", True) and not data.get("reason"):
            raise ValidationError("Cần lý do khi không phê duyệt / A refusal needs its "
                                  "reason", "reason")


class MeetingSchema(BaseSchema):
    """The council chair's call to meet on a re-rating whose content is complex (Decision
    26/2026 Art. 7.6.d: «có nội dung phức tạp cần thảo luận»)."""

    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000), metadata={
        "description": "What is complex and needs discussing, in the chair's words"})


class OfficeReportSchema(BaseSchema):
    """The province OCOP office's report on a 5★ re-rating, with which the province sends it
    to the ministry (Decision 26/2026 Art. 6.3.b, 7.6.e)."""

    report = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class EvaluationFiltersSchema(BaseSchema):
    """Which evaluations to list: of a product, or of a council (``scope``: central or
    province-<code>) by status, round and level; ``waiting_for_me``: those the calling
    member has still to score."""

    product_id = fields.String(validate=validate.Length(min=1, max=64))
    scope = fields.String(validate=validate.Regexp(
        r"^(central|province-\d{2})$", error="central hoặc province-<mã tỉnh> / "
                                             "central or province-<province code>"))
    status = fields.String(validate=validate.OneOf(STATUSES))
    round = fields.String(validate=validate.Length(min=1, max=64))
    level = fields.String(validate=validate.OneOf(LEVELS))
    waiting_for_me = fields.Boolean(load_default=False)

    @validates_schema
    def names_a_product_or_a_council(self, data, **kwargs):
        if not data.get("product_id") and not data.get("scope"):
            raise ValidationError("Cần product_id hoặc scope / Give product_id or scope",
                                  "scope")
        if data.get("waiting_for_me") and not data.get("scope"):
            raise ValidationError("waiting_for_me cần scope / waiting_for_me needs scope",
                                  "scope")


class SheetViewSchema(BaseSchema):
    """One member's score sheet as recorded: the picks, the points of each part and the
    total; its ``revision`` is the ETag a rescore names in If-Match."""

    evaluation_id = fields.String(required=True)
    member = fields.String(required=True)
    picks = fields.Dict(keys=fields.String(), values=fields.String(), required=True,
                        metadata={"description": PICKS})
    parts = fields.Dict(keys=fields.String(), values=fields.Float(), required=True,
                        metadata={"description": "part code (A, B, C) → points"})
    total = fields.Float(required=True)
    submitted_at = Timestamp(required=True)
    revision = fields.Integer(required=True)


class OpenSchema(BaseSchema):
    """A served document that may grow: fields added later are passed on, and the
    description says so (``additionalProperties``)."""

    class Meta:
        unknown = INCLUDE

    @post_dump(pass_original=True)
    def keep_additions(self, data, original, **kwargs):
        return {**{k: v for k, v in original.items() if k not in self.fields}, **data}


class DecisionTextSchema(OpenSchema):
    """A text of the decision: Vietnamese, and English where it has been translated."""

    vi = fields.String(required=True)
    en = fields.String()


def text(**kwargs):
    return fields.Nested(DecisionTextSchema, **kwargs)


class OptionSchema(OpenSchema):
    """One answer to a criterion: its points and, where the decision sets one, the least
    stars (3–5) a product must have to be given this answer."""

    code = fields.String(required=True)
    text = text(required=True)
    points = fields.Integer(required=True, allow_none=True, metadata={
        "description": "null: the annex leaves the cell blank (see the criterion's "
                       "source_note)"})
    star_min = fields.Integer(required=True, allow_none=True, validate=validate.Range(3, 5),
                              metadata={"description": "null: no star minimum"})
    knockout = fields.Boolean(required=True)
    case = fields.String(allow_none=True)
    printed_points = fields.Integer(allow_none=True, metadata={
        "description": "Only on an option the errata correct: what the annex prints, "
                       "where ``points`` is the value applied"})


class CaseSchema(OpenSchema):
    code = fields.String(required=True)
    name = text()


class CriterionSchema(OpenSchema):
    code = fields.String(required=True)
    name = text(required=True)
    max_points = fields.Integer(required=True)
    requirement = text(allow_none=True)
    note = fields.Raw(allow_none=True)
    implicit = fields.Boolean()
    group = fields.Raw(allow_none=True)
    cases = fields.List(fields.Nested(CaseSchema), allow_none=True)
    source_note = fields.Raw(allow_none=True)
    options = fields.List(fields.Nested(OptionSchema), required=True, metadata={
        "description": "empty: a yes/no criterion (answered \"yes\" or \"no\")"})


class SectionSchema(OpenSchema):
    code = fields.String(required=True)
    name = text(required=True)
    max_points = fields.Integer(required=True)
    note = fields.Raw(allow_none=True)
    criteria = fields.List(fields.Nested(CriterionSchema), required=True)


class PartSchema(OpenSchema):
    code = fields.String(required=True, metadata={"enum": ["A", "B", "C"]})
    name = text(required=True)
    max_points = fields.Integer(required=True)
    source_note = fields.Raw(allow_none=True)
    sections = fields.List(fields.Nested(SectionSchema), required=True)


class KnockoutSchema(OpenSchema):
    code = fields.String(required=True)
    criterion = fields.String(allow_none=True)
    effect = fields.String(required=True, metadata={
        "enum": ["reject", "stop_evaluation", "not_evaluated"]})
    text = text(required=True)


class CriteriaSetSchema(OpenSchema):
    """A criteria set (bộ tiêu chí) of Decision 26/2026 Annex II, which is also the score
    sheet: parts A/B/C (40/25/35 points), their sections and criteria, each criterion's
    options with points and star minimums, and the dossier-level knock-outs."""

    code = fields.String(required=True)
    rule_version = fields.String(required=True)
    name = text(required=True)
    heading = text()
    sector = fields.Dict()
    group = fields.Dict()
    subgroup = fields.Dict()
    lead_ministry = fields.Dict()
    lead_ministries = fields.List(fields.Dict())
    source_note = fields.Raw(allow_none=True)
    knockouts = fields.List(fields.Nested(KnockoutSchema), required=True)
    parts = fields.List(fields.Nested(PartSchema), required=True)
    errata = fields.List(fields.Dict(), required=True, metadata={
        "description": "The misprints of this set corrected in ``parts`` (criterion, "
                       "option, printed, applied, the sibling sets that are the evidence)"})
    conditions = fields.List(fields.Dict(), required=True, metadata={
        "description": "Criteria that apply only when another criterion of the sheet is "
                       "answered otherwise than ``applies_when.not``; else their only "
                       "answer is `none`"})
    flags = fields.List(fields.Dict(), required=True, metadata={
        "description": "Values unlike those every sibling set prints for the same option: "
                       "shown to the council, not changed"})


class EvaluationSchema(BaseSchema):
    id = fields.String(required=True)
    product_id = fields.String(required=True)
    producer_id = fields.String(required=True)
    category = fields.String(required=True)
    kind = fields.String(metadata={"enum": ["first", "upgrade", "re_rating"]})
    level = fields.String(required=True, metadata={"enum": ["province", "central"]})
    scope = fields.String(required=True, metadata={
        "description": "The council that evaluates: central or province-<code>"})
    province_code = fields.String(required=True)
    procedure = fields.String(metadata={"enum": ["meeting", "written", "office_report"]})
    proposed_on = fields.String(metadata={
        "description": "The Vietnam date the dossier was proposed, which picks its round"})
    round = fields.Dict(allow_none=True, metadata={
        "description": "The Art. 5 round; null for a re-rating (its own 45 days)"})
    decide_by = fields.String(metadata={
        "description": "The last Vietnam date on which the council may decide"})
    meeting = fields.Dict(metadata={
        "description": "A re-rating the council meets on — its written opinions differed, "
                       "or its chair found the content complex: when, why and by whom"})
    approval = fields.Dict(metadata={
        "description": "A potential 5★ result: the provincial chair's decision on it "
                       "(approved or not, reference, date, by whom)"})
    set_aside = fields.Dict(metadata={
        "description": "A central result the province chose to evaluate again: when, by "
                       "whom, and the provincial evaluation it opened"})
    status = fields.String(required=True, metadata={"enum": list(STATUSES)})
    rule_version = fields.String(required=True)
    parent_evaluation_id = fields.String(allow_none=True)
    reviews = fields.Dict(keys=fields.String(), values=fields.Dict())
    sheets = fields.Dict(keys=fields.String(), values=fields.Dict())
    result = fields.Dict(allow_none=True)
    score = fields.Float(allow_none=True)
    stars = fields.Integer(allow_none=True)
    opened_at = Timestamp(required=True)
    closed_at = Timestamp(allow_none=True)


class CategorySchema(BaseSchema):
    code = fields.String(required=True)
    name = fields.Dict(required=True)
    sector = fields.Dict(required=True)
    group = fields.Dict()
    lead_ministry = fields.Dict()
