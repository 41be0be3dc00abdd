"""The gateway's HTTP API, version 1: the operations of each area (``gateway/api/``), the
services they call, and the API's own documents."""
from nameko.dependency_providers import Config

from chassis.audit import Caller
from chassis.mongo import MongoDatabase
from chassis.rpc import BoundedRpcProxy
from chassis.web import OperationsEndpoints, http
from gateway import docs, idempotency, openapi
from gateway.ahead import PublicReadsAhead
from gateway.api import API
from gateway.api.audit import AuditApi
from gateway.api.certification import CertificationApi
from gateway.api.evaluation import EvaluationApi
from gateway.api.notification import NotificationApi
from gateway.api.promotion import PromotionApi
from gateway.api.plans import PlansApi
from gateway.api.registration import RegistrationApi
from gateway.catalogue import CachedCatalogue
from gateway.cors import Cors
from gateway.following import CertificateFollower
from gateway.limits import RateLimits
from gateway.problems import json_response, problem_response
from gateway.routes import methods_at
from gateway.signin import SignIn


class GatewayService(RegistrationApi, EvaluationApi, CertificationApi, PromotionApi,
                     NotificationApi, PlansApi, AuditApi, OperationsEndpoints):
    name = "gateway"

    config = Config()
    signin = SignIn()
    limits = RateLimits()
    caller = Caller()
    cors = Cors()
    # The gateway's own records (idempotency keys): no domain data.
    db = MongoDatabase(idempotency.prepare)
    registration = BoundedRpcProxy("registration")
    evaluation = BoundedRpcProxy("evaluation")
    certification = BoundedRpcProxy("certification")
    notification = BoundedRpcProxy("notification")
    # Public reads without a call per request: the certificates, followed by events, and
    # the catalogue of criteria sets, kept for a while.
    public_certificates = CertificateFollower()
    catalogue = CachedCatalogue()
    # ...answered ahead of the workers once held (gateway.ahead).
    public_reads_ahead = PublicReadsAhead()

    @property
    def idempotency(self):
        return idempotency.IdempotencyKeys(
            self.db, self.config.get("IDEMPOTENCY_TTL_HOURS", idempotency.DEFAULT_TTL_HOURS),
            self.config.get("IDEMPOTENCY_LEASE_SECONDS", idempotency.DEFAULT_LEASE_SECONDS))

    @http("GET", f"{API}/openapi.json")
    def openapi_document(self, request):
        return self.cors.decorate(request, json_response(
            openapi.document(self.config.get("PUBLIC_BASE_URL", ""))))

    @http("GET", f"{API}/docs")
    def docs_page(self, request):
        return docs.page(API)

    @http("GET", f"{API}/docs/assets/start.js")
    def docs_start_script(self, request):
        return docs.start_script(API)

    @http("GET", f"{API}/docs/assets/<string:name>")
    def docs_asset(self, request, name):
        return docs.asset(name) or self.unknown_route(request, f"{API}/docs/assets/{name}"[1:])

    @http("GET,HEAD,POST,PUT,PATCH,DELETE,OPTIONS", "/<path:path>")
    def unknown_route(self, request, path):
        """A path the API does not serve (404), or not with this method (405, ``Allow``);
        ``OPTIONS`` on a path it serves: what it allows, and the CORS preflight."""
        methods = methods_at(request.path)
        if methods and request.method == "OPTIONS":
            return self.cors.preflight(request, methods)
        if methods:
            response = problem_response(
                request, 405, "Phương thức không được hỗ trợ / Method not allowed",
                f"{request.path} chỉ nhận {', '.join(methods)} / "
                f"{request.path} allows {', '.join(methods)}",
                headers={"Allow": ", ".join(methods)})
        else:
            response = problem_response(request, 404, "Không tìm thấy / Not found",
                                        f"Không có địa chỉ /{path} / No route /{path}")
        return self.cors.decorate(request, response)
