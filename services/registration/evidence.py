"""Evidence files of a dossier (tài liệu minh chứng, Decision 26/2026 Art. 6.1, Form 02
part III; Art. 7.1: what the producer uploads has the legal value of the paper dossier and
stays as uploaded).

Only PDF, JPEG and PNG are taken, recognised from their first bytes; a name whose extension
says otherwise is refused, so that a file is never shown as something it is not. Each file
is kept unchanged in GridFS with its SHA-256. A file travels base64-encoded in a JSON body,
so it must fit the HTTP body limit of the gateway and the services (256 KiB,
``chassis/web.py``): ``MAX_BYTES`` leaves room for base64's third more and the rest of the
body.
"""
import base64
import binascii
import hashlib

from chassis.errors import InvalidInput, field_error

MAX_BYTES = 180 * 1024
SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}
EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
}


def checked(filename, content_base64):
    """The file's bytes and what is known of them, or InvalidInput naming the field."""
    try:
        content = base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError):
        refuse("/content", "Nội dung không phải base64", "The content is not base64")
    if not content:
        refuse("/content", "Tệp rỗng", "The file is empty")
    if len(content) > MAX_BYTES:
        refuse("/content", f"Tệp lớn hơn {MAX_BYTES} byte",
               f"The file is larger than {MAX_BYTES} bytes")
    content_type = sniffed(content)
    if content_type is None:
        refuse("/content", "Chỉ nhận tệp PDF, JPEG hoặc PNG",
               "Only PDF, JPEG or PNG files are accepted")
    if not filename.lower().endswith(EXTENSIONS[content_type]):
        refuse("/filename", f"Phần mở rộng của tên tệp không khớp nội dung ({content_type})",
               f"The file name's extension does not match its content ({content_type})")
    return content, {"filename": filename, "content_type": content_type,
                     "size": len(content), "sha256": hashlib.sha256(content).hexdigest()}


def encoded(content):
    return base64.b64encode(content).decode("ascii")


def sniffed(content):
    return next((kind for magic, kind in SIGNATURES.items() if content.startswith(magic)),
                None)


def refuse(pointer, message_vi, message_en):
    raise InvalidInput(message_vi, message_en, [field_error(pointer, message_vi, message_en)])
