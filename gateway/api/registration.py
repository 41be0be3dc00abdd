"""Producers and products: the registration service's operations."""
from chassis.errors import InvalidInput, field_error
from gateway.api import API
from gateway.routes import operation, paging
from services.registration.schemas import (
    ImportReportSchema, ImportSchema, NewProducerSchema, NewProductSchema, ProducerSchema,
    ProducerSummarySchema, ProductSchema, SubmissionSchema)

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
