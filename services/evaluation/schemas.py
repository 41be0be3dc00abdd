"""What evaluation accepts and returns."""
from marshmallow import fields, validate

from chassis.schemas import BaseSchema, Timestamp, range_message
from services.evaluation.scoring import PART_MAXIMA


def part(maximum):
    return fields.Integer(required=True, strict=True, validate=validate.Range(
        0, maximum, error=range_message(0, maximum)))


class SheetSchema(BaseSchema):
    """One council member's score sheet, by part totals (Decision 26/2026 Annex II)."""

    member = fields.String(required=True, validate=validate.Regexp(
        r"^[A-Za-z0-9_-]{1,64}$",
        error="Mã thành viên gồm chữ, số, '-' hoặc '_' (tối đa 64) / "
              "Member id is letters, digits, '-' or '_' (at most 64)."))
    part_a = part(PART_MAXIMA["part_a"])
    part_b = part(PART_MAXIMA["part_b"])
    part_c = part(PART_MAXIMA["part_c"])


class EvaluationSchema(BaseSchema):
    id = fields.String(required=True)
    product_id = fields.String(required=True)
    producer_id = fields.String(required=True)
    category = fields.String(required=True)
    level = fields.String(required=True, metadata={"enum": ["province", "central"]})
    status = fields.String(required=True, metadata={"enum": ["open", "completed"]})
    rule_version = fields.String(required=True)
    sheets = fields.Dict(keys=fields.String(), values=fields.Dict())
    score = fields.Float(allow_none=True)
    stars = fields.Integer(allow_none=True)
    opened_at = Timestamp(required=True)
    completed_at = Timestamp(allow_none=True)


class CategorySchema(BaseSchema):
    code = fields.String(required=True)
    name = fields.Dict(required=True)
    sector = fields.Dict(required=True)
    group = fields.Dict()
    lead_ministry = fields.Dict()
