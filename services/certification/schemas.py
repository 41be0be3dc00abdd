"""What certification takes and returns."""
from marshmallow import fields, validate

from chassis.schemas import BaseSchema
from services.certification.revocation import GROUNDS

STATUSES = ["valid", "superseded", "expired", "revoked"]


def Reference(description):
    return fields.String(required=True, validate=validate.Length(min=1, max=100),
                         metadata={"description": description})


class RecognitionSchema(BaseSchema):
    """The competent authority's recognition decision (quyết định công nhận) on a completed
    result: the province's chair for 3★/4★, the minister for 5★."""

    reference = Reference("The decision's reference (số quyết định), e.g. `1234/QĐ-UBND`.")
    date = fields.Date(required=True, metadata={
        "description": "The decision's date (Vietnam), the certificate's day of issue: not "
                       "in the future."})


class RevocationSchema(BaseSchema):
    """A revocation decision (quyết định thu hồi, Decision 26/2026 Art. 8)."""

    ground = fields.String(required=True, validate=validate.OneOf(list(GROUNDS)), metadata={
        "description": "The ground of Art. 8.1: " + "; ".join(
            f"`{code}` ({en})" for code, (vi, en) in GROUNDS.items()) + "."})
    finding_reference = Reference("The finding's reference: the competent authority's "
                                  "conclusion or the commune's confirmation (Art. 8.4).")
    finding_date = fields.Date(required=True, metadata={
        "description": "The finding's date; revocation is due within 15 days of it."})


class DecisionViewSchema(BaseSchema):
    reference = fields.String(required=True)
    date = fields.String(required=True, metadata={"format": "date"})


class RevocationViewSchema(BaseSchema):
    ground = fields.String(required=True)
    finding_reference = fields.String(required=True)
    finding_date = fields.String(required=True, metadata={"format": "date"})
    due_on = fields.String(required=True, metadata={"format": "date"})
    revoked_on = fields.String(required=True, metadata={"format": "date"})
    late = fields.Boolean(required=True, metadata={
        "description": "Revoked more than 15 days after the finding."})


class ReRatingViewSchema(BaseSchema):
    evaluation_id = fields.String(required=True)
    filed_on = fields.String(required=True, metadata={"format": "date"})
    late = fields.Boolean(required=True, metadata={
        "description": "Filed after the window closed (Art. 12.3): the certificate stays "
                       "valid until the decision, at most 180 days past expiry."})
    decision_due_on = fields.String(required=True, metadata={"format": "date"})
    decided_on = fields.String(required=True, allow_none=True, metadata={"format": "date"})


class VerificationSchema(BaseSchema):
    """The public answer to "is this OCOP certificate genuine and in force?"."""

    code = fields.String(required=True)
    product_id = fields.String(required=True)
    product_code = fields.String(required=True, allow_none=True)
    product_name = fields.String(required=True)
    producer_name = fields.String(required=True)
    category = fields.String(required=True)
    province_code = fields.String(required=True)
    commune_code = fields.String(allow_none=True, metadata={
        "description": "The producer's commune or ward (xã, phường); null on certificates "
                       "issued before it was recorded."})
    stars = fields.Integer(required=True)
    score = fields.Float(required=True)
    level = fields.String(required=True)
    rule_version = fields.String(required=True)
    recognition = fields.Nested(DecisionViewSchema, required=True)
    issued_on = fields.String(required=True, metadata={"format": "date"})
    expires_on = fields.String(required=True, metadata={"format": "date"})
    valid_until = fields.String(required=True, metadata={
        "format": "date", "description": "The first day it is no longer valid by the "
                                         "calendar: `expires_on`, or later under a late "
                                         "re-rating."})
    status = fields.String(required=True, metadata={"enum": STATUSES})
    superseded_by = fields.String(required=True, allow_none=True, metadata={
        "description": "The number of the later certificate of the same product (an upgrade "
                       "or re-rating) that replaced this one; null unless superseded."})
    gtin = fields.String(metadata={
        "description": "The product's Global Trade Item Number, when its data has one."})
    revocation = fields.Nested(RevocationViewSchema, required=True, allow_none=True)
    re_rating = fields.Nested(ReRatingViewSchema, required=True, allow_none=True)
