"""The events registration publishes, on the topic exchange ``registration.events``.

Each schema describes the event's ``data``; the envelope is CloudEvents 1.0
(``chassis.events``). ``docs/asyncapi.yaml`` is generated from ``PUBLISHED``.
"""
from marshmallow import fields, validate

from chassis.contracts import CategoryCode, CommuneCode, EventDataSchema, Flag, Identifier, \
    Number, ProvinceCode, Stars, Text, Timestamp
from services.registration.producers import KINDS as PRODUCER_KINDS
from services.registration.submissions import KINDS


def Day(description):
    return fields.String(required=True, validate=validate.Regexp(r"^\d{4}-\d{2}-\d{2}$"),
                         metadata={"description": description, "format": "date"})


class ProducerRegisteredSchema(EventDataSchema):
    """A producer (chủ thể OCOP, Decision 26/2026 Art. 2.3) was registered, by itself or by
    its province's import of what it had already certified. Its tax code, contact and
    representative are personal data and stay in registration."""

    producer_id = Identifier("The producer (chủ thể OCOP).")
    name = Text("The producer's registered name (tên chủ thể).")
    kind = fields.String(required=True, allow_none=True, validate=validate.OneOf(
        PRODUCER_KINDS), metadata={"description": "Its legal kind (Art. 2.3); null for an "
                                                  "imported producer whose records do not "
                                                  "state it."})
    province_code = ProvinceCode()
    commune_code = CommuneCode("Where it is; null when an imported record's legacy units "
                               "do not determine one current commune.", required=True)
    imported = Flag("Whether it came in by a province's import.")


class ProductImportedSchema(EventDataSchema):
    """A product a province had certified before using this platform was imported with its
    certificate (giấy chứng nhận); it is recognised as it was, and certification records
    the certificate."""

    product_id = Identifier("The product (sản phẩm) in registration.")
    producer_id = Identifier("The producer (chủ thể OCOP) that owns the product.")
    producer_name = Text("The producer's name as imported.")
    name = Text("The product's name (tên sản phẩm).")
    category = CategoryCode()
    province_code = ProvinceCode()
    commune_code = CommuneCode("Where it is made; null when the legacy units written do not "
                               "determine one current commune.", required=True)
    stars = Stars()
    score = Number("The council's total score (tổng điểm), 0–100.", allow_none=True)
    certificate_number = Text("The certificate's number as the province issued it (số giấy "
                              "chứng nhận / số quyết định).", max_length=100)
    decided_on = Day("Date of the recognition decision (ngày quyết định), Vietnam date.")
    expires_on = Day("Last day of validity: 36 months after the decision (Decision "
                     "26/2026 Art. 4.3).")
    import_id = Identifier("The import it came with.")


class ImportCompletedSchema(EventDataSchema):
    """A province's import of the products it had already certified was applied whole."""

    import_id = Identifier("The import.")
    province_code = ProvinceCode()
    rows = fields.Integer(required=True, strict=True, metadata={
        "description": "Rows of the spreadsheet, all valid."})
    products_created = fields.Integer(required=True, strict=True, metadata={
        "description": "Products the import created (rows imported before are not counted)."})
    producers_created = fields.Integer(required=True, strict=True, metadata={
        "description": "Producers it created; the others were registered already."})
    completed_at = Timestamp("When it was completed, UTC.")


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
    "producer.registered": ProducerRegisteredSchema,
    "product.imported": ProductImportedSchema,
    "import.completed": ImportCompletedSchema,
}
