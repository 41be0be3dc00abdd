"""What certification returns."""
from marshmallow import fields

from chassis.schemas import BaseSchema, Timestamp


class VerificationSchema(BaseSchema):
    """The public answer to "is this OCOP certificate genuine and in force?"."""

    code = fields.String(required=True)
    product_name = fields.String(required=True)
    producer_name = fields.String(required=True)
    category = fields.String(required=True)
    province_code = fields.String(required=True)
    commune_code = fields.String(allow_none=True, metadata={
        "description": "The producer's commune or ward (xã, phường); null on certificates "
                       "issued before it was recorded."})
    stars = fields.Integer(required=True)
    level = fields.String(required=True)
    rule_version = fields.String(required=True)
    issued_at = Timestamp(required=True)
    expires_at = Timestamp(required=True)
    status = fields.String(required=True, metadata={
        "enum": ["valid", "superseded", "expired", "revoked"]})
    superseded_by = fields.String(required=True, allow_none=True, metadata={
        "description": "The code of the later certificate of the same product (an upgrade "
                       "or re-rating) that replaced this one; null unless superseded."})
    gtin = fields.String(metadata={
        "description": "The product's Global Trade Item Number, when its data has one."})
