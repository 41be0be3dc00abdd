"""What notification returns."""
from marshmallow import fields

from chassis.schemas import BaseSchema, Timestamp


class TextSchema(BaseSchema):
    vi = fields.String(required=True)
    en = fields.String(required=True)


class MessageSchema(BaseSchema):
    id = fields.String(required=True)
    producer_id = fields.String(required=True)
    event_type = fields.String(required=True)
    subject = fields.String(required=True)
    text = fields.Nested(TextSchema, required=True)
    created_at = Timestamp(required=True)
    read = fields.Boolean(required=True)
