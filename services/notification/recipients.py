"""Who is told what: the one table event type → recipients → channels → template.

Recipients are ROLES IN A SCOPE, never people named in a token: an inbox belongs to a
recipient key, and whoever holds the role in that scope reads it (``chassis.identity.
in_scope`` decides, through the gateway's policy):

- ``producer:<producer id>`` — the producer (chủ thể OCOP), its commune and province;
- ``commune:<commune code>`` — the commune's OCOP officer (cán bộ OCOP cấp xã);
- ``province:<province code>`` — the province's OCOP office (cơ quan tham mưu cấp tỉnh);
- ``council:<council>`` — the members of the council concerned (``province-91``, ``central``);
- ``central`` — the ministry's OCOP office (Bộ Nông nghiệp và Môi trường);
- ``agency:<subject>`` — an agency (cơ quan nhà nước khác), about its own subscriptions.

Agencies are also told of every event they subscribed to, by webhook (``webhooks.py``) and
in the feed (``feed.py``): that column of the table holds for every event type and is not
repeated in each row.

The procedure behind the rows: Decision 26/2026 Art. 4 (the cycle: ideas, plans, the
dossier, provincial and central evaluation), Art. 7 (who does what at each level, the
commune's 15 working days, a central result handed back), Art. 8 (revocation) and Art. 4.3,
7.6, 12.3 (validity, re-rating, expiry); trade promotion is step 6 of the cycle (OCOP.md §2).

A new event type is told to people by adding its row here (and its texts in
``templates.py``); notification consumes every event its publishers declare, so nothing
else changes.
"""
from dataclasses import dataclass

from chassis.provinces import COMMUNES, PROVINCES

INBOX, EMAIL, WEBHOOK = "inbox", "email", "webhook"
CHANNELS = (INBOX, EMAIL, WEBHOOK)
PERSONAL_CHANNELS = (INBOX, EMAIL)  # where a person reads; agencies' events go by webhook

PRODUCER, COMMUNE, PROVINCE, COUNCIL, CENTRAL, AGENCY = (
    "producer", "commune", "province", "council", "central", "agency")
KINDS = (PRODUCER, COMMUNE, PROVINCE, COUNCIL, CENTRAL, AGENCY)


def handed_back(data):
    """A central result below 5★ that the ministry's council handed back to the province,
    whose chair recognises 3★/4★ on it or orders its own evaluation (Art. 7.4.g)."""
    return data.get("council_level") == "central" and data.get("level") == "province"


def not_handed_back(data):
    return not handed_back(data)


@dataclass(frozen=True)
class Notice:
    """One row's line: whom (a recipient kind), by which channels, with which template;
    ``when``, if given, says which of the event's data it applies to. Two lines of a row
    to one recipient kind must never both apply (one key per event, recipient, channel)."""

    recipient: str
    template: str
    channels: tuple = PERSONAL_CHANNELS
    when: object = None

    def applies(self, data):
        return self.when is None or self.when(data)


NOTICES = {
    # Steps 2–3 (Art. 4.1): the commune decides on ideas and business plans.
    "idea.accepted": (
        Notice(PRODUCER, "idea_accepted"),),
    "idea.returned": (
        Notice(PRODUCER, "idea_returned"),),
    "plan.accepted": (
        Notice(PRODUCER, "plan_accepted"),),
    "plan.returned": (
        Notice(PRODUCER, "plan_returned"),),
    # The dossier (Art. 7.1–7.3.a): filed with the commune, which has 15 working days (and
    # is reminded when they are nearly up); returned by the commune or the province;
    # forwarded to the province, which proposes it.
    "dossier.submitted": (
        Notice(COMMUNE, "dossier_to_commune"),),
    "dossier.deadline_approaching": (
        Notice(COMMUNE, "deadline_approaching_to_commune"),),
    "dossier.returned": (
        Notice(PRODUCER, "dossier_returned"),),
    "dossier.forwarded": (
        Notice(PRODUCER, "dossier_forwarded"),
        Notice(PROVINCE, "dossier_to_province")),
    "product.submitted": (
        Notice(PRODUCER, "submitted"),
        Notice(PROVINCE, "submitted_to_province")),
    "evaluation.opened": (
        Notice(PRODUCER, "opened"),
        Notice(COUNCIL, "awaiting_sheets")),
    "evaluation.review_requested": (
        Notice(PRODUCER, "review_requested"),
        Notice(PROVINCE, "review_requested_to_province")),
    "evaluation.rejected": (
        Notice(PRODUCER, "rejected"),
        Notice(PROVINCE, "rejected_to_province")),
    # A potential 5★ waits for the provincial chair's approval (Art. 7.3.e), which forwards
    # it to the ministry, or does not.
    "evaluation.approval_requested": (
        Notice(PRODUCER, "awaiting_approval"),
        Notice(PROVINCE, "approval_requested_to_province")),
    "evaluation.approval_refused": (
        Notice(PRODUCER, "not_approved"),
        Notice(PROVINCE, "not_approved_to_province")),
    "evaluation.forwarded": (
        Notice(PRODUCER, "forwarded"),
        Notice(CENTRAL, "forwarded_to_ministry")),
    "evaluation.completed": (
        Notice(PRODUCER, "completed"),
        Notice(PROVINCE, "result_to_province", when=not_handed_back),
        Notice(PROVINCE, "handed_back_to_province", when=handed_back)),
    # Certificates (Art. 4.3, 7.6, 8, 12.3): issue, replacement, revocation, and the daily
    # timer's milestones — 180, 120 and 30 days before expiry, and expiry.
    "certificate.issued": (
        Notice(PRODUCER, "issued"),
        Notice(PROVINCE, "issued_to_province")),
    "certificate.superseded": (
        Notice(PRODUCER, "superseded"),),
    "certificate.revoked": (
        Notice(PRODUCER, "revoked"),),
    "certificate.renewal_window_opened": (
        Notice(PRODUCER, "renewal_window_opened"),),
    "certificate.renewal_closing": (
        Notice(PRODUCER, "renewal_closing"),),
    "certificate.expiring": (
        Notice(PRODUCER, "expiring"),),
    "certificate.expired": (
        Notice(PRODUCER, "expired"),),
    # Trade promotion (step 6): a product whose certificate ended is withdrawn from where
    # it was promoted as OCOP.
    "promotion.withdrawn": (
        Notice(PRODUCER, "withdrawn"),),
    "webhook.endpoint_disabled": (
        Notice(AGENCY, "endpoint_disabled"),),
}


def notices_of(event_name):
    return NOTICES.get(event_name, ())


def recipient_key(kind, data, directory):
    """The inbox a ``kind`` of recipient of an event with ``data`` reads, or None when the
    event does not say (nor the product directory, ``directory``: product id → what
    earlier events said of it)."""
    known = {**directory.get(data.get("product_id"), {}), **data}
    if kind == PRODUCER:
        return _key(PRODUCER, known.get("producer_id"))
    if kind == COMMUNE:
        return _key(COMMUNE, known.get("commune_code"))
    if kind == PROVINCE:
        return _key(PROVINCE, known.get("province_code"))
    if kind == COUNCIL:
        return _key(COUNCIL, council_of(known))
    if kind == CENTRAL:
        return CENTRAL
    if kind == AGENCY:
        return _key(AGENCY, known.get("owner"))
    raise ValueError(f"unknown recipient kind {kind!r}")


def council_of(data):
    """The council an evaluation event concerns: ``central`` or ``province-<code>``."""
    if data.get("level") == "central":
        return "central"
    return f"province-{data['province_code']}" if data.get("province_code") else None


def _key(kind, value):
    return f"{kind}:{value}" if value else None


@dataclass(frozen=True)
class Recipient:
    """A recipient key read: its kind and the scope it names."""

    kind: str
    value: str | None = None

    @property
    def province(self):
        """The province a commune's or a province's key lies in."""
        if self.kind == PROVINCE:
            return self.value
        if self.kind == COMMUNE:
            return COMMUNES[self.value][1]
        return None


def parse(key):
    """The ``Recipient`` a key names; None when it is not one (an unknown kind, a commune
    or province code that does not exist, an empty scope)."""
    if not isinstance(key, str):
        return None
    if key == CENTRAL:
        return Recipient(CENTRAL)
    kind, _, value = key.partition(":")
    if kind not in KINDS or kind == CENTRAL or not value or len(value) > 128:
        return None
    if kind == COMMUNE and value not in COMMUNES:
        return None
    if kind == PROVINCE and value not in PROVINCES:
        return None
    return Recipient(kind, value)
