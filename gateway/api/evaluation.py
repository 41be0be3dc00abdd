"""Criteria sets, councils and evaluations: the evaluation service's operations."""
from gateway.api import API
from gateway.routes import operation, query_parameter
from services.evaluation.schemas import CategorySchema, CouncilSchema, CouncilViewSchema, \
    DecisionSchema, EvaluationSchema, InterestSchema, InterestsViewSchema, \
    OfficeReportSchema, ProvincialEvaluationOrderSchema, RescoreSchema, ReviewSchema, \
    SheetSchema


class EvaluationApi:
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

    @operation("POST", f"{API}/evaluations/<string:evaluation_id>/provincial-evaluation",
               "Tỉnh tổ chức đánh giá lại sản phẩm bị trả về từ cấp trung ương (Điều 7.4.g) / "
               "The province evaluates a product the ministry handed back", "evaluation",
               body=ProvincialEvaluationOrderSchema, response=EvaluationSchema)
    def order_provincial_evaluation(self, request, body, evaluation_id):
        return self.evaluation.order_provincial_evaluation(evaluation_id, body)

    @operation("POST", f"{API}/evaluations/<string:evaluation_id>/office-report",
               "Báo cáo của cơ quan tham mưu tỉnh về đánh giá lại sản phẩm 5 sao, gửi Bộ "
               "(Điều 6.3.b) / The province office's report on a 5★ re-rating, sent to the "
               "ministry", "evaluation", body=OfficeReportSchema, response=EvaluationSchema)
    def report_five_star_re_rating(self, request, body, evaluation_id):
        return self.evaluation.report_five_star_re_rating(evaluation_id, body)
