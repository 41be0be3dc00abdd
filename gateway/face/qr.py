"""A certificate's QR code (segno), as SVG or PNG, or as the module grid the PDF draws.

Error correction level M (15% of the code may be damaged): a label on a product gets
scratched; the codes stay small (version 3 or 4 for a page address)."""
import io

import segno

ERROR_CORRECTION = "m"
BORDER = 4  # the quiet zone the standard asks for, in modules


def code_for(url):
    return segno.make_qr(url, error=ERROR_CORRECTION, boost_error=False)


def svg(url):
    out = io.BytesIO()
    code_for(url).save(out, kind="svg", scale=8, border=BORDER, xmldecl=True,
                       title="OCOP", nl=False)
    return out.getvalue()


def png(url):
    out = io.BytesIO()
    code_for(url).save(out, kind="png", scale=8, border=BORDER)
    return out.getvalue()


def modules(url):
    """Rows of booleans (dark or not), quiet zone included."""
    return [[bool(m) for m in row] for row in code_for(url).matrix_iter(border=BORDER)]
