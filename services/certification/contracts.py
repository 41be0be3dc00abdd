"""The events certification publishes, on the topic exchange ``certification.events``.

Each schema describes the event's ``data``; the envelope is CloudEvents 1.0
(``chassis.events``). ``docs/asyncapi.yaml`` is generated from ``PUBLISHED``.
"""
from marshmallow import fields, validate

from chassis.contracts import EventDataSchema, Identifier, Stars, Timestamp


def CertificateCode(description):
    return fields.String(required=True, validate=validate.Regexp(r"^OCOP-\d{2}-\d{4}-\d{5}$"),
                         metadata={"description": f"{description} The code (mã giấy chứng "
                                                  "nhận) names province, year of issue and "
                                                  "serial, e.g. `OCOP-91-2026-00037`."})


class CertificateIssuedSchema(EventDataSchema):
    """A recognition certificate (giấy chứng nhận sản phẩm OCOP) was issued, valid 36 months."""

    code = CertificateCode("The certificate's public code.")
    product_id = Identifier("The certified product (sản phẩm).")
    producer_id = Identifier("The producer (chủ thể OCOP) that owns the product.")
    evaluation_id = Identifier("The evaluation whose result is certified.")
    stars = Stars()
    issued_at = Timestamp("When the certificate was issued (ngày cấp), UTC.")
    expires_at = Timestamp("When it stops being valid (ngày hết hiệu lực): 36 months "
                           "after issue, UTC.")


class CertificateSupersededSchema(EventDataSchema):
    """A later certificate of the same product (an upgrade or re-rating) replaced this one.

    A product holds at most one valid certificate: the superseded one is no longer valid,
    and public verification shows it as `superseded`."""

    code = CertificateCode("The superseded certificate's code.")
    product_id = Identifier("The certified product (sản phẩm).")
    producer_id = Identifier("The producer (chủ thể OCOP) that owns the product.")
    superseded_by = CertificateCode("The code of the certificate that replaces it.")
    superseded_at = Timestamp("When it was superseded, UTC.")


PUBLISHED = {
    "certificate.issued": CertificateIssuedSchema,
    "certificate.superseded": CertificateSupersededSchema,
}
