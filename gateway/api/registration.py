"""Producers and products, the cycle before evaluation (ideas, plans, support, the dossier,
the commune's review, the province's check and proposal): the registration service's
operations."""
from gateway.api import API
from gateway.routes import operation, paging
from services.registration.schemas import (
    CalendarSchema, CommuneReviewSchema, DaysOffSchema, DossierFilingSchema, EvidenceSchema,
    EvidenceUploadSchema, IdeaContentSchema, IdeaSchema, ImportReportSchema, ImportSchema,
    NewIdeaSchema, NewPlanSchema, NewProducerSchema, NewProductSchema, OverdueSchema,
    PlanContentSchema, PlanSchema, ProducerSchema, ProducerSummarySchema, ProductSchema,
    ReceiptSchema, ReturnSchema, StepDecisionSchema, SupportSchema, TimelineEntrySchema)

PRODUCT = f"{API}/products/<string:product_id>"
IDEA = f"{API}/ideas/<string:idea_id>"
PLAN = f"{API}/plans/<string:plan_id>"
PROVINCE = f"{API}/provinces/<string:province_code>"

PLACE = {
    "province": "Mã tỉnh; mặc định: tỉnh của người gọi / Province code; by default the "
                "caller's own",
    "commune": "Mã xã; mặc định: xã của cán bộ xã / Commune code; by default a commune "
               "officer's own",
    "producer": "Mã chủ thể; mặc định: chủ thể của người gọi / Producer id; by default a "
                "producer's own",
    "name": "Tìm theo tên, không dấu, không phân biệt hoa thường / Search the name, accents "
            "and case ignored",
}


def scoped_filters(request):
    """The list's filters: the query's, narrowed to the scope the policy located (a
    province officer's own province when the query names none, and so on)."""
    target = request.target
    scope = {"province": target.province, "commune": target.commune,
             "producer": target.producer_id}
    filters = {k: v for k, v in request.args.items() if k not in ("limit", "cursor")}
    return {**filters, **{k: v for k, v in scope.items() if v is not None}}


class RegistrationApi:
    @operation("POST", f"{API}/producers", "Đăng ký chủ thể / Register a producer",
               "registration", status=201, body=NewProducerSchema, response=ProducerSchema)
    def register_producer(self, request, body):
        return self.registration.register_producer(body)

    @operation("GET", f"{API}/producers/<string:producer_id>", "Chủ thể / A producer",
               "registration", response=ProducerSchema)
    def get_producer(self, request, producer_id):
        return self.registration.get_producer(producer_id)

    @operation("POST", f"{API}/products", "Đăng ký sản phẩm / Register a product",
               "registration", status=201, body=NewProductSchema, response=ProductSchema)
    def register_product(self, request, body):
        return self.registration.register_product(body)

    @operation("GET", PRODUCT, "Sản phẩm / A product", "registration", response=ProductSchema)
    def get_product(self, request, product_id):
        return self.registration.get_product(product_id)

    @operation("GET", f"{API}/producers", "Danh sách chủ thể / Producers", "registration",
               response=ProducerSummarySchema, paged=True, optional_query={
                   **PLACE, "kind": "Loại chủ thể (Điều 2.3) / Kind of producer (Art. 2.3)"})
    def list_producers(self, request):
        return self.registration.list_producers(scoped_filters(request), **paging(request))

    @operation("GET", f"{API}/products", "Danh sách sản phẩm / Products", "registration",
               response=ProductSchema, paged=True, optional_query={
                   **PLACE, "stage": "Giai đoạn / Stage",
                   "category": "Bộ sản phẩm 01–26 / Criteria set 01–26",
                   "stars": "Hạng sao 1–5 / Stars 1–5"})
    def list_products(self, request):
        return self.registration.list_products(scoped_filters(request), **paging(request))

    @operation("POST", f"{API}/imports", "Nhập sản phẩm OCOP đã công nhận từ bảng tính của "
               "tỉnh (CSV, XLSX) / Import a province's spreadsheet of products it already "
               "certified", "registration", status=201, body=ImportSchema,
               response=ImportReportSchema)
    def import_products(self, request, body):
        return self.registration.import_products(body)

    @operation("GET", f"{API}/imports/<string:import_id>", "Kết quả nhập / An import's "
               "report", "registration", response=ImportReportSchema)
    def get_import(self, request, import_id):
        return self.registration.get_import(import_id)

    @operation("GET", f"{PRODUCT}/timeline",
               "Diễn biến của sản phẩm / A product's timeline (who, when, why)",
               "registration", response=TimelineEntrySchema, many=True)
    def product_timeline(self, request, product_id):
        return self.registration.product_timeline(product_id)

    # Steps 2–4 ------------------------------------------------------------------------

    @operation("POST", f"{API}/ideas", "Đăng ký ý tưởng sản phẩm / Submit a product idea",
               "registration", status=201, body=NewIdeaSchema, response=IdeaSchema)
    def submit_idea(self, request, body):
        return self.registration.submit_idea(body)

    @operation("GET", IDEA, "Ý tưởng sản phẩm / A product idea", "registration",
               response=IdeaSchema)
    def get_idea(self, request, idea_id):
        return self.registration.get_step("idea", idea_id)

    @operation("POST", f"{IDEA}/decision",
               "Chấp nhận hoặc trả lại ý tưởng / Accept or return an idea", "registration",
               body=StepDecisionSchema, response=IdeaSchema)
    def decide_idea(self, request, body, idea_id):
        return self.registration.decide_step("idea", idea_id, body)

    @operation("PUT", IDEA, "Sửa và gửi lại ý tưởng / Correct and resubmit an idea",
               "registration", body=IdeaContentSchema, response=IdeaSchema)
    def resubmit_idea(self, request, body, idea_id):
        return self.registration.resubmit_step("idea", idea_id, body)

    @operation("POST", f"{API}/plans", "Nộp phương án kinh doanh / Submit a business plan",
               "registration", status=201, body=NewPlanSchema, response=PlanSchema)
    def submit_plan(self, request, body):
        return self.registration.submit_plan(body)

    @operation("GET", PLAN, "Phương án kinh doanh / A business plan", "registration",
               response=PlanSchema)
    def get_plan(self, request, plan_id):
        return self.registration.get_step("plan", plan_id)

    @operation("POST", f"{PLAN}/decision",
               "Chấp nhận hoặc trả lại phương án / Accept or return a plan", "registration",
               body=StepDecisionSchema, response=PlanSchema)
    def decide_plan(self, request, body, plan_id):
        return self.registration.decide_step("plan", plan_id, body)

    @operation("PUT", PLAN, "Sửa và gửi lại phương án / Correct and resubmit a plan",
               "registration", body=PlanContentSchema, response=PlanSchema)
    def resubmit_plan(self, request, body, plan_id):
        return self.registration.resubmit_step("plan", plan_id, body)

    @operation("POST", f"{PLAN}/support",
               "Ghi nhận hỗ trợ triển khai phương án / Record support for a plan",
               "registration", status=201, body=SupportSchema, response=PlanSchema)
    def record_support(self, request, body, plan_id):
        return self.registration.record_support(plan_id, body)

    # The dossier -----------------------------------------------------------------------

    @operation("POST", f"{PRODUCT}/evidence",
               "Tải lên tài liệu minh chứng / Upload an evidence file (base64)",
               "registration", status=201, body=EvidenceUploadSchema, response=EvidenceSchema)
    def upload_evidence(self, request, body, product_id):
        return self.registration.upload_evidence(product_id, body)

    @operation("GET", f"{PRODUCT}/evidence/<string:evidence_id>",
               "Tài liệu minh chứng / An evidence file", "registration",
               response=EvidenceSchema)
    def get_evidence(self, request, product_id, evidence_id):
        return self.registration.get_evidence(product_id, evidence_id)

    @operation("POST", f"{PRODUCT}/dossier",
               "Nộp hồ sơ cho UBND xã (Mẫu 01, 02) / File the dossier with the commune",
               "registration", status=201, body=DossierFilingSchema, response=ProductSchema)
    def file_dossier(self, request, body, product_id):
        return self.registration.file_dossier(product_id, body)

    @operation("PUT", f"{PRODUCT}/dossier/receipt",
               "Ngày xã nhận hồ sơ giấy / The day the commune received the paper dossier",
               "registration", body=ReceiptSchema, response=ProductSchema)
    def record_receipt(self, request, body, product_id):
        return self.registration.record_receipt(product_id, body)

    @operation("POST", f"{PRODUCT}/dossier/commune-review",
               "Báo cáo Mẫu 03 và chuyển hồ sơ lên tỉnh / Form 03 and forward to the province",
               "registration", body=CommuneReviewSchema, response=ProductSchema)
    def review_dossier(self, request, body, product_id):
        return self.registration.review_dossier(product_id, body)

    @operation("POST", f"{PRODUCT}/dossier/return",
               "Trả lại hồ sơ để hoàn thiện / Return the dossier for completion",
               "registration", body=ReturnSchema, response=ProductSchema)
    def return_dossier(self, request, body, product_id):
        return self.registration.return_dossier(product_id, body)

    @operation("POST", f"{PRODUCT}/dossier/completeness",
               "Kiểm tra tính đầy đủ của hồ sơ / Check the dossier is complete",
               "registration", response=ProductSchema)
    def check_completeness(self, request, product_id):
        return self.registration.check_completeness(product_id)

    @operation("POST", f"{PRODUCT}/proposal",
               "Đề nghị đánh giá, phân hạng / Propose the product to an evaluation round",
               "registration", status=202, response=ProductSchema)
    def propose_product(self, request, product_id):
        return self.registration.propose_product(product_id)

    @operation("GET", f"{PROVINCE}/overdue-dossiers",
               "Hồ sơ xã xử lý quá 15 ngày làm việc / Dossiers past the commune's deadline",
               "registration", response=OverdueSchema, many=True)
    def overdue_dossiers(self, request, province_code):
        return self.registration.overdue_dossiers(province_code)

    @operation("PUT", f"{PROVINCE}/days-off",
               "Ngày nghỉ tỉnh bổ sung / Days off the province adds", "registration",
               body=DaysOffSchema, response=CalendarSchema)
    def set_days_off(self, request, body, province_code):
        return self.registration.set_days_off(province_code, body)
