"""A province's plans and their progress, and the programme's statistics: certification's
read model (``services/certification/reporting.py``), as JSON, spreadsheets (CSV, XLSX),
charts (SVG) and the province's report page (rendered in ``gateway.face.reports``)."""
from gateway.api import API
from gateway.face import page, reports
from gateway.routes import if_match, operation
from services.certification.plan_schemas import (
    ProgressSchema, ProvincePlanSchema, ProvincePlanViewSchema, ReportSchema, StatisticsSchema)

# The year is digits: ``/plans/{plan_id}/decision`` and ``/support`` are business plans'.
PLAN = f"{API}/plans/<string:province>/<int:year>"
PROGRESS = f"{PLAN}/progress"
STATISTICS = f"{API}/statistics"
PROVINCE_QUERY = {"province": ("Mã tỉnh, thành phố (2 chữ số); mặc định: tỉnh của người "
                               "gọi, cả nước cho cấp trung ương / Province code (2 digits); "
                               "by default the caller's, the whole country for the "
                               "ministry", {"type": "string", "pattern": r"^\d{2}$"})}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def province_asked(request):
    """The province the statistics are asked for: the query's when it names one (even an
    empty one, which the service refuses), else the policy's (the caller's own, none for
    the ministry)."""
    asked = request.args.get("province")
    return request.target.province if asked is None else asked


class PlansApi:
    @operation("PUT", PLAN, "Ghi kế hoạch OCOP năm của tỉnh; sửa thì gửi If-Match với ETag "
               "/ Record the province's plan for the year; to change it, send If-Match with "
               "its ETag", "plans", body=ProvincePlanSchema, response=ProvincePlanViewSchema,
               etag=True, if_match=True)
    def record_province_plan(self, request, body, province, year):
        return self.certification.record_plan(province, year, body, if_match(request))

    @operation("GET", PLAN, "Kế hoạch OCOP năm của tỉnh / The province's plan for the year",
               "plans", response=ProvincePlanViewSchema, etag=True)
    def get_province_plan(self, request, province, year):
        return self.certification.province_plan(province, year)

    @operation("POST", f"{PLAN}/reports", "Báo cáo số liệu không có từ sự kiện (đào tạo, "
               "tuyên truyền, củng cố tổ chức) / Report a figure no event gives (training, "
               "communes informed, organisations strengthened)", "plans", body=ReportSchema,
               response=ProgressSchema)
    def report_plan_figure(self, request, body, province, year):
        return self.certification.report_figure(province, year, body)

    @operation("GET", PROGRESS, "Tiến độ thực hiện kế hoạch: chỉ tiêu và kết quả / The "
               "plan's progress: each target beside its actual figure", "plans",
               response=ProgressSchema)
    def plan_progress(self, request, province, year):
        return self.certification.plan_progress(province, year)

    @operation("GET", f"{PROGRESS}.csv", "Tiến độ kế hoạch (CSV) / The plan's progress "
               "(CSV)", "plans", produces="text/csv")
    def plan_progress_csv(self, request, province, year):
        return reports.as_csv(reports.PROGRESS_HEADERS, reports.progress_rows(
            self.certification.plan_progress(province, year)))

    @operation("GET", f"{PROGRESS}.xlsx", "Tiến độ kế hoạch (Excel) / The plan's progress "
               "(XLSX)", "plans", produces=XLSX)
    def plan_progress_xlsx(self, request, province, year):
        return reports.as_xlsx("Tiến độ kế hoạch", reports.PROGRESS_HEADERS,
                               reports.progress_rows(
                                   self.certification.plan_progress(province, year)))

    @operation("GET", f"{PROGRESS}.svg", "Biểu đồ tiến độ theo chỉ tiêu (SVG) / Progress "
               "against each target (SVG chart)", "plans", produces="image/svg+xml")
    def plan_progress_svg(self, request, province, year):
        return reports.progress_chart(self.certification.plan_progress(province, year))

    @operation("GET", f"{PLAN}/report", "Trang báo cáo của tỉnh: tiến độ và thống kê, có "
               "biểu đồ / The province's report page: progress and statistics, with charts",
               "plans", produces="text/html", problem_page=page.problem_page)
    def plan_report_page(self, request, province, year):
        return reports.report_page(self.certification.plan_progress(province, year),
                                   self.certification.statistics(province))

    @operation("GET", STATISTICS, "Thống kê theo tỉnh, xã, bộ sản phẩm, ngành, số sao, cấp, "
               "năm và giai đoạn / Statistics by province, commune, product set, sector, "
               "stars, level, year and stage", "plans", response=StatisticsSchema,
               optional_query=PROVINCE_QUERY)
    def statistics(self, request):
        return self.certification.statistics(province_asked(request))

    @operation("GET", f"{STATISTICS}.csv", "Thống kê (CSV) / Statistics (CSV)", "plans",
               produces="text/csv", optional_query=PROVINCE_QUERY)
    def statistics_csv(self, request):
        return reports.as_csv(reports.STATISTICS_HEADERS, reports.statistics_rows(
            self.certification.statistics(province_asked(request))))

    @operation("GET", f"{STATISTICS}.xlsx", "Thống kê (Excel) / Statistics (XLSX)", "plans",
               produces=XLSX, optional_query=PROVINCE_QUERY)
    def statistics_xlsx(self, request):
        return reports.as_xlsx("Thống kê", reports.STATISTICS_HEADERS, reports.statistics_rows(
            self.certification.statistics(province_asked(request))))

    @operation("GET", f"{STATISTICS}/stars-by-category.svg", "Biểu đồ sản phẩm theo bộ sản "
               "phẩm và số sao (SVG) / Stars by product set (SVG chart)", "plans",
               produces="image/svg+xml", optional_query=PROVINCE_QUERY)
    def stars_by_category_svg(self, request):
        return reports.stars_by_category_chart(
            self.certification.statistics(province_asked(request)))

    @operation("GET", f"{STATISTICS}/certificates-by-year.svg", "Biểu đồ giấy chứng nhận theo "
               "năm (SVG) / Certificates by year (SVG chart)", "plans",
               produces="image/svg+xml", optional_query=PROVINCE_QUERY)
    def certificates_by_year_svg(self, request):
        return reports.certificates_by_year_chart(
            self.certification.statistics(province_asked(request)))
