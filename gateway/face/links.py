"""The address a certificate's QR code encodes: its verification page, or, for a product
that has a GTIN (Global Trade Item Number), the GS1 Digital Link form of it.

GS1 Digital Link URI syntax (GS1 Digital Link Standard: URI Syntax, 1.2): a domain and
optional path of one's own, then the primary key as path elements — Application
Identifier ``01`` and the GTIN in its 14-digit form (GTIN-8, -12 and -13 padded with
leading zeros) — then data attributes and any other key=value pairs in the query string.
One QR then serves both a shop's GS1 scanner and a consumer's phone; the certificate's
number travels in the query as ``ocop``, and the gateway answers that address with the
certificate's page.
"""
from urllib.parse import quote, urlencode

GTIN_LENGTHS = (8, 12, 13, 14)
CERTIFICATE_PARAMETER = "ocop"


def page_url(base_url, number):
    return f"{base_url.rstrip('/')}/verify/{quote(number, safe='')}"


def qr_url(base_url, view):
    """What the certificate's QR encodes: the Digital Link when the certificate carries a
    GTIN, else the page's own address."""
    if not view.get("gtin"):
        return page_url(base_url, view["code"])
    return (f"{base_url.rstrip('/')}/01/{gtin14(view['gtin'])}?"
            f"{urlencode({CERTIFICATE_PARAMETER: view['code']})}")


def gtin14(gtin):
    """The GTIN as Digital Link writes it: 14 digits. ValueError for anything that is not
    a GTIN-8, -12, -13 or -14 with a right check digit."""
    if not (gtin.isascii() and gtin.isdigit() and len(gtin) in GTIN_LENGTHS):
        raise ValueError(f"not a GTIN: {gtin!r}")
    padded = gtin.zfill(14)
    if check_digit(padded[:-1]) != int(padded[-1]):
        raise ValueError(f"wrong check digit in GTIN {gtin!r}")
    return padded


def check_digit(digits):
    """GS1 mod-10: from the right, weights 3, 1, 3, 1…; the digit that brings the sum to a
    multiple of ten."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return -total % 10
