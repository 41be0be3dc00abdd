"""The gateway's HTTP API, version 1: the operations of each area (``gateway/api/``), the
services they call, and the API's own documents."""
from nameko.dependency_providers import Config
from werkzeug.wrappers import Response

from chassis.audit import Caller
from chassis.rpc import BoundedRpcProxy
from chassis.web import OperationsEndpoints, http
from gateway import openapi
from gateway.api import API
from gateway.api.audit import AuditApi
from gateway.api.certification import CertificationApi
from gateway.api.evaluation import EvaluationApi
from gateway.api.notification import NotificationApi
from gateway.api.registration import RegistrationApi
from gateway.limits import RateLimits
from gateway.problems import json_response, problem_response
from gateway.signin import SignIn


class GatewayService(RegistrationApi, EvaluationApi, CertificationApi, NotificationApi,
                     AuditApi, OperationsEndpoints):
    name = "gateway"

    config = Config()
    signin = SignIn()
    limits = RateLimits()
    caller = Caller()
    registration = BoundedRpcProxy("registration")
    evaluation = BoundedRpcProxy("evaluation")
    certification = BoundedRpcProxy("certification")
    notification = BoundedRpcProxy("notification")

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
