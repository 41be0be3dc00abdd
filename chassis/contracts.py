"""Event contracts: the marshmallow schemas of each event's ``data``, shared by the
publishing service (``validated`` before an event is written to the outbox) and by the
AsyncAPI catalogue (``python -m scripts.asyncapi`` → ``docs/asyncapi.yaml``).

Each publishing service declares its events in ``services/<name>/contracts.py``::

    PUBLISHED = {"product.submitted": ProductSubmittedSchema}

The key is the event's short name: its routing key on ``<service>.events`` and the middle
of its CloudEvents ``type`` (``vn.gov.ocop.product.submitted.v1``).
"""
import json
from datetime import datetime

from marshmallow import INCLUDE, RAISE, ValidationError, fields, validate

from chassis import correlation
from chassis.events import new_event
from chassis.schemas import BaseSchema


class ContractViolation(ValidationError):
    """Event data that does not match its published contract: a programming error in the
    publisher. It is a marshmallow ValidationError, so an event handler that trips over it
    dead-letters the message at once (``chassis.handlers.PERMANENT_ERRORS``) instead of
    retrying something that can never succeed."""

    def __init__(self, schema_cls, messages):
        self.schema_name = schema_cls.__name__
        super().__init__(messages)

    def __str__(self):
        return f"{self.schema_name}: event data breaks its contract: {self.messages}"


class EventDataSchema(BaseSchema):
    """Base of every event ``data`` schema.

    Consumers must tolerate fields they do not know: a compatible change ADDS fields and
    keeps the event's ``type`` (``….v1``); only an incompatible change (removing, renaming
    or retyping a field, narrowing an enum) makes a ``….v2``. So these schemas INCLUDE
    unknown fields when loading (BaseSchema would RAISE, as is right for API input), and
    the AsyncAPI document says ``additionalProperties: true``. ``validated`` below is the
    strict side: a publisher may only send what its contract declares.
    """

    class Meta:
        unknown = INCLUDE


def validated(schema_cls, data):
    """Check ``data`` against ``schema_cls`` before it is published; return it unchanged.

    Raises ContractViolation when a required field is missing, a field has the wrong type
    or value, a field is not declared in the contract (publishers are strict even though
    consumers are tolerant: add the field to the contract first; nested objects stay
    tolerant), or the data cannot be encoded as JSON.
    """
    try:
        json.loads(json.dumps(data, ensure_ascii=False, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise ContractViolation(schema_cls, {"_schema": [f"not JSON data: {exc}"]}) from None
    errors = schema_cls(unknown=RAISE).validate(data)
    if errors:
        raise ContractViolation(schema_cls, errors)
    return data


def event_factory(service, published):
    """``make_event(name, subject, data)`` for ``service``: a new event whose data keeps
    the contract ``published[name]``, checked before it reaches the outbox."""
    def make_event(name, subject, data):
        event = new_event(service, name, subject, validated(published[name], data))
        if correlation.current():
            event[correlation.ATTRIBUTE] = correlation.current()
        return event
    return make_event


# Field builders shared by the services' contracts -------------------------------------

def _rfc3339(value):
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        return False
    return "T" in value and moment.tzinfo is not None


def Identifier(description, **kwargs):
    """An opaque identifier. Subscribers must not parse it (today most are UUIDs)."""
    return fields.String(required=True, validate=validate.Length(min=1, max=128),
                         metadata={"description": description}, **kwargs)


def Text(description, max_length=200, **kwargs):
    return fields.String(required=True, validate=validate.Length(min=1, max=max_length),
                         metadata={"description": description}, **kwargs)


def ProvinceCode(**kwargs):
    # A pattern, not an enum: the list of provinces changed on 1 July 2025 and may change
    # again, which must not force a new event version on every subscriber.
    return fields.String(required=True, validate=validate.Regexp(r"^\d{2}$"), metadata={
        "description": "Province code (mã đơn vị hành chính cấp tỉnh), two digits, one of "
                       "the 34 provincial units since 1 July 2025, e.g. `91` (An Giang)."},
        **kwargs)


def CommuneCode(description="The producer's commune or ward; null when not recorded.",
                required=False):
    """Optional unless said: added to events already published (a compatible change), and a
    producer may have registered without one."""
    return fields.String(required=required, allow_none=True, validate=validate.Regexp(
        r"^\d{5}$"), metadata={
        "description": f"{description} Commune code (mã đơn vị hành chính cấp xã), five "
                       "digits, e.g. `30406` (Xã Phú Tân, An Giang)."})


def CategoryCode(**kwargs):
    return fields.String(required=True, validate=validate.Regexp(r"^\d{2}$"), metadata={
        "description": "Criteria set / product group (bộ sản phẩm) of Decision 26/2026 "
                       "Annex I, two digits, e.g. `03`."}, **kwargs)


class _JsonNumber(fields.Float):
    """A JSON number: marshmallow's Float would also take the string ``"72.5"``."""

    def _validated(self, value):
        if isinstance(value, (str, bytes)):
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


class _JsonBoolean(fields.Boolean):
    """A JSON boolean: marshmallow's Boolean would also take ``"yes"``, ``1`` or ``"on"``."""

    def _deserialize(self, value, attr, data, **kwargs):
        if value is not True and value is not False:
            raise self.make_error("invalid", input=value)
        return value


def Number(description, **kwargs):
    return _JsonNumber(required=True, allow_nan=False, metadata={"description": description},
                       **kwargs)


def Flag(description, **kwargs):
    return _JsonBoolean(required=True, metadata={"description": description}, **kwargs)


def Stars(**kwargs):
    return fields.Integer(required=True, strict=True, validate=validate.Range(1, 5), metadata={
        "description": "OCOP rating (hạng sao), 1 to 5 stars; 3★ and above are recognised."},
        **kwargs)


class _Rfc3339(validate.Validator):
    error = "Not an RFC 3339 timestamp with a time zone."

    def __call__(self, value):
        if not _rfc3339(value):
            raise ValidationError(self.error)
        return value


def Timestamp(description, **kwargs):
    """An RFC 3339 timestamp in UTC, as the services store and exchange them."""
    return fields.String(required=True, validate=_Rfc3339(),
                         metadata={"description": description, "format": "date-time"},
                         **kwargs)
