"""The events certification publishes, on the topic exchange ``certification.events``.

Each schema describes the event's ``data``; the envelope is CloudEvents 1.0
(``chassis.events``). ``docs/asyncapi.yaml`` is generated from ``PUBLISHED``.
Dates of the programme (issue, expiry, deadlines) are Vietnam calendar dates
(Asia/Ho_Chi_Minh), ``YYYY-MM-DD``.
"""
from marshmallow import fields, validate

from chassis.contracts import CategoryCode, CommuneCode, EventDataSchema, Flag, Identifier, \
    Number, ProvinceCode, Stars, Text, Timestamp
from services.certification.promotion import OUTLET_KINDS, PLACE_KINDS, WITHDRAWAL_REASONS
from services.certification.revocation import GROUNDS

CODE = r"^OCOP-(\d{2}|TW)-\d{4}-\d{5}$"


def CertificateCode(description):
    return fields.String(required=True, validate=validate.Regexp(CODE),
                         metadata={"description": f"{description} The number (số giấy chứng "
                                                  "nhận) names the issuing authority — a "
                                                  "province's code, or `TW` for the ministry "
                                                  "— the year of the recognition decision and "
                                                  "the serial within both, e.g. "
                                                  "`OCOP-91-2026-00037`, `OCOP-TW-2026-00004`."})


def Day(description, **kwargs):
    return fields.Date(required=True, metadata={"description": description}, **kwargs)


class CertificateSchema(EventDataSchema):
    """What every certificate event says about the certificate (not published on its own)."""

    code = CertificateCode("The certificate's public number.")
    product_id = Identifier("The certified product (sản phẩm).")
    producer_id = Identifier("The producer (chủ thể OCOP) that owns the product.")
    province_code = ProvinceCode()
    stars = Stars()
    level = fields.String(required=True, validate=validate.OneOf(["province", "central"]),
                          metadata={"description": "Who recognised it: the `province` "
                                                   "(3★/4★, Chủ tịch UBND cấp tỉnh) or the "
                                                   "`central` level (5★, Bộ trưởng)."})
    expires_on = Day("The day it stops being valid (ngày hết hiệu lực): 36 months after "
                     "issue (Art. 4.3).")
    revision = fields.Integer(strict=True, validate=validate.Range(min=0), metadata={
        "description": "The certificate's revision once this event's change is made: "
                       "every change of what the public sees of it (issue, supersession, "
                       "revocation, expiry, a re-rating filed or decided) counts one; the "
                       "other milestones keep it (0 on a certificate issued before revisions "
                       "were counted). Of two events of one certificate, the higher revision "
                       "is the later state. Absent from events published before it was "
                       "added."})


class CertificateIssuedSchema(CertificateSchema):
    """A recognition certificate (giấy chứng nhận sản phẩm OCOP) was issued on the competent
    authority's recognition decision (quyết định công nhận), valid 36 months."""

    evaluation_id = Identifier("The evaluation whose result is certified.")
    product_code = fields.String(required=True, allow_none=True, metadata={
        "description": "The product's code (mã sản phẩm) when registration gave it one."})
    category = CategoryCode()
    score = Number("The council's score out of 100.", validate=validate.Range(0, 100))
    rule_version = Text("The rules the score was given under, e.g. `26/2026`.", max_length=32)
    recognition_reference = Text("The recognition decision's reference (số quyết định).",
                                 max_length=100)
    recognition_date = Day("The recognition decision's date; the certificate is issued on it.")
    issued_on = Day("The day of issue (ngày cấp).")
    renewal_opens_on = Day("The first day a re-rating may be filed (180 days before expiry, "
                           "Art. 7.6.a).")
    renewal_closes_on = Day("The last day a re-rating is filed on time (120 days before "
                            "expiry); a later filing keeps the certificate valid until its "
                            "decision, at most 180 days past expiry (Art. 12.3).")
    issued_at = Timestamp("When the certificate was recorded, UTC.")
    expires_at = Timestamp("The moment it stops being valid: the start of `expires_on` in "
                           "Vietnam, UTC.")


class CertificateSupersededSchema(CertificateSchema):
    """A later certificate of the same product (an upgrade or re-rating) replaced this one.

    A product holds at most one valid certificate: the superseded one is no longer valid,
    and public verification shows it as `superseded`."""

    superseded_by = CertificateCode("The number of the certificate that replaces it.")
    superseded_at = Timestamp("When it was superseded, UTC.")


class CertificateRevokedSchema(CertificateSchema):
    """The competent authority revoked the certificate (thu hồi giấy chứng nhận, Art. 8),
    the province's chair for 3★/4★, the minister for 5★."""

    ground = fields.String(required=True, validate=validate.OneOf(list(GROUNDS)), metadata={
        "description": "The ground of Art. 8.1: " + "; ".join(
            f"`{code}` ({en})" for code, (vi, en) in GROUNDS.items()) + "."})
    finding_reference = Text("The finding's reference: the competent authority's conclusion "
                             "or the commune's confirmation.", max_length=100)
    finding_date = Day("The finding's date.")
    due_on = Day("The last day for revocation: 15 days after the finding (Art. 8.4).")
    revoked_on = Day("The day of the revocation decision.")
    late = Flag("Whether it was revoked after `due_on`.")
    revoked_at = Timestamp("When it was revoked, UTC.")


class CertificateMilestoneSchema(CertificateSchema):
    """A milestone of the certificate's life, announced once on its day by the daily timer."""

    milestone_on = Day("The milestone's day.")
    renewal_opens_on = Day("The first day a re-rating may be filed (180 days before expiry).")
    renewal_closes_on = Day("The last day a re-rating is filed on time (120 days before "
                            "expiry).")
    valid_until = Day("The first day it is no longer valid: `expires_on`, or later while a "
                      "late re-rating awaits its decision (at most 180 days, Art. 12.3).")


class RenewalWindowOpenedSchema(CertificateMilestoneSchema):
    """The re-rating window opened: 180 days before expiry the producer may file (Art. 7.6.a)."""


class RenewalClosingSchema(CertificateMilestoneSchema):
    """The last day to file a re-rating on time: 120 days before expiry (Art. 7.6.a)."""


class ExpiringSchema(CertificateMilestoneSchema):
    """The certificate expires in 30 days."""


class ExpiredSchema(CertificateMilestoneSchema):
    """The certificate is no longer valid: 36 months have passed, and no late re-rating
    keeps it valid any longer (Art. 4.3, 12.3)."""


class ReRatingRecordedSchema(CertificateSchema):
    """A re-rating (đánh giá, phân hạng lại) of the certificate was filed, moved to the
    evaluation of a dossier filed again, or decided: what the certificate's public record
    now says of it. Filed late (Art. 12.3), it keeps the certificate valid until its
    decision, at most 180 days past expiry."""

    evaluation_id = Identifier("The re-rating's evaluation.")
    filed_on = Day("The day the re-rating was filed.")
    late = Flag("Whether it was filed after the window closed, before expiry (Art. 12.3).")
    decision_due_on = Day("The day its decision is due: 45 days after filing (Art. 7.6.g).")
    decided_on = Day("The day it was decided; null while it awaits its decision.",
                     allow_none=True)
    valid_until = Day("The first day the certificate is no longer valid by the calendar: "
                      "`expires_on`, or later while a late re-rating awaits its decision.")


# Trade promotion (step 6, ``promotion``) ----------------------------------------------------

class PointOfSaleRecordedSchema(EventDataSchema):
    """The province's OCOP office recorded a point of sale or showroom of OCOP products
    (điểm bán, điểm trưng bày sản phẩm OCOP) that has opened."""

    point_of_sale_id = Identifier("The point of sale.")
    name = Text("Its name.")
    kind = fields.String(required=True, validate=validate.OneOf(list(OUTLET_KINDS)), metadata={
        "description": "`point_of_sale` (điểm bán) or `showroom` (điểm trưng bày, giới "
                       "thiệu và bán)."})
    province_code = ProvinceCode()
    commune_code = CommuneCode("Its commune or ward.", required=True)
    opened_on = Day("The day it opened (Vietnam).")
    operator = Text("Who runs it.")


class PlaceSchema(EventDataSchema):
    """Where a product is promoted (not published on its own)."""

    kind = fields.String(required=True, validate=validate.OneOf(list(PLACE_KINDS)), metadata={
        "description": "`point_of_sale` (a point of sale or showroom), `fair` (a fair or "
                       "trade event) or `listing` (an e-commerce listing)."})
    id = Identifier("The point of sale, the fair, or the listing.")
    name = Text("The point of sale's or fair's name; the platform's for a listing.")
    province_code = fields.String(required=True, allow_none=True, validate=validate.Regexp(
        r"^\d{2}$"), metadata={"description": "The province of the point of sale or fair; "
                                               "null for a listing."})
    platform = fields.String(validate=validate.Length(min=1, max=100), metadata={
        "description": "A listing's e-commerce platform; absent for other places."})
    url = fields.String(validate=validate.Length(min=1, max=2000), metadata={
        "description": "A listing's address (http or https); absent for other places."})


class PromotionSchema(EventDataSchema):
    """What every promotion event says about the product (not published on its own); its
    ``province_code`` is the product's, the place's is in ``place``."""

    product_id = Identifier("The certified product (sản phẩm).")
    producer_id = Identifier("The producer (chủ thể OCOP) that owns the product.")
    province_code = ProvinceCode()
    name = Text("The product's name.")
    certificate_code = CertificateCode("The product's certificate when the change was made.")


def Place(description):
    return fields.Nested(PlaceSchema, required=True, metadata={"description": description})


class PromotionAddedSchema(PromotionSchema):
    """A certified product is promoted at a place: carried at a point of sale or showroom,
    shown at a fair, or listed on an e-commerce platform."""

    place = Place("Where it is promoted now.")
    added_at = Timestamp("When, UTC.")


class PromotionRemovedSchema(PromotionSchema):
    """A product is no longer promoted at a place: the office or the producer took it off
    (`taken_off`), or it was added as its certificate ended (`not_certified`)."""

    place = Place("Where it is no longer promoted.")
    reason = fields.String(required=True, validate=validate.OneOf(["taken_off",
                                                                    "not_certified"]),
                           metadata={"description": "`taken_off` or `not_certified`."})
    removed_at = Timestamp("When, UTC.")


class PromotionWithdrawnSchema(PromotionSchema):
    """The product's certificate was revoked or expired: the product was withdrawn from
    every point of sale, fair not yet over and e-commerce listing it was promoted at, once
    (a supersession withdraws nothing: the product stays certified)."""

    reason = fields.String(required=True, validate=validate.OneOf(list(WITHDRAWAL_REASONS)),
                           metadata={"description": "`revoked` or `expired`: what ended "
                                                    "`certificate_code`."})
    places = fields.List(fields.Nested(PlaceSchema), required=True,
                         validate=validate.Length(min=1),
                         metadata={"description": "Every place it was withdrawn from."})
    withdrawn_at = Timestamp("When, UTC.")


PUBLISHED = {
    "certificate.issued": CertificateIssuedSchema,
    "certificate.superseded": CertificateSupersededSchema,
    "certificate.revoked": CertificateRevokedSchema,
    "certificate.re_rating_recorded": ReRatingRecordedSchema,
    "certificate.renewal_window_opened": RenewalWindowOpenedSchema,
    "certificate.renewal_closing": RenewalClosingSchema,
    "certificate.expiring": ExpiringSchema,
    "certificate.expired": ExpiredSchema,
    "point_of_sale.recorded": PointOfSaleRecordedSchema,
    "promotion.added": PromotionAddedSchema,
    "promotion.removed": PromotionRemovedSchema,
    "promotion.withdrawn": PromotionWithdrawnSchema,
}
