"""The events registration publishes, on the topic exchange ``registration.events``.

Each schema describes the event's ``data``; the envelope is CloudEvents 1.0
(``chassis.events``). ``docs/asyncapi.yaml`` is generated from ``PUBLISHED``.
"""
from marshmallow import fields, validate

from chassis.contracts import CategoryCode, CommuneCode, EventDataSchema, Flag, Identifier, \
    Number, ProvinceCode, Stars, Text, Timestamp
from services.registration.producers import KINDS as PRODUCER_KINDS
from services.registration.steps import SUPPORT_KINDS
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
    expires_on = Day("The day it stops being valid (ngày hết hiệu lực), as certification's "
                     "`expires_on`: 36 months after the decision (Decision 26/2026 Art. "
                     "4.3; Art. 12.1 keeps it valid to that term).")
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


def CommuneCode():
    return fields.String(required=True, validate=validate.Regexp(r"^\d{5}$"), metadata={
        "description": "Commune or ward code (mã đơn vị hành chính cấp xã), five digits, "
                       "since 1 July 2025, e.g. `30406` (Xã Phú Tân, An Giang)."})


def VietnamDate(description):
    return fields.String(required=True, validate=validate.Regexp(r"^\d{4}-\d{2}-\d{2}$"),
                         metadata={"description": description, "format": "date"})


def Reasons():
    return fields.List(fields.String(validate=validate.Length(min=1, max=1000)),
                       required=True, validate=validate.Length(min=1), metadata={
                           "description": "Why it was returned: what to correct or add."})


def Kind():
    return fields.String(required=True, validate=validate.OneOf(KINDS), metadata={
        "description": "The kind of registration (loại đăng ký, Form 01): the `first` "
                       "rating, an `upgrade` (nâng hạng), or a `re_rating` (đánh giá lại) "
                       "before the certificate expires."})


class WhereSchema(EventDataSchema):
    producer_id = Identifier("The producer (chủ thể OCOP).")
    province_code = ProvinceCode()
    commune_code = CommuneCode()


class IdeaSchema(WhereSchema):
    """Step 2 of the cycle: a product idea (ý tưởng sản phẩm) was submitted, or submitted
    again after it was returned."""

    idea_id = Identifier("The product idea.")
    title = Text("The idea's title.")


class IdeaDecidedSchema(WhereSchema):
    """The commune accepted a product idea: the producer may submit its business plan."""

    idea_id = Identifier("The product idea.")


class IdeaReturnedSchema(IdeaDecidedSchema):
    """The commune returned a product idea with its reasons."""

    reasons = Reasons()


class PlanSchema(WhereSchema):
    """Step 3 of the cycle: a business plan (phương án kinh doanh) for an accepted idea was
    submitted, or submitted again after it was returned."""

    plan_id = Identifier("The business plan.")
    idea_id = Identifier("The accepted idea it carries out.")
    title = Text("The plan's title.")


class PlanDecidedSchema(WhereSchema):
    """The commune accepted a business plan: step 4 (support) may be recorded against it."""

    plan_id = Identifier("The business plan.")
    idea_id = Identifier("The accepted idea it carries out.")


class PlanReturnedSchema(PlanDecidedSchema):
    """The commune returned a business plan with its reasons."""

    reasons = Reasons()


class PlanSupportedSchema(PlanDecidedSchema):
    """Step 4: support was given to carry out an accepted plan (training, advice, credit),
    for the plans and statistics of the programme to count."""

    kind = fields.String(required=True, validate=validate.OneOf(list(SUPPORT_KINDS)),
                         metadata={"description": "`training` (đào tạo, tập huấn), `advice` "
                                                  "(tư vấn) or `credit` (vốn, tín dụng)."})
    given_on = VietnamDate("The day it was given (Vietnam date).")
    amount_vnd = fields.Integer(required=True, allow_none=True, strict=True,
                                validate=validate.Range(min=0), metadata={
                                    "description": "Its amount in đồng, when it has one."})


class DossierSchema(WhereSchema):
    product_id = Identifier("The product (sản phẩm) in registration.")
    form_number = Text("The registration form's number (số phiếu đăng ký, Form 01), "
                       "`(serial)/PĐK-(province)-(commune)-(year)`.")


class DossierSubmittedSchema(DossierSchema):
    """The producer filed its dossier (Form 01 and Form 02 with evidence) with the commune
    (Art. 7.1); the commune's 15 working days run from ``received_on``."""

    category = CategoryCode()
    kind = Kind()
    received_on = VietnamDate("The day the commune received it (Vietnam date).")
    deadline_on = VietnamDate("The last working day of the commune's review (Art. 7.2).")


class DossierDeadlineApproachingSchema(DossierSchema):
    """The commune still holds a filed dossier and its 15 working days (Art. 7.2) are nearly
    up: announced once per filing by registration's daily sweep
    (``working_days.deadline_nearly_up``)."""

    deadline = VietnamDate("The last working day of the commune's review (Vietnam date).")
    working_days_left = fields.Integer(required=True, strict=True, validate=validate.Range(
        min=0), metadata={"description": "Working days after the sweep's day up to the "
                                         "deadline; 0 on the deadline itself."})


class DossierReturnedSchema(DossierSchema):
    """The dossier went back to the producer to be completed: from the commune, or from the
    province's OCOP office (Art. 7.3.a)."""

    by_level = fields.String(required=True, validate=validate.OneOf(("commune", "province")),
                             metadata={"description": "Who returned it: `commune` or "
                                                      "`province`."})
    reasons = Reasons()


class DossierReviewedSchema(DossierSchema):
    """The commune issued its Form 03 report on the dossier (local raw material, local
    labour, origin of the idea, local identity) and confirmed the samples (Art. 7.2)."""

    samples = fields.Integer(required=True, strict=True, validate=validate.Range(0, 5),
                             metadata={"description": "Samples sent with the dossier: 5, "
                                                      "none for community tourism."})


class DossierForwardedSchema(DossierSchema):
    """The commune sent the dossier with its proposal to the province (Art. 7.2.b)."""

    forwarded_on = VietnamDate("The day it was sent (Vietnam date).")


class ProductSubmittedSchema(EventDataSchema):
    """The province's OCOP office proposed the product to an evaluation round after its
    completeness check (step 5 of the cycle, Art. 7.3.a); the round is chosen by
    ``proposed_on`` (Art. 5)."""

    product_id = Identifier("The product (sản phẩm) in registration.")
    producer_id = Identifier("The producer (chủ thể OCOP) that owns the product.")
    producer_name = Text("The producer's registered name (tên chủ thể).")
    name = Text("The product's name (tên sản phẩm), e.g. `Gạo thơm Phú Tân`.")
    category = CategoryCode()
    province_code = ProvinceCode()
    kind = Kind()
    proposed_on = VietnamDate("The day the province proposed it (Vietnam date): the round "
                              "cut-offs of Art. 5 count from it.")
    commune_code = CommuneCode()
    product_code = Text("The product code (mã số sản phẩm) `(T)-(X)-(STT)-(year)`: "
                        "province, commune, the commune's serial, the evaluation year.")


PUBLISHED = {
    "idea.submitted": IdeaSchema,
    "idea.accepted": IdeaDecidedSchema,
    "idea.returned": IdeaReturnedSchema,
    "plan.submitted": PlanSchema,
    "plan.accepted": PlanDecidedSchema,
    "plan.returned": PlanReturnedSchema,
    "plan.supported": PlanSupportedSchema,
    "dossier.submitted": DossierSubmittedSchema,
    "dossier.deadline_approaching": DossierDeadlineApproachingSchema,
    "dossier.returned": DossierReturnedSchema,
    "dossier.reviewed_by_commune": DossierReviewedSchema,
    "dossier.forwarded": DossierForwardedSchema,
    "product.submitted": ProductSubmittedSchema,
    "producer.registered": ProducerRegisteredSchema,
    "product.imported": ProductImportedSchema,
    "import.completed": ImportCompletedSchema,
}
