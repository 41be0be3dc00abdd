"""Recognition and certificates: the certification service's operations, and each
certificate's public face — its page, QR code and printable PDF (rendered in
``gateway.face``). The public reads of certificates are served from this process's read
model (``gateway.following``), rendered once per revision and day."""
import json

from chassis.errors import NotFound
from gateway.api import API
from gateway.face import links, page, pdf, qr
from gateway.routes import filters_asked, operation, paging, query_parameter
from services.certification.schemas import RecognitionSchema, RevocationSchema, \
    VerificationSchema

CERTIFICATE = f"{API}/certificates/<string:code>"
LIST_FILTERS = {
    "province": ("Mã tỉnh, thành phố (2 chữ số) / Province code (2 digits)",
                 {"type": "string", "pattern": r"^\d{2}$"}),
    "commune": ("Mã xã, phường (5 chữ số) / Commune or ward code (5 digits)",
                {"type": "string", "pattern": r"^\d{5}$"}),
    "category": ("Mã bộ sản phẩm (2 chữ số) / Product set code (2 digits)",
                 {"type": "string", "pattern": r"^\d{2}$"}),
    "stars": ("Số sao: 3, 4 hoặc 5 / Stars: 3, 4 or 5", {"type": "integer", "enum": [3, 4, 5]}),
}  # checked by services/certification/listing.py
# Where the certified products are sold (trade promotion), also checked there.
SOLD_AT_FILTERS = {
    "point_of_sale": ("Bày bán tại điểm bán này / Carried at this point of sale (its id)",
                      {"type": "string"}),
    "sold_in": ("Bày bán tại điểm bán của tỉnh này / Carried at a point of sale in this "
                "province (2 digits)", {"type": "string", "pattern": r"^\d{2}$"}),
    "platform": ("Có gian hàng trên sàn thương mại điện tử này / Listed on this e-commerce "
                 "platform (its name, accents and case ignored)", {"type": "string"}),
}
CERTIFIED_PRODUCT_FILTERS = {**LIST_FILTERS, **SOLD_AT_FILTERS}
CERTIFICATE_FILTERS = {
    "product_id": ("Mã sản phẩm / Product id", {"type": "string"}),
    **LIST_FILTERS,
    "status": ("Trạng thái trong ngày: valid (còn hiệu lực), expired (hết hạn), superseded "
               "(được thay thế), revoked (bị thu hồi) / Status on the day",
               {"type": "string", "enum": ["valid", "expired", "superseded", "revoked"]}),
}


def verification_json(view):
    return json.dumps(VerificationSchema().dump(view), ensure_ascii=False)


class CertificationApi:
    @property
    def base_url(self):
        """Where the public reaches this gateway (PUBLIC_BASE_URL): the QR's addresses."""
        return self.config["PUBLIC_BASE_URL"]

    def public_face(self, kind, code, render):
        """``render(view)`` of the certificate ``code``, kept per revision and day."""
        return self.public_certificates.render(kind, code, render, self.certification.verify)

    @operation("POST", f"{API}/evaluations/<string:evaluation_id>/recognition",
               "Quyết định công nhận kết quả, cấp giấy chứng nhận / Recognise a completed "
               "result and issue its certificate", "certification", status=201,
               body=RecognitionSchema, response=VerificationSchema)
    def recognise_result(self, request, body, evaluation_id):
        certificate = self.certification.recognise(evaluation_id, body)
        self.public_certificates.keep(certificate)
        return certificate

    @operation("POST", f"{CERTIFICATE}/revocation",
               "Thu hồi giấy chứng nhận / Revoke a certificate", "certification",
               body=RevocationSchema, response=VerificationSchema)
    def revoke_certificate(self, request, body, code):
        certificate = self.certification.revoke(code, body)
        self.public_certificates.keep(certificate)
        return certificate

    @operation("GET", CERTIFICATE,
               "Tra cứu giấy chứng nhận (công khai) / Verify a certificate (public)",
               "certification", response=VerificationSchema, revalidated=True)
    def verify_certificate(self, request, code):
        return self.public_face("json", code, verification_json)

    @operation("GET", f"{API}/certificates", "Giấy chứng nhận theo sản phẩm, tỉnh, bộ sản "
               "phẩm, số sao, trạng thái (công khai) / Certificates by product, province, "
               "category, stars and status (public)", "certification",
               response=VerificationSchema, paged=True, optional_query=CERTIFICATE_FILTERS,
               revalidated=True)
    def list_certificates(self, request):
        return self.public_certificates.listed(
            filters_asked(request, CERTIFICATE_FILTERS), **paging(request),
            render=verification_json, listed=self.certification.certificates)

    @operation("GET", f"{API}/certified-products",
               "Sản phẩm OCOP đang có hiệu lực, cả theo nơi bán (công khai) / Certified "
               "products in force, also by where they are sold (public)", "certification",
               response=VerificationSchema, paged=True,
               optional_query=CERTIFIED_PRODUCT_FILTERS, revalidated=True)
    def list_certified_products(self, request):
        asked = filters_asked(request, CERTIFIED_PRODUCT_FILTERS)
        # Where products are sold is trade promotion's, kept by certification alone: a
        # list filtered by it is certification's page, the others this process's.
        return self.public_certificates.in_force(
            asked, **paging(request), render=verification_json,
            listed=self.certification.certified_products,
            followed=not asked.keys() & SOLD_AT_FILTERS.keys())

    @operation("GET", "/verify/<string:code>",
               "Trang tra cứu giấy chứng nhận (công khai) / A certificate's verification "
               "page (public)", "certification", produces="text/html",
               problem_page=page.problem_page, revalidated=True)
    def verification_page(self, request, code):
        return self.public_face("page", code, page.certificate_page)

    @operation("GET", "/01/<string:gtin>",
               "Trang tra cứu theo GS1 Digital Link (công khai) / The verification page "
               "at a certificate's GS1 Digital Link (public)", "certification",
               produces="text/html", problem_page=page.problem_page,
               query={links.CERTIFICATE_PARAMETER: "Số giấy chứng nhận / Certificate number"},
               revalidated=True)
    def digital_link_page(self, request, gtin):
        number = query_parameter(request, links.CERTIFICATE_PARAMETER)

        def linked_page(view):
            if not view.get("gtin") or links.gtin14(view["gtin"]) != gtin:
                raise NotFound(f"Không có giấy chứng nhận {number} cho mã GTIN {gtin}",
                               f"No certificate {number} for GTIN {gtin}")
            return page.certificate_page(view)
        return self.public_face(("page", gtin), number, linked_page)

    @operation("GET", f"{CERTIFICATE}/qr.svg",
               "Mã QR của giấy chứng nhận (SVG) / A certificate's QR code (SVG)",
               "certification", produces="image/svg+xml", revalidated=True)
    def certificate_qr_svg(self, request, code):
        return self.public_face("qr.svg", code,
                                lambda view: qr.svg(links.qr_url(self.base_url, view)))

    @operation("GET", f"{CERTIFICATE}/qr.png",
               "Mã QR của giấy chứng nhận (PNG) / A certificate's QR code (PNG)",
               "certification", produces="image/png", revalidated=True)
    def certificate_qr_png(self, request, code):
        return self.public_face("qr.png", code,
                                lambda view: qr.png(links.qr_url(self.base_url, view)))

    @operation("GET", f"{CERTIFICATE}/certificate.pdf",
               "Bản in giấy chứng nhận (PDF) / A printable certificate (PDF)",
               "certification", produces="application/pdf", revalidated=True)
    def certificate_pdf(self, request, code):
        return self.public_face("pdf", code,
                                lambda view: pdf.certificate_pdf(view, self.base_url))
