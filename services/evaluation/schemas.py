"""What evaluation accepts and returns."""
from marshmallow import fields, validate

from chassis.schemas import BaseSchema, Timestamp

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


class OfficeReportSchema(BaseSchema):
    """The province OCOP office's report on a 5★ re-rating, with which the province sends it
    to the ministry (Decision 26/2026 Art. 6.3.b, 7.6.e)."""

    report = fields.String(required=True, validate=validate.Length(min=1, max=5000))


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
        "description": "A re-rating whose written opinions differed: when and why the "
                       "council was called to meet"})
    set_aside = fields.Dict(metadata={
        "description": "A central result the province chose to evaluate again: when, by "
                       "whom, and the provincial evaluation it opened"})
    status = fields.String(required=True, metadata={
        "enum": ["open", "returned", "rejected", "forwarded", "completed",
                 "province_reevaluates"]})
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
