"""What registration accepts and returns."""
from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from chassis.schemas import BaseSchema, Timestamp
from services.registration import submissions, tax_codes, units
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


class SubmissionSchema(BaseSchema):
    """Form 01's kind of registration; the first rating unless said otherwise."""

    kind = fields.String(load_default="first", validate=validate.OneOf(
        submissions.KINDS, error="Loại đăng ký phải là một trong {choices} / "
                                 "Kind must be one of {choices}."),
        metadata={"enum": list(submissions.KINDS)})


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
