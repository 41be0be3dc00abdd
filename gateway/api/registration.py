"""Producers and products: the registration service's operations."""
from chassis.errors import InvalidInput, field_error
from gateway.api import API
from gateway.routes import operation
from services.registration.schemas import (
    NewProducerSchema, NewProductSchema, ProducerSchema, ProductSchema, SubmissionSchema)


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
