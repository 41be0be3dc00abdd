"""marshmallow with bilingual messages (Vietnamese first, then English).

Every service loads its RPC input through ``load`` so that bad input becomes an
InvalidInput naming each offending field, before anything is stored.
"""
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from chassis.errors import InvalidInput, from_validation_error

fields.Field.default_error_messages.update({
    "required": "Thiếu trường bắt buộc / Missing data for required field.",
    "null": "Trường không được để trống / Field may not be null.",
    "validator_failed": "Giá trị không hợp lệ / Invalid value.",
})
for _field, _message in (
        (fields.String, "Phải là chuỗi ký tự / Not a valid string."),
        (fields.Integer, "Phải là số nguyên / Not a valid integer."),
        (fields.Number, "Phải là số / Not a valid number."),
        (fields.Email, "Địa chỉ e-mail không hợp lệ / Not a valid email address."),
        (fields.UUID, "Mã định danh không hợp lệ / Not a valid UUID."),
        (fields.Nested, "Phải là một đối tượng / Not a valid object.")):
    _field.default_error_messages = {**_field.default_error_messages, "invalid": _message}
fields.Nested.default_error_messages["type"] = "Phải là một đối tượng / Not a valid object."
fields.List.default_error_messages = {**fields.List.default_error_messages,
                                      "invalid": "Phải là một danh sách / Not a valid list."}
validate.Length.message_min = "Tối thiểu {min} / At least {min}."
validate.Length.message_max = "Tối đa {max} / At most {max}."
validate.Length.message_all = "Từ {min} đến {max} / Between {min} and {max}."
validate.Length.message_equal = "Phải đúng {equal} / Must be exactly {equal}."
# Range formats its messages twice: the limits are escaped once.
validate.Range.message_all = "Phải từ {{min}} đến {{max}} / Must be between {{min}} and {{max}}."
validate.Range.message_min = "Tối thiểu {{min}} / At least {{min}}."
validate.Range.message_max = "Tối đa {{max}} / At most {{max}}."
validate.OneOf.default_message = "Phải là một trong {choices} / Must be one of {choices}."
validate.Regexp.default_message = "Sai định dạng / Not in the expected format."


class BaseSchema(Schema):
    error_messages = {
        "unknown": "Trường không được hỗ trợ / Unknown field.",
        "type": "Dữ liệu phải là một đối tượng JSON / Input must be a JSON object.",
    }

    class Meta:
        unknown = RAISE


def load(schema, payload):
    try:
        return schema.load(payload)
    except ValidationError as exc:
        raise from_validation_error(exc) from None


def load_query(schema, parameters):
    """``load`` for query parameters: each error names its ``parameter``."""
    try:
        return schema.load(parameters)
    except ValidationError as exc:
        invalid = from_validation_error(exc)
        raise InvalidInput(invalid.message_vi, invalid.message_en, [
            {"parameter": e["pointer"].lstrip("/"), "detail": e["detail"]}
            for e in invalid.errors]) from None


def Timestamp(**kwargs):
    """An RFC 3339 UTC timestamp, as the services store them."""
    return fields.String(metadata={"format": "date-time"}, **kwargs)
