"""A public read's body rendered once and kept (``gateway.certificates``,
``gateway.catalogue``): ``gateway.routes`` serves it as it is."""
import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Rendered:
    """The body, with its entity tag; a page of a list also says where the next one
    starts (``next``, a cursor)."""

    body: bytes
    etag: str
    next: str | None = None
    max_age: int = 0  # seconds a client may keep it without asking again; 0: revalidate


def digest_tag(text):
    """An entity tag made from ``text`` (bytes or str)."""
    data = text.encode() if isinstance(text, str) else text
    return f'"{hashlib.blake2b(data, digest_size=12).hexdigest()}"'
