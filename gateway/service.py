"""The gateway's HTTP API, version 1."""
from nameko.dependency_providers import Config
from werkzeug.wrappers import Response

from chassis.audit import AuditEntrySchema, Caller
from chassis.errors import InvalidInput, field_error
from chassis.rpc import BoundedRpcProxy
from chassis.web import OperationsEndpoints, http
from gateway import openapi
from gateway.limits import RateLimits
from gateway.problems import json_response, problem_response
from gateway.routes import operation, query_parameter
from gateway.signin import SignIn
from services.certification.schemas import VerificationSchema
from services.evaluation.schemas import CategorySchema, CouncilSchema, CouncilViewSchema, \
    DecisionSchema, EvaluationSchema, InterestSchema, InterestsViewSchema, RescoreSchema, \
    ReviewSchema, SheetSchema
from services.notification.schemas import MessageSchema
from services.registration.schemas import (
    NewProducerSchema, NewProductSchema, ProducerSchema, ProductSchema, SubmissionSchema)

API = "/api/v1"
# The services whose commands are audited, each keeping its own trail.
AUDITED = ("registration", "evaluation")


class GatewayService(OperationsEndpoints):
    name = "gateway"

    config = Config()
    signin = SignIn()
    limits = RateLimits()
    caller = Caller()
    registration = BoundedRpcProxy("registration")
    evaluation = BoundedRpcProxy("evaluation")
    certification = BoundedRpcProxy("certification")
    notification = BoundedRpcProxy("notification")

    @operation("GET", f"{API}/categories", "Bộ sản phẩm OCOP / OCOP criteria sets",
               "catalogue", response=CategorySchema, many=True)
    def list_categories(self, request):
        return self.evaluation.list_categories()

    @operation("GET", f"{API}/categories/<string:code>/criteria",
               "Bộ tiêu chí kiêm phiếu chấm / A criteria set, also the score sheet",
               "catalogue")
    def get_criteria_set(self, request, code):
        return self.evaluation.get_criteria_set(code)

    @operation("PUT", f"{API}/councils/<string:scope>",
               "Thành lập hội đồng (central hoặc province-<mã tỉnh>) / "
               "Set up a council (central or province-<code>)", "evaluation",
               body=CouncilSchema, response=CouncilViewSchema)
    def set_council(self, request, body, scope):
        return self.evaluation.set_council(scope, body)

    @operation("GET", f"{API}/councils/<string:scope>", "Hội đồng (công khai) / "
               "A council (public)", "evaluation", response=CouncilViewSchema)
    def get_council(self, request, scope):
        return self.evaluation.get_council(scope)

    @operation("GET", f"{API}/councils/<string:scope>/interests",
               "Xung đột lợi ích đã khai / The interests declared to a council",
               "evaluation", response=InterestsViewSchema)
    def list_interests(self, request, scope):
        return self.evaluation.council_interests(scope)

    @operation("POST", f"{API}/councils/<string:scope>/interests",
               "Khai báo xung đột lợi ích (của chính mình) / Declare your interest in a "
               "producer", "evaluation", status=201, body=InterestSchema,
               response=InterestsViewSchema)
    def declare_interest(self, request, body, scope):
        return self.evaluation.declare_interest(scope, body)

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
        if isinstance(body, dict) and isinstance(body.get("category"), str):
            codes = {c["code"] for c in self.evaluation.list_categories()}
            if body["category"] not in codes:
                raise InvalidInput(
                    "Bộ sản phẩm không có trong Quyết định 26/2026",
                    "The category is not a criteria set of Decision 26/2026",
                    [field_error("/category", "Mã bộ sản phẩm không tồn tại",
                                 "Unknown category code")])
        return self.registration.register_product(body)

    @operation("GET", f"{API}/products/<string:product_id>", "Sản phẩm / A product",
               "registration", response=ProductSchema)
    def get_product(self, request, product_id):
        return self.registration.get_product(product_id)

    @operation("POST", f"{API}/products/<string:product_id>/submission",
               "Gửi đánh giá, phân hạng / Submit for evaluation", "registration",
               status=202, body=SubmissionSchema, body_required=False,
               response=ProductSchema)
    def submit_product(self, request, body, product_id):
        return self.registration.submit_product(product_id, body)

    @operation("GET", f"{API}/evaluations", "Phiên đánh giá của sản phẩm / "
               "Evaluations of a product", "evaluation", response=EvaluationSchema,
               many=True, query={"product_id": "Mã sản phẩm / Product id"})
    def list_evaluations(self, request):
        return self.evaluation.evaluations_of_product(query_parameter(request, "product_id"))

    @operation("GET", f"{API}/evaluations/<string:evaluation_id>",
               "Phiên đánh giá / An evaluation", "evaluation", response=EvaluationSchema)
    def get_evaluation(self, request, evaluation_id):
        return self.evaluation.get_evaluation(evaluation_id)

    @operation("POST", f"{API}/evaluations/<string:evaluation_id>/reviews",
               "Yêu cầu của tổ tư vấn / An advisory group's request", "evaluation",
               status=201, body=ReviewSchema, response=EvaluationSchema)
    def request_review(self, request, body, evaluation_id):
        return self.evaluation.request_review(evaluation_id, body)

    @operation("POST", f"{API}/evaluations/<string:evaluation_id>/scores",
               "Phiếu chấm của thành viên hội đồng (chính mình) / Your score sheet",
               "evaluation", status=201, body=SheetSchema, response=EvaluationSchema)
    def record_sheet(self, request, body, evaluation_id):
        return self.evaluation.record_sheet(evaluation_id, body)

    @operation("PUT", f"{API}/evaluations/<string:evaluation_id>/scores/<string:member>",
               "Chấm lại phiếu của mình / Rescore your sheet", "evaluation",
               body=RescoreSchema, response=EvaluationSchema)
    def rescore(self, request, body, evaluation_id, member):
        return self.evaluation.rescore(evaluation_id, body)

    @operation("POST", f"{API}/evaluations/<string:evaluation_id>/decision",
               "Kết luận của hội đồng / The council's decision", "evaluation",
               body=DecisionSchema, body_required=False, response=EvaluationSchema)
    def decide(self, request, body, evaluation_id):
        return self.evaluation.decide(evaluation_id, body)

    @operation("GET", f"{API}/certificates/<string:code>",
               "Tra cứu giấy chứng nhận (công khai) / Verify a certificate (public)",
               "certification", response=VerificationSchema)
    def verify_certificate(self, request, code):
        return self.certification.verify(code)

    @operation("GET", f"{API}/certificates", "Giấy chứng nhận của sản phẩm / "
               "Certificates of a product", "certification", response=VerificationSchema,
               many=True, query={"product_id": "Mã sản phẩm / Product id"})
    def list_certificates(self, request):
        return self.certification.certificates_of_product(
            query_parameter(request, "product_id"))

    @operation("GET", f"{API}/notifications", "Hộp thư của chủ thể / A producer's inbox",
               "notification", response=MessageSchema, many=True,
               query={"producer_id": "Mã chủ thể / Producer id"})
    def list_notifications(self, request):
        return self.notification.inbox(query_parameter(request, "producer_id"))

    @operation("GET", f"{API}/audit", "Nhật ký thao tác / Audit trail: who did what, when",
               "audit", response=AuditEntrySchema, many=True, optional_query={
                   "province": "Mã tỉnh; mặc định là tỉnh của bạn / Province code; "
                               "yours by default",
                   "limit": "Tối đa / At most (1–500, 100)"})
    def read_audit_trail(self, request):
        limit = request.args.get("limit", "100")
        if not limit.isdigit() or not 1 <= int(limit) <= 500:
            raise InvalidInput("Tham số limit không hợp lệ", "limit must be 1 to 500",
                               [{"parameter": "limit", "detail": "1–500"}])
        entries = [entry for service in AUDITED for entry in
                   getattr(self, service).audit_trail(request.target.province, int(limit))]
        return sorted(entries, key=lambda e: e["at"], reverse=True)[:int(limit)]

    @http("GET", f"{API}/openapi.json")
    def openapi_document(self, request):
        return json_response(openapi.document(self.config.get("PUBLIC_BASE_URL", "")))

    @http("GET", f"{API}/docs")
    def docs_page(self, request):
        return Response(openapi.docs_page(), mimetype="text/html")

    @http("GET,POST,PUT,PATCH,DELETE", "/<path:path>")
    def unknown_route(self, request, path):
        return problem_response(request, 404, "Không tìm thấy / Not found",
                                f"Không có địa chỉ /{path} / No route /{path}")
