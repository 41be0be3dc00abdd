"""What plans, progress and statistics take and return."""
from marshmallow import fields, validate

from chassis.schemas import BaseSchema
from services.certification.plans import MEASURES, REPORTED


def measures_described(names):
    return "; ".join(f"`{name}` ({MEASURES[name].en})" for name in names)


class TargetSchema(BaseSchema):
    """One target of the plan (chỉ tiêu), as the plan writes it: "from 40 to 50", "at
    least 10", "each district at least 1–2"."""

    measure = fields.String(required=True, validate=validate.OneOf(list(MEASURES)), metadata={
        "description": "What is counted: " + measures_described(MEASURES) + "."})
    at_least = fields.Float(required=True, validate=validate.Range(min=0, max=1_000_000),
                            metadata={"description": "The lower bound (a share in % for a "
                                                     "percentage; per unit for a per-unit "
                                                     "target)."})
    at_most = fields.Float(allow_none=True, load_default=None,
                           validate=validate.Range(min=0, max=1_000_000), metadata={
                               "description": "The upper bound of a range (40–50), if any."})


class ProvincePlanSchema(BaseSchema):
    """A province's OCOP plan for a year or a period (kế hoạch thực hiện Chương trình
    OCOP), e.g. An Giang's 363/KH-UBND of 15 May 2023."""

    reference = fields.String(required=True, validate=validate.Length(min=1, max=100),
                              metadata={"description": "The plan's reference (số kế "
                                                       "hoạch), e.g. `363/KH-UBND`."})
    adopted_on = fields.Date(required=True, metadata={"description": "The day it was signed."})
    last_year = fields.Integer(allow_none=True, load_default=None, strict=True,
                               validate=validate.Range(2008, 2100), metadata={
                                   "description": "The last year of a period plan "
                                                  "(2018–2020); the path's year alone "
                                                  "when absent."})
    former_province = fields.String(allow_none=True, load_default=None,
                                    validate=validate.Length(min=1, max=100), metadata={
                                        "description": "For a plan written before 1 July "
                                                       "2025: the former province it "
                                                       "covers (e.g. `Kiên Giang`), whose "
                                                       "communes it counts and whose "
                                                       "districts are its units."})
    targets = fields.List(fields.Nested(TargetSchema), required=True,
                          validate=validate.Length(min=1, max=len(MEASURES)))


class TargetViewSchema(BaseSchema):
    measure = fields.String(required=True)
    at_least = fields.Float(required=True)
    at_most = fields.Float(required=True, allow_none=True)


class PlanHeadingSchema(BaseSchema):
    """What names a plan in what is read of it: its province, years and reference."""

    province_code = fields.String(required=True)
    year = fields.Integer(required=True)
    last_year = fields.Integer(required=True)
    reference = fields.String(required=True)
    former_province = fields.String(required=True, allow_none=True)


class ProvincePlanViewSchema(PlanHeadingSchema):
    adopted_on = fields.String(required=True, metadata={"format": "date"})
    targets = fields.List(fields.Nested(TargetViewSchema), required=True)
    recorded_by = fields.String(required=True)
    recorded_at = fields.String(required=True, metadata={"format": "date-time"})
    revision = fields.Integer(required=True)


class ReportSchema(BaseSchema):
    """The office's figure for a measure no event gives, as of a day (the latest stands)."""

    measure = fields.String(required=True, validate=validate.OneOf(REPORTED), metadata={
        "description": measures_described(REPORTED) + "."})
    count = fields.Integer(required=True, strict=True, validate=validate.Range(0, 10_000_000),
                           metadata={"description": "How many: people trained, communes "
                                                    "informed, organisations strengthened."})
    of = fields.Integer(allow_none=True, load_default=None, strict=True,
                        validate=validate.Range(1, 10_000_000), metadata={
                            "description": "Out of how many (for a share: required)."})
    reported_on = fields.Date(required=True, metadata={
        "description": "The day the figure stands on (Vietnam), not in the future."})


class LabelSchema(BaseSchema):
    vi = fields.String(required=True)
    en = fields.String(required=True)


class ProgressLineSchema(BaseSchema):
    measure = fields.String(required=True)
    label = fields.Nested(LabelSchema, required=True)
    unit = fields.String(required=True, metadata={
        "enum": ["products", "percent", "units", "places", "organisations"]})
    at_least = fields.Float(required=True)
    at_most = fields.Float(required=True, allow_none=True)
    actual = fields.Float(required=True, allow_none=True, metadata={
        "description": "The figure reached; null when nothing can be counted yet (no "
                       "report, nothing due)."})
    met = fields.Boolean(required=True)
    details = fields.Dict(required=True, metadata={
        "description": "How it was counted: per unit (`units`, `unplaced`, `by_unit`), due "
                       "and re-rated, or the report (`count`, `of`, `reported_on`)."})


class ProgressSchema(PlanHeadingSchema):
    """A plan's targets beside the actual figures on the day."""

    as_of = fields.String(required=True, metadata={"format": "date"})
    targets = fields.List(fields.Nested(ProgressLineSchema), required=True)


def Counts(description):
    return fields.Dict(keys=fields.String(), values=fields.Integer(), required=True,
                       metadata={"description": description})


class StatisticsSchema(BaseSchema):
    """The programme's figures from the read model on the day."""

    province_code = fields.String(required=True, allow_none=True)
    as_of = fields.String(required=True, metadata={"format": "date"})
    products = fields.Integer(required=True, metadata={
        "description": "Products the events have named (filed, proposed, evaluated, "
                       "certified or imported)."})
    by_stage = Counts("Products by stage in the cycle.")
    certified = fields.Integer(required=True, metadata={
        "description": "Products with a certificate in force."})
    by_province = Counts("Certified products by province code.")
    by_commune = Counts("Certified products by commune code.")
    by_category = Counts("Certified products by product set (bộ sản phẩm).")
    by_sector = Counts("Certified products by sector (ngành).")
    by_stars = Counts("Certified products by stars.")
    by_level = Counts("Certified products by level (`province`, `central`).")
    by_year = Counts("Certificates issued by year (Vietnam date of issue), each once "
                     "whatever became of it.")
    stars_by_category = fields.Dict(keys=fields.String(), values=fields.Dict(
        keys=fields.String(), values=fields.Integer()), required=True)
