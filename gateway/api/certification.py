"""Recognition and certificates: the certification service's operations."""
from gateway.api import API
from gateway.routes import operation, query_parameter
from services.certification.schemas import RecognitionSchema, RevocationSchema, \
    VerificationSchema


class CertificationApi:
    @operation("POST", f"{API}/evaluations/<string:evaluation_id>/recognition",
               "Quyết định công nhận kết quả, cấp giấy chứng nhận / Recognise a completed "
               "result and issue its certificate", "certification", status=201,
               body=RecognitionSchema, response=VerificationSchema)
    def recognise_result(self, request, body, evaluation_id):
        return self.certification.recognise(evaluation_id, body)

    @operation("POST", f"{API}/certificates/<string:code>/revocation",
               "Thu hồi giấy chứng nhận / Revoke a certificate", "certification",
               body=RevocationSchema, response=VerificationSchema)
    def revoke_certificate(self, request, body, code):
        return self.certification.revoke(code, body)

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
