"""Criteria sets, councils and evaluations: the evaluation service's operations."""
from gateway.api import API
from gateway.routes import filters_asked, if_match, operation, paging
from services.evaluation.schemas import LEVELS, STATUSES, ApprovalSchema, CategorySchema, \
    CouncilSchema, CouncilViewSchema, CriteriaSetSchema, DecisionSchema, EvaluationSchema, \
    InterestSchema, InterestsViewSchema, MeetingSchema, OfficeReportSchema, \
    ProvincialEvaluationOrderSchema, RescoreSchema, ReviewSchema, SheetSchema, SheetViewSchema

LIST_FILTERS = ("product_id", "scope", "status", "round", "level", "waiting_for_me")


class EvaluationApi:
    @operation("GET", f"{API}/categories", "Bộ sản phẩm OCOP / OCOP criteria sets",
               "catalogue", response=CategorySchema, many=True, revalidated=True)
    def list_categories(self, request):
        return self.catalogue.categories(self.evaluation)[1]

    @operation("GET", f"{API}/categories/<string:code>/criteria",
               "Bộ tiêu chí kiêm phiếu chấm / A criteria set, also the score sheet",
               "catalogue", response=CriteriaSetSchema, revalidated=True)
    def get_criteria_set(self, request, code):
        return self.catalogue.criteria_set(self.evaluation, code)[1]

    @operation("PUT", f"{API}/councils/<string:scope>",
               "Thành lập hội đồng (central hoặc province-<mã tỉnh>) / "
               "Set up a council (central or province-<code>); to change one, send "
               "If-Match with its ETag", "evaluation",
               body=CouncilSchema, response=CouncilViewSchema, etag=True, if_match=True)
    def set_council(self, request, body, scope):
        return self.evaluation.set_council(scope, body, if_match(request))

    @operation("GET", f"{API}/councils/<string:scope>", "Hội đồng (công khai) / "
               "A council (public)", "evaluation", response=CouncilViewSchema, etag=True)
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

    @operation("GET", f"{API}/evaluations", "Phiên đánh giá của một sản phẩm hoặc một hội "
               "đồng, mới nhất trước / Evaluations of a product or of a council, newest first",
               "evaluation", response=EvaluationSchema, paged=True, optional_query={
                   "product_id": "Mã sản phẩm / Product id",
                   "scope": ("Hội đồng: central hoặc province-<mã tỉnh> / The council: "
                             "central or province-<code>",
                             {"type": "string", "pattern": r"^(central|province-\d{2})$"}),
                   "status": ("Trạng thái / Status", {"type": "string",
                                                      "enum": list(STATUSES)}),
                   "round": "Đợt đánh giá, vd. province-2026-1 / Round id",
                   "level": ("Cấp / Level", {"type": "string", "enum": list(LEVELS)}),
                   "waiting_for_me": ("Chỉ phiên bạn còn phải chấm (cần scope) / Only those "
                                      "you have still to score (needs scope)",
                                      {"type": "boolean"})})
    def list_evaluations(self, request):
        filters = filters_asked(request, LIST_FILTERS)
        return self.evaluation.list_evaluations(filters, **paging(request))

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

    @operation("GET", f"{API}/evaluations/<string:evaluation_id>/scores/<string:member>",
               "Phiếu chấm của mình, kèm ETag / Your sheet, with its ETag", "evaluation",
               response=SheetViewSchema, etag=True)
    def get_sheet(self, request, evaluation_id, member):
        return self.evaluation.get_sheet(evaluation_id, member)

    @operation("PUT", f"{API}/evaluations/<string:evaluation_id>/scores/<string:member>",
               "Chấm lại phiếu của mình (If-Match: ETag của phiếu) / Rescore your sheet "
               "(If-Match: the sheet's ETag)", "evaluation",
               body=RescoreSchema, response=EvaluationSchema, if_match=True)
    def rescore(self, request, body, evaluation_id, member):
        return self.evaluation.rescore(evaluation_id, body, if_match(request))

    @operation("POST", f"{API}/evaluations/<string:evaluation_id>/decision",
               "Kết luận của hội đồng / The council's decision", "evaluation",
               body=DecisionSchema, body_required=False, response=EvaluationSchema)
    def decide(self, request, body, evaluation_id):
        return self.evaluation.decide(evaluation_id, body)

    @operation("POST", f"{API}/evaluations/<string:evaluation_id>/meeting",
               "Chủ tịch hội đồng triệu tập họp vì nội dung phức tạp cần thảo luận (Điều "
               "7.6.d) / The council's chair calls a re-rating's meeting: its content is "
               "complex", "evaluation", body=MeetingSchema, response=EvaluationSchema)
    def call_meeting(self, request, body, evaluation_id):
        return self.evaluation.call_meeting(evaluation_id, body)

    @operation("POST", f"{API}/evaluations/<string:evaluation_id>/approval",
               "Chủ tịch UBND tỉnh phê duyệt (hoặc không) kết quả có tiềm năng đạt 5 sao để "
               "đề nghị Bộ đánh giá (Điều 7.3.e) / The provincial chair approves (or not) a "
               "potential 5★ result for the ministry", "evaluation",
               body=ApprovalSchema, response=EvaluationSchema)
    def decide_on_approval(self, request, body, evaluation_id):
        return self.evaluation.decide_on_approval(evaluation_id, body)

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
