"""Certificates: the certification service's operations."""
from gateway.api import API
from gateway.routes import operation, query_parameter
from services.certification.schemas import VerificationSchema


class CertificationApi:
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
