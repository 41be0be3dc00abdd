"""What certification takes and returns."""
from marshmallow import ValidationError, fields, validate, validates_schema

from chassis.provinces import COMMUNES, PROVINCES, commune_in_province
from chassis.schemas import BaseSchema
from services.certification.promotion import OUTLET_KINDS
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


# Trade promotion (step 6, ``promotion``) ----------------------------------------------------

def Name(description):
    return fields.String(required=True, validate=validate.Length(
        min=2, max=200, error="Từ 2 đến 200 ký tự / 2 to 200 characters."),
        metadata={"description": description})


def ProvinceCode(description):
    return fields.String(required=True, validate=validate.OneOf(
        PROVINCES, error="Mã tỉnh không có trong 34 đơn vị cấp tỉnh hiện hành / "
                         "Not one of the 34 current province codes."),
        metadata={"description": description})


def current_commune(code):
    if code not in COMMUNES:
        raise ValidationError("Mã xã không có trong 3.321 đơn vị cấp xã hiện hành / "
                              "Not one of the 3,321 current commune codes.")


def CommuneCode(description, **kwargs):
    """Checked against the 3,321 current communes, described by its pattern: an enum of
    them all would weigh on every reader of the API's document."""
    return fields.String(validate=[validate.Regexp(r"^\d{5}$"), current_commune],
                         metadata={"description": f"{description}, five digits, e.g. 30406 "
                                                  "(Xã Phú Tân, An Giang)"}, **kwargs)


class PlacedInProvince(BaseSchema):
    """A place whose commune, when given, must lie in its province."""

    @validates_schema
    def commune_in_its_province(self, data, **kwargs):
        commune, province = data.get("commune_code"), data.get("province_code")
        if commune and province and not commune_in_province(commune, province):
            raise ValidationError("Xã không thuộc tỉnh đã khai / "
                                  "The commune is not in the given province", "commune_code")


class NewPointOfSaleSchema(PlacedInProvince):
    """A point of sale or showroom of OCOP products (điểm bán, điểm trưng bày, giới thiệu và
    bán sản phẩm OCOP) that has opened, as the province's OCOP office records it."""

    name = Name("Its name, e.g. `Trung tâm OCOP Châu Đốc`.")
    kind = fields.String(required=True, validate=validate.OneOf(list(OUTLET_KINDS)), metadata={
        "enum": list(OUTLET_KINDS), "description": "; ".join(
            f"`{k}`: {vi} / {en}" for k, (vi, en) in OUTLET_KINDS.items())})
    province_code = ProvinceCode("Its province (current code)")
    commune_code = CommuneCode("Its commune or ward (current code)", required=True)
    street = fields.String(load_default=None, allow_none=True, validate=validate.Length(
        max=200), metadata={"description": "Số nhà, đường / House and street"})
    opened_on = fields.Date(required=True, metadata={
        "description": "The day it opened (Vietnam date), not in the future."})
    operator = Name("Who runs it: the office, a cooperative, an enterprise.")


class PromotedProductSchema(BaseSchema):
    """A certified product to promote at a point of sale or a fair."""

    product_id = fields.String(required=True, validate=validate.Length(min=1, max=128))


class PlacedProductSchema(BaseSchema):
    product_id = fields.String(required=True)
    product_name = fields.String(required=True)
    producer_id = fields.String(required=True)
    producer_name = fields.String(required=True)
    certificate_code = fields.String(required=True, metadata={
        "description": "Its certificate when it was added."})
    since = fields.String(required=True, metadata={"format": "date-time"})


class PointOfSaleSchema(BaseSchema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": list(OUTLET_KINDS)})
    province_code = fields.String(required=True)
    commune_code = fields.String(required=True)
    street = fields.String(required=True, allow_none=True)
    opened_on = fields.String(required=True, metadata={"format": "date"})
    operator = fields.String(required=True)
    created_at = fields.String(required=True, metadata={"format": "date-time"})
    products = fields.List(fields.Nested(PlacedProductSchema), metadata={
        "description": "The certified products it carries now (on a single point of sale, "
                       "not in the list)."})


class NewFairSchema(PlacedInProvince):
    """A fair or trade event (hội chợ, sự kiện xúc tiến thương mại) where certified products
    are shown."""

    name = Name("Its name, e.g. `Hội chợ OCOP An Giang 2026`.")
    province_code = ProvinceCode("The province it is held in (current code)")
    commune_code = CommuneCode("The commune or ward it is held in", load_default=None,
                               allow_none=True)
    venue = fields.String(required=True, validate=validate.Length(
        min=2, max=300, error="Từ 2 đến 300 ký tự / 2 to 300 characters."),
        metadata={"description": "Where: the venue's name and address."})
    starts_on = fields.Date(required=True, metadata={"description": "First day (Vietnam)."})
    ends_on = fields.Date(required=True, metadata={"description": "Last day (Vietnam), not "
                                                                  "before the first."})

    @validates_schema
    def ends_after_it_starts(self, data, **kwargs):
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise ValidationError("Ngày kết thúc trước ngày bắt đầu / "
                                  "The last day is before the first", "ends_on")


class ParticipantSchema(BaseSchema):
    producer_id = fields.String(required=True)
    producer_name = fields.String(required=True)


class FairSchema(BaseSchema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    province_code = fields.String(required=True)
    commune_code = fields.String(required=True, allow_none=True)
    venue = fields.String(required=True)
    starts_on = fields.String(required=True, metadata={"format": "date"})
    ends_on = fields.String(required=True, metadata={"format": "date"})
    created_at = fields.String(required=True, metadata={"format": "date-time"})
    products = fields.List(fields.Nested(PlacedProductSchema), metadata={
        "description": "The certified products shown (on a single fair, not in the list)."})
    producers = fields.List(fields.Nested(ParticipantSchema), metadata={
        "description": "The participating producers: those whose products are shown."})


class NewListingSchema(BaseSchema):
    """An e-commerce listing (gian hàng trên sàn thương mại điện tử) of a certified product."""

    platform = fields.String(required=True, validate=validate.Length(
        min=2, max=100, error="Từ 2 đến 100 ký tự / 2 to 100 characters."), metadata={
        "description": "The platform, e.g. `Shopee`, `postmart.vn`, `Voso`."})
    url = fields.Url(required=True, schemes={"http", "https"}, require_tld=True,
                     validate=validate.Length(max=2000), error_messages={
                         "invalid": "Phải là địa chỉ http(s) đầy đủ / Not a valid http(s) URL."},
                     metadata={"description": "The product's page on it: an http or https "
                                              "address, at most 2,000 characters."})


class ListingSchema(BaseSchema):
    id = fields.String(required=True)
    platform = fields.String(required=True)
    url = fields.String(required=True)
    certificate_code = fields.String(required=True)
    since = fields.String(required=True, metadata={"format": "date-time"})


class OutletPlaceSchema(BaseSchema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": list(OUTLET_KINDS)})
    province_code = fields.String(required=True)
    since = fields.String(required=True, metadata={"format": "date-time"})


class FairPlaceSchema(BaseSchema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    province_code = fields.String(required=True)
    starts_on = fields.String(required=True, metadata={"format": "date"})
    ends_on = fields.String(required=True, metadata={"format": "date"})


class ProductPlacesSchema(BaseSchema):
    """Where a certified product is promoted now: its points of sale and showrooms, the
    fairs it was shown at, its e-commerce listings."""

    product_id = fields.String(required=True)
    points_of_sale = fields.List(fields.Nested(OutletPlaceSchema), required=True)
    fairs = fields.List(fields.Nested(FairPlaceSchema), required=True)
    listings = fields.List(fields.Nested(ListingSchema), required=True)
