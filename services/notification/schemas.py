"""What notification takes and returns."""
from marshmallow import fields, validate

from chassis.schemas import BaseSchema, Timestamp
from services.notification.templates import LANGUAGES


class TextSchema(BaseSchema):
    vi = fields.String(required=True)
    en = fields.String(required=True)


class MessageSchema(BaseSchema):
    id = fields.String(required=True)
    recipient = fields.String(required=True, metadata={
        "description": "The inbox: producer:<id>, commune:<code>, province:<code>, "
                       "council:<council>, central or agency:<subject>"})
    event_type = fields.String(required=True)
    subject = fields.String(required=True)
    text = fields.Nested(TextSchema, required=True)
    created_at = Timestamp(required=True)
    read = fields.Boolean(required=True)
    read_at = Timestamp(allow_none=True)


class UnreadSchema(BaseSchema):
    recipient = fields.String(required=True)
    unread = fields.Integer(required=True)


class MailContactSchema(BaseSchema):
    """Where a recipient's e-mail goes, and in which language."""

    email = fields.Email(required=True, validate=validate.Length(max=254))
    language = fields.String(load_default="vi", validate=validate.OneOf(LANGUAGES))


class MailContactViewSchema(MailContactSchema):
    recipient = fields.String(required=True)


class NewEndpointSchema(BaseSchema):
    url = fields.String(required=True, validate=validate.Length(min=1, max=2000), metadata={
        "description": "https URL that receives the deliveries; it must resolve to public "
                       "addresses"})
    types = fields.List(fields.String(), metadata={
        "description": "Event type short names, e.g. certificate.issued; all when empty"})
    provinces = fields.List(fields.String(validate=validate.Regexp(r"^\d{2}$")), metadata={
        "description": "Province codes; all (or the agency's own) when empty"})


class EndpointSchema(BaseSchema):
    id = fields.String(required=True)
    owner = fields.String(required=True)
    url = fields.String(required=True)
    types = fields.List(fields.String(), required=True)
    provinces = fields.List(fields.String(), required=True)
    enabled = fields.Boolean(required=True)
    disabled_reason = fields.String(allow_none=True)
    disabled_at = Timestamp(allow_none=True)
    created_at = Timestamp(required=True)
    secret = fields.String(metadata={
        "description": "whsec_…: shown when created and when rotated, never again"})


class AttemptSchema(BaseSchema):
    attempt = fields.Integer(required=True)
    at = Timestamp(required=True)
    status_code = fields.Integer(allow_none=True, metadata={
        "description": "The endpoint's HTTP status; null when it gave no answer"})
    latency_ms = fields.Integer(required=True)
    error = fields.String(allow_none=True)


class DeliverySchema(BaseSchema):
    id = fields.String(required=True)
    event_id = fields.String(required=True)
    event_type = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(
        ["pending", "delivered", "failed"]))
    created_at = Timestamp(required=True)
    attempts = fields.List(fields.Nested(AttemptSchema), required=True)
    next_attempt_at = Timestamp(allow_none=True)


class ReplaySchema(BaseSchema):
    """A time range of deliveries to send again: from (included) to (excluded)."""

    from_ = fields.AwareDateTime(required=True, data_key="from")
    to = fields.AwareDateTime(required=True)


class ReplayedSchema(BaseSchema):
    replayed = fields.Integer(required=True)


class FeedPageSchema(BaseSchema):
    events = fields.List(fields.Dict(), required=True, metadata={
        "description": "CloudEvents 1.0 (structured), oldest first"})
    next = fields.String(required=True, metadata={
        "description": "The cursor to pass as `after` for what comes next"})
