"""Bilingual errors that cross the RPC boundary intact.

Domain code raises these (this module imports no framework); ``chassis.rpc`` registers
them with nameko so that the gateway receives the same class back over RPC and maps it to
an RFC 9457 problem (Vietnamese first, then English).
"""

# RFC 9457 problem types: PROBLEM_TYPE + a slug of the status, e.g. urn:ocop:problem:not-found.
PROBLEM_TYPE = "urn:ocop:problem:"


class OcopError(Exception):
    """A refusal the caller can act on. ``errors`` point at offending fields."""

    status = 400
    title = "Yêu cầu không hợp lệ / Bad request"

    def __init__(self, message_vi, message_en, errors=None):
        super().__init__(message_vi, message_en, errors or [])
        self.message_vi = message_vi
        self.message_en = message_en
        self.errors = errors or []

    @property
    def detail(self):
        return f"{self.message_vi} / {self.message_en}"

    def __str__(self):
        return self.detail


def field_error(pointer, message_vi, message_en):
    """One entry of a problem's ``errors[]``: a JSON pointer into the request body."""
    return {"pointer": pointer, "detail": f"{message_vi} / {message_en}"}


class InvalidInput(OcopError):
    status = 422
    title = "Dữ liệu không hợp lệ / Invalid input"


class Unauthenticated(OcopError):
    """A command arrived without the caller's identity."""

    status = 401
    title = "Chưa xác thực / Unauthenticated"


class Forbidden(OcopError):
    """The caller is identified, but the act belongs to another authority."""

    status = 403
    title = "Không có quyền / Forbidden"


class NotFound(OcopError):
    status = 404
    title = "Không tìm thấy / Not found"


class Conflict(OcopError):
    """The request is valid but the resource's state does not allow it now."""

    status = 409
    title = "Xung đột trạng thái / Conflict"


class Unavailable(OcopError):
    """A service the command needs did not answer in time: nothing was done; retry later."""

    status = 503
    title = "Dịch vụ tạm thời không sẵn sàng / Service unavailable"
    headers = {"Retry-After": "5"}


REFUSALS = (OcopError, InvalidInput, Unauthenticated, Forbidden, NotFound, Conflict,
            Unavailable)


def from_validation_error(exc, message_vi="Dữ liệu không hợp lệ",
                          message_en="Invalid input"):
    """Turn a marshmallow ValidationError into InvalidInput naming every field."""
    errors = []

    def walk(prefix, messages):
        if isinstance(messages, dict):
            for key, value in messages.items():
                walk(prefix if key == "_schema" else f"{prefix}/{key}", value)
        else:
            for message in messages if isinstance(messages, list) else [messages]:
                errors.append({"pointer": prefix, "detail": str(message)})  # "" is the whole body

    walk("", exc.messages)
    return InvalidInput(message_vi, message_en, errors)
