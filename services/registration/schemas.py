"""What registration accepts and returns."""
from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from chassis.schemas import BaseSchema, Timestamp
from services.registration import steps, submissions, tax_codes, units
from chassis.provinces import COMMUNES, PROVINCES, commune_in_province
from services.registration.producers import CATEGORIES, KINDS
from services.registration.stages import Stage


class ContactSchema(BaseSchema):
    email = fields.Email(required=True)
    phone = fields.String(required=True, validate=validate.Regexp(
        r"^\+?[0-9][0-9 .-]{7,18}$",
        error="Số điện thoại không hợp lệ / Not a valid phone number."))


def check_tax_code(value):
    try:
        tax_codes.checked(value)
    except tax_codes.InvalidTaxCode as invalid:
        raise ValidationError(str(invalid)) from None


def TaxCode(**kwargs):
    return fields.String(validate=check_tax_code, metadata={
        "description": "Mã số thuế: 10 chữ số (chữ số cuối là chữ số kiểm tra), hoặc thêm "
                       "'-NNN' cho đơn vị phụ thuộc / Tax code: 10 digits, the last a check "
                       "digit (Circular 105/2020/TT-BTC), or -NNN for a branch",
        "example": "0100109106"}, **kwargs)


class RepresentativeSchema(BaseSchema):
    """The producer's legal representative (người đại diện theo pháp luật)."""

    name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    position = fields.String(load_default=None, allow_none=True,
                             validate=validate.Length(max=100),
                             metadata={"example": "Giám đốc"})


class LegacyAddressSchema(BaseSchema):
    """Units as written before 1 July 2025 (63 provinces, districts, communes): mapped to
    the current province and commune where the data allows, and kept as written."""

    province = fields.String(required=True, validate=validate.Length(min=2, max=100),
                             metadata={"example": "Kiên Giang"})
    district = fields.String(load_default=None, allow_none=True,
                             validate=validate.Length(max=100),
                             metadata={"example": "Huyện Phú Quốc"})
    commune = fields.String(load_default=None, allow_none=True,
                            validate=validate.Length(max=100),
                            metadata={"example": "Xã Dương Tơ"})


class NewProducerSchema(BaseSchema):
    name = fields.String(required=True, validate=validate.Length(
        min=2, max=200, error="Tên từ 2 đến 200 ký tự / Name must be 2 to 200 characters."))
    kind = fields.String(required=True, validate=validate.OneOf(
        KINDS, error="Loại chủ thể phải là một trong {choices} / Kind must be one of {choices}."),
        metadata={"enum": list(KINDS), "description": "Decision 26/2026 Art. 2.3; "
                  "association and operating_centre only for community tourism (set 26)"})
    tax_code = TaxCode(required=True)
    legal_representative = fields.Nested(RepresentativeSchema, required=True)
    street = fields.String(load_default=None, allow_none=True,
                           validate=validate.Length(max=200),
                           metadata={"description": "Số nhà, đường, thôn, ấp / "
                                                    "House, street, hamlet"})
    province_code = fields.String(validate=validate.OneOf(
        PROVINCES, error="Mã tỉnh không có trong 34 đơn vị cấp tỉnh hiện hành / "
                         "Not one of the 34 current province codes."), metadata={
        "description": "Required unless legacy_address names the province"})
    commune_code = fields.String(validate=validate.OneOf(
        COMMUNES, error="Mã xã không có trong 3.321 đơn vị cấp xã hiện hành / "
                        "Not one of the 3,321 current commune codes."),
        metadata={"description": "Commune or ward (đơn vị hành chính cấp xã), five digits, "
                                 "e.g. 30406 (Xã Phú Tân, An Giang); required unless "
                                 "legacy_address maps to one commune"})
    legacy_address = fields.Nested(LegacyAddressSchema, load_default=None, allow_none=True)
    contact = fields.Nested(ContactSchema, required=True)

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def placed_in_current_units(self, data, original, **kwargs):
        """Current codes as given, or as the legacy address maps; both must agree."""
        legacy = data.get("legacy_address")
        placement = units.placed(**legacy) if legacy else None
        given = original if isinstance(original, dict) else {}
        errors = {}
        for field, mapped in (("province_code", placement and placement.province_code),
                              ("commune_code", placement and placement.commune_code)):
            if field in data and mapped and data[field] != mapped:
                errors[field] = [f"Không khớp với địa chỉ cũ ({mapped}) / "
                                 f"Does not match the legacy address ({mapped})"]
            elif field not in given and not mapped:
                errors[field] = ["Thiếu trường bắt buộc / Missing data for required field." +
                                 (" (địa chỉ cũ không xác định được / the legacy address "
                                  "does not determine it)" if legacy else "")]
        if errors:
            raise ValidationError(errors)
        province = data.get("province_code") or (placement and placement.province_code)
        commune = data.get("commune_code") or (placement and placement.commune_code)
        if province and commune and not commune_in_province(commune, province):
            raise ValidationError("Xã không thuộc tỉnh đã khai / "
                                  "The commune is not in the given province", "commune_code")

    @post_load
    def with_current_codes(self, data, **kwargs):
        legacy = data.get("legacy_address")
        if legacy:
            placement = units.placed(**legacy)
            data.setdefault("province_code", placement.province_code)
            data.setdefault("commune_code", placement.commune_code)
        return data


class ProducerSummarySchema(BaseSchema):
    """A producer as lists show it: who and where, without its personal data (tax code,
    representative, contact), which only a read of the producer gives."""

    id = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(allow_none=True, metadata={"enum": list(KINDS)})
    province_code = fields.String(required=True)
    commune_code = fields.String(allow_none=True)
    imported = fields.Boolean()
    created_at = Timestamp(required=True)


class ProducerSchema(NewProducerSchema):
    id = fields.String(required=True)
    kind = fields.String(allow_none=True, metadata={"enum": list(KINDS)})
    contact = fields.Nested(ContactSchema, allow_none=True)
    legal_representative = fields.Nested(RepresentativeSchema, allow_none=True)
    imported = fields.Boolean(metadata={"description": "Brought in by a province's import "
                                                       "of what it had already certified"})
    created_at = Timestamp(required=True)


class NewProductSchema(BaseSchema):
    producer_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    name = fields.String(required=True, validate=validate.Length(
        min=2, max=200, error="Tên từ 2 đến 200 ký tự / Name must be 2 to 200 characters."))
    category = fields.String(required=True, validate=validate.Regexp(
        r"^\d{2}$", error="Mã bộ sản phẩm gồm 2 chữ số / Category code is two digits."),
        metadata={"description": "Criteria set 01–26 (Annex I); 26 is community tourism"})
    description = fields.String(load_default="", validate=validate.Length(
        max=5000, error="Mô tả tối đa 5000 ký tự / Description is at most 5000 characters."))


class ProductSchema(NewProductSchema):
    id = fields.String(required=True)
    producer_name = fields.String()
    province_code = fields.String()
    commune_code = fields.String(allow_none=True)
    stage = fields.String(required=True, metadata={"enum": [s.value for s in Stage]})
    evaluation_id = fields.String(allow_none=True)
    score = fields.Float(allow_none=True)
    stars = fields.Integer(allow_none=True)
    certificate_code = fields.String(allow_none=True)
    certificate_expires_at = Timestamp(allow_none=True)
    submission_kind = fields.String(allow_none=True)
    rejection_reason = fields.Dict(allow_none=True)
    imported = fields.Nested(lambda: ImportedCertificateSchema(), allow_none=True)
    product_code = fields.String(allow_none=True, metadata={
        "description": "Mã số sản phẩm (T)-(X)-(STT)-(năm), given at the proposal"})
    dossier = fields.Nested("DossierRecordSchema", allow_none=True, metadata={
        "description": "The dossier last filed: Form 01/02, the commune's review, the "
                       "province's check"})
    created_at = Timestamp(required=True)
    updated_at = Timestamp(required=True)


# Lists: the filters each one takes (query parameters) ----------------------------------

FILTER_NAME = fields.String(validate=validate.Length(min=1, max=100), metadata={
    "description": "Từ trong tên, không phân biệt dấu và hoa thường / Words of the name, "
                   "accents and case ignored (\"lap xuong can duoc\")"})


class PlaceFilterSchema(BaseSchema):
    province = fields.String(validate=validate.OneOf(PROVINCES))
    commune = fields.String(validate=validate.OneOf(COMMUNES))
    producer = fields.String(validate=validate.Length(min=1, max=64))
    name = FILTER_NAME


class ProducerFilterSchema(PlaceFilterSchema):
    kind = fields.String(validate=validate.OneOf(KINDS))


class ProductFilterSchema(PlaceFilterSchema):
    stage = fields.String(validate=validate.OneOf([s.value for s in Stage]))
    category = fields.String(validate=validate.OneOf(CATEGORIES))
    stars = fields.Integer(validate=validate.Range(1, 5))


# Import of what a province already certified -------------------------------------------

class ImportSchema(BaseSchema):
    province_code = fields.String(required=True, validate=validate.OneOf(PROVINCES))
    file_name = fields.String(required=True, validate=validate.Length(min=1, max=200),
                              metadata={"example": "ocop-an-giang-2024.xlsx"})
    content = fields.String(required=True, validate=validate.Length(min=1), metadata={
        "format": "byte", "description": "The spreadsheet (CSV in UTF-8, or XLSX), base64"})


class ImportedCertificateSchema(BaseSchema):
    """What an imported product's row said: its certificate, and its units as written."""

    import_id = fields.String()
    row = fields.Integer()
    certificate_number = fields.String()
    decided_on = fields.String(metadata={"format": "date"})
    expires_on = fields.String(metadata={"format": "date"})
    written = fields.Dict(metadata={"description": "province, district, commune as written"})


class ImportReportSchema(BaseSchema):
    id = fields.String(required=True)
    province_code = fields.String(required=True)
    file_name = fields.String(required=True)
    sha256 = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": ["applying", "completed"]})
    rows = fields.Integer(required=True)
    communes_mapped = fields.Integer(metadata={
        "description": "Rows whose commune was mapped to a current commune; the others are "
                       "placed in the province only, their units kept as written"})
    producers_created = fields.Integer(allow_none=True)
    products_created = fields.Integer(allow_none=True)
    created_at = Timestamp(required=True)
    completed_at = Timestamp(allow_none=True)


def Title():
    return fields.String(required=True, validate=validate.Length(
        min=2, max=200, error="Tiêu đề từ 2 đến 200 ký tự / Title must be 2 to 200 characters."))


def LongText(maximum=5000, required=True):
    return fields.String(required=required, validate=validate.Length(
        min=1, max=maximum, error=f"Từ 1 đến {maximum} ký tự / 1 to {maximum} characters."))


def Reasons():
    return fields.List(LongText(1000), required=True, validate=validate.Length(
        min=1, max=20, error="Từ 1 đến 20 lý do / 1 to 20 reasons."))


def Date(description, **kwargs):
    return fields.Date(metadata={"description": description}, **kwargs)


# Steps 2–4: ideas, plans, support -----------------------------------------------------------

class IdeaContentSchema(BaseSchema):
    title = Title()
    description = LongText()


class NewIdeaSchema(IdeaContentSchema):
    producer_id = fields.String(required=True, validate=validate.Length(min=1, max=64))


class PlanContentSchema(BaseSchema):
    title = Title()
    summary = LongText(10000)
    budget_vnd = fields.Integer(strict=True, load_default=None, allow_none=True,
                                validate=validate.Range(min=0))


class NewPlanSchema(PlanContentSchema):
    idea_id = fields.String(required=True, validate=validate.Length(min=1, max=64))


class StepDecisionSchema(BaseSchema):
    """Accept, or return with reasons."""

    outcome = fields.String(required=True, validate=validate.OneOf(
        [o.value for o in steps.Outcome]), metadata={"enum": [o.value for o in steps.Outcome]})
    reasons = fields.List(LongText(1000), load_default=list, validate=validate.Length(max=20))

    @validates_schema
    def reasons_for_a_return(self, data, **kwargs):
        if data.get("outcome") == steps.Outcome.RETURNED and not data.get("reasons"):
            raise ValidationError("Trả lại phải nêu lý do / A return needs its reasons",
                                  "reasons")


class SupportSchema(BaseSchema):
    """Step 4: support given to carry out an accepted plan."""

    kind = fields.String(required=True, validate=validate.OneOf(list(steps.SUPPORT_KINDS)),
                         metadata={"enum": list(steps.SUPPORT_KINDS)})
    description = LongText(2000)
    given_on = Date("The day it was given (Vietnam date)", required=True)
    amount_vnd = fields.Integer(strict=True, load_default=None, allow_none=True,
                                validate=validate.Range(min=0))


class HistoryEntrySchema(BaseSchema):
    at = Timestamp(required=True)
    status = fields.String(required=True)
    by = fields.Nested("ActorSchema", required=True)
    reasons = fields.List(fields.String())


class SupportRecordSchema(BaseSchema):
    kind = fields.String(required=True, metadata={"enum": list(steps.SUPPORT_KINDS)})
    description = fields.String(required=True)
    given_on = fields.String(required=True, metadata={"format": "date"})
    amount_vnd = fields.Integer(allow_none=True)
    at = Timestamp(required=True)
    by = fields.Nested("ActorSchema", required=True)


class StepSchema(BaseSchema):
    id = fields.String(required=True)
    producer_id = fields.String(required=True)
    province_code = fields.String()
    commune_code = fields.String()
    title = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": [s.value for s in steps.Status]})
    history = fields.List(fields.Nested(HistoryEntrySchema))
    created_at = Timestamp(required=True)
    updated_at = Timestamp(required=True)


class IdeaSchema(StepSchema):
    description = fields.String()


class PlanSchema(StepSchema):
    idea_id = fields.String(required=True)
    summary = fields.String()
    budget_vnd = fields.Integer(allow_none=True)
    support = fields.List(fields.Nested(SupportRecordSchema))


# The dossier ----------------------------------------------------------------------------

class EvidenceUploadSchema(BaseSchema):
    filename = fields.String(required=True, validate=validate.Length(min=5, max=200))
    content = fields.String(required=True, metadata={
        "description": "The file, base64 (PDF, JPEG or PNG, at most 180 KiB)",
        "contentEncoding": "base64"})


class EvidenceSchema(BaseSchema):
    id = fields.String(required=True)
    product_id = fields.String(required=True)
    filename = fields.String(required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    uploaded_at = Timestamp(required=True)
    content = fields.String(metadata={"contentEncoding": "base64"})


class AssessmentSchema(BaseSchema):
    criterion = fields.String(required=True, validate=validate.Length(min=1, max=20))
    option = fields.String(required=True, allow_none=True, validate=validate.Length(max=20),
                           metadata={"description": "An option of the criterion, or null"})
    evidence = fields.List(fields.String(validate=validate.Length(min=1, max=64)),
                           load_default=list, validate=validate.Length(max=20))
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class DossierFilingSchema(BaseSchema):
    """Form 01 (kind of registration, criteria set) and Form 02 part III."""

    kind = fields.String(load_default="first", validate=validate.OneOf(
        submissions.KINDS, error="Loại đăng ký phải là một trong {choices} / "
                                 "Kind must be one of {choices}."),
        metadata={"enum": list(submissions.KINDS)})
    category = fields.String(load_default=None, validate=validate.Regexp(
        r"^\d{2}$", error="Mã bộ sản phẩm gồm 2 chữ số / Category code is two digits."),
        metadata={"description": "The criteria set; the product's when not given"})
    self_assessment = fields.List(fields.Nested(AssessmentSchema), required=True,
                                  validate=validate.Length(min=1, max=200))


class Form03Schema(BaseSchema):
    """The commune's report (Mẫu số 03), part II."""

    local_raw_material = LongText()
    local_labour = LongText()
    idea_origin = LongText()
    local_identity = LongText()


class CommuneReviewSchema(BaseSchema):
    form_03 = fields.Nested(Form03Schema, required=True)
    samples = fields.Integer(required=True, strict=True, validate=validate.Range(0, 5),
                             metadata={"description": "Samples received: 5, none for tourism"})


class ReturnSchema(BaseSchema):
    reasons = Reasons()


class DaysOffSchema(BaseSchema):
    days = fields.List(fields.Date(), required=True, validate=validate.Length(max=60),
                       metadata={"description": "Days off the province adds (YYYY-MM-DD)"})


class ReceiptSchema(BaseSchema):
    received_on = Date("The day the commune received the paper dossier (Vietnam date)",
                       required=True)


class TimelineEntrySchema(BaseSchema):
    at = Timestamp(required=True)
    stage = fields.String(required=True)
    act = fields.String(required=True, metadata={
        "description": "What happened: the event it caused or followed"})
    by = fields.Nested("ActorSchema", required=True, metadata={
        "description": "Who: a person, or `service:<name>` for another service's result"})
    reasons = fields.List(fields.String())
    details = fields.Dict()


class OverdueSchema(BaseSchema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    producer_name = fields.String()
    commune_code = fields.String()
    form_number = fields.String()
    received_on = fields.String()
    deadline_on = fields.String()


class CalendarSchema(BaseSchema):
    province_code = fields.String(required=True)
    days = fields.List(fields.String(), required=True)


class ActorSchema(BaseSchema):
    subject = fields.String(required=True)
    roles = fields.List(fields.String(), required=True)
    name = fields.String(allow_none=True)


class CommuneReviewRecordSchema(CommuneReviewSchema):
    reviewed_at = Timestamp(required=True)
    by = fields.Nested(ActorSchema, required=True)
    forwarded_on = fields.String(required=True, metadata={"format": "date"})


class CompletenessSchema(BaseSchema):
    checked_at = Timestamp(required=True)
    by = fields.Nested(ActorSchema, required=True)


class DossierRecordSchema(BaseSchema):
    """A dossier as filed and followed: Form 01, Form 02 part III, the commune's 15 working
    days, its Form 03 review, the province's check and the day of the proposal."""

    kind = fields.String(required=True, metadata={"enum": list(submissions.KINDS)})
    category = fields.String(required=True)
    form_number = fields.String(required=True, metadata={
        "description": "Số phiếu đăng ký (serial)/PĐK-(province)-(commune)-(year)"})
    self_assessment = fields.List(fields.Nested(AssessmentSchema), required=True)
    filed_at = Timestamp(required=True)
    filed_on = fields.String(required=True, metadata={"format": "date"})
    received_on = fields.String(required=True, metadata={"format": "date"})
    deadline_on = fields.String(required=True, metadata={
        "format": "date", "description": "The last of the commune's 15 working days"})
    commune_review = fields.Nested(CommuneReviewRecordSchema)
    completeness = fields.Nested(CompletenessSchema)
    proposed_on = fields.String(metadata={"format": "date"})
