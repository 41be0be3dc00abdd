"""What registration accepts and returns."""
from marshmallow import ValidationError, fields, validate, validates_schema

from chassis.schemas import BaseSchema, Timestamp
from services.registration import submissions
from chassis.provinces import COMMUNES, PROVINCES, commune_in_province
from services.registration.producers import KINDS
from services.registration.stages import Stage


class ContactSchema(BaseSchema):
    email = fields.Email(required=True)
    phone = fields.String(required=True, validate=validate.Regexp(
        r"^\+?[0-9][0-9 .-]{7,18}$",
        error="Số điện thoại không hợp lệ / Not a valid phone number."))


class NewProducerSchema(BaseSchema):
    name = fields.String(required=True, validate=validate.Length(
        min=2, max=200, error="Tên từ 2 đến 200 ký tự / Name must be 2 to 200 characters."))
    kind = fields.String(required=True, validate=validate.OneOf(
        KINDS, error="Loại chủ thể phải là một trong {choices} / Kind must be one of {choices}."),
        metadata={"enum": list(KINDS)})
    tax_code = fields.String(required=True, validate=validate.Regexp(
        r"^\d{10}(-\d{3})?$",
        error="Mã số thuế gồm 10 chữ số, hoặc 10 chữ số và 3 chữ số chi nhánh / "
              "Tax code is 10 digits, optionally -NNN for a branch."))
    province_code = fields.String(required=True, validate=validate.OneOf(
        PROVINCES, error="Mã tỉnh không có trong 34 đơn vị cấp tỉnh hiện hành / "
                         "Not one of the 34 current province codes."))
    commune_code = fields.String(required=True, validate=validate.OneOf(
        COMMUNES, error="Mã xã không có trong 3.321 đơn vị cấp xã hiện hành / "
                        "Not one of the 3,321 current commune codes."),
        metadata={"description": "Commune or ward (đơn vị hành chính cấp xã), five digits, "
                                 "e.g. 30406 (Xã Phú Tân, An Giang)"})
    contact = fields.Nested(ContactSchema, required=True)

    @validates_schema
    def commune_in_its_province(self, data, **kwargs):
        if {"province_code", "commune_code"} <= data.keys() and not commune_in_province(
                data["commune_code"], data["province_code"]):
            raise ValidationError("Xã không thuộc tỉnh đã khai / "
                                  "The commune is not in the given province", "commune_code")


class ProducerSchema(NewProducerSchema):
    id = fields.String(required=True)
    created_at = Timestamp(required=True)


class NewProductSchema(BaseSchema):
    producer_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    name = fields.String(required=True, validate=validate.Length(
        min=2, max=200, error="Tên từ 2 đến 200 ký tự / Name must be 2 to 200 characters."))
    category = fields.String(required=True, validate=validate.Regexp(
        r"^\d{2}$", error="Mã bộ sản phẩm gồm 2 chữ số / Category code is two digits."))
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
    commune_code = fields.String()
    stage = fields.String(required=True, metadata={"enum": [s.value for s in Stage]})
    evaluation_id = fields.String(allow_none=True)
    score = fields.Float(allow_none=True)
    stars = fields.Integer(allow_none=True)
    certificate_code = fields.String(allow_none=True)
    certificate_expires_at = Timestamp(allow_none=True)
    submission_kind = fields.String(allow_none=True)
    rejection_reason = fields.Dict(allow_none=True)
    created_at = Timestamp(required=True)
    updated_at = Timestamp(required=True)
