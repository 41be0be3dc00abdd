"""The events notification publishes, on the topic exchange ``notification.events``.

Each schema describes the event's ``data``; the envelope is CloudEvents 1.0
(``chassis.events``). ``docs/asyncapi.yaml`` is generated from ``PUBLISHED``. They report
what left the platform (e-mail, webhooks); inbox items are written when the event is
handled and are not reported. No e-mail address travels in them.
"""
from marshmallow import fields, validate

from chassis.contracts import EventDataSchema, Identifier, Text, Timestamp

CHANNELS = ("email", "webhook")


class DeliverySchema(EventDataSchema):
    """What every delivery event says (not published on its own)."""

    delivery_id = Identifier("The delivery: one per event, recipient and channel.")
    event_id = Identifier("The `id` of the CloudEvent delivered.")
    event_type = Text("The `type` of the CloudEvent delivered.", max_length=200)
    recipient = Text("Who: a recipient key (`producer:<id>`, `province:<code>`, "
                     "`council:<council>`, `central`, `agency:<subject>`…), never an "
                     "address.", max_length=200)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS), metadata={
        "description": "`email` or `webhook`."})
    endpoint_id = fields.String(allow_none=True, metadata={
        "description": "The webhook endpoint; null for e-mail."})
    attempts = fields.Integer(required=True, strict=True, validate=validate.Range(min=1),
                              metadata={"description": "Attempts made, this one included."})


class NotificationDeliveredSchema(DeliverySchema):
    """A notification was accepted by its recipient's mail server or webhook endpoint."""

    delivered_at = Timestamp("When it was accepted, UTC.")


class NotificationFailedSchema(DeliverySchema):
    """A notification could not be delivered: its retry schedule is spent, its endpoint
    answered 410 Gone or was disabled."""

    failed_at = Timestamp("When it was given up, UTC.")
    reason = Text("Why, as the last attempt ended.", max_length=2000)


class EndpointDisabledSchema(EventDataSchema):
    """An agency's webhook endpoint was disabled: it answered 410 Gone, or a delivery
    failed for the whole retry schedule. Its owner is told; nothing is sent to it until
    the owner enables it again."""

    endpoint_id = Identifier("The endpoint.")
    owner = Text("The agency that registered it (its account's subject).", max_length=200)
    url = Text("The endpoint's URL.", max_length=2000)
    reason = Text("Why it was disabled.", max_length=2000)
    disabled_at = Timestamp("When, UTC.")


PUBLISHED = {
    "notification.delivered": NotificationDeliveredSchema,
    "notification.failed": NotificationFailedSchema,
    "webhook.endpoint_disabled": EndpointDisabledSchema,
}
# Published for agencies' own queues only: no part of the platform consumes them, so with
# no agency subscribed they have nowhere to go, and the relay publishes them without
# ``mandatory`` (chassis/outbox.py). tests/unit/test_outbox_routes.py keeps every other event
# of every service bound to a platform consumer.
SUBSCRIBERS_ONLY = ("notification.delivered", "notification.failed")
