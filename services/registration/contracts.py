"""The events registration publishes, on the topic exchange ``registration.events``.

Each schema describes the event's ``data``; the envelope is CloudEvents 1.0
(``chassis.events``). ``docs/asyncapi.yaml`` is generated from ``PUBLISHED``.
"""
from marshmallow import fields, validate

from chassis.contracts import CategoryCode, CommuneCode, EventDataSchema, Identifier, \
    ProvinceCode, Text
from services.registration.submissions import KINDS


class ProductSubmittedSchema(EventDataSchema):
    """A producer's product was submitted for evaluation and ranking (step 5 of the cycle)."""

    product_id = Identifier("The product (sản phẩm) in registration.")
    producer_id = Identifier("The producer (chủ thể OCOP) that owns the product.")
    producer_name = Text("The producer's registered name (tên chủ thể).")
    name = Text("The product's name (tên sản phẩm), e.g. `Gạo thơm Phú Tân`.")
    category = CategoryCode()
    province_code = ProvinceCode()
    commune_code = CommuneCode()
    kind = fields.String(required=True, validate=validate.OneOf(KINDS), metadata={
        "description": "The kind of registration (loại đăng ký, Form 01): the `first` "
                       "rating, an `upgrade` (nâng hạng), or a `re_rating` (đánh giá lại) "
                       "before the certificate expires."})


PUBLISHED = {
    "product.submitted": ProductSubmittedSchema,
}
