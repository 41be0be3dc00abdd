"""One declaration per API operation: the nameko HTTP entrypoint and its OpenAPI entry."""
import json
import logging
import re
from dataclasses import dataclass, field
from functools import wraps
from urllib.parse import urlencode

from nameko.exceptions import UnknownService
from werkzeug.wrappers import Response

from chassis import correlation, pages
from chassis.errors import OcopError
from chassis.identity import Identity
from chassis.rpc import NoAnswer  # also: refusals arrive over RPC as their own classes
from chassis.web import http
from gateway.policy import POLICY, authorize
from gateway.problems import Problem, json_response, problem_response

log = logging.getLogger(__name__)

# When a client may try again after a service gave no answer: about the time a stopped
# service takes to be restarted.
UNAVAILABLE_RETRY_AFTER_SECONDS = 5


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    tag: str
    status: int = 200
    body: object = None
    body_required: bool = True
    response: object = None
    many: bool = False
    paged: bool = False  # a list read page by page (chassis.pages): limit, cursor, Link
    query: dict = field(default_factory=dict)
    optional_query: dict = field(default_factory=dict)
    public: bool = False
    name: str = ""
    # Not JSON: the handler returns the body (bytes or text) in this media type.
    produces: str = "application/json"
    # How a refusal looks to a person (an HTML operation): (status, title, detail) → page.
    # Without it refusals are problem+json, as everywhere in the API.
    problem_page: object = None

    def __post_init__(self):
        self.many = self.many or self.paged

    @property
    def openapi_path(self):
        return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", self.path)

    @property
    def path_parameters(self):
        return re.findall(r"<(?:\w+:)?(\w+)>", self.path)


OPERATIONS = []


def read_json(request):
    """The request's JSON body; None when it has none (for operations whose body is
    optional: the service decides). The server has already read it, bounded (chassis.web)."""
    if not request.get_data():
        return None
    if request.mimetype != "application/json":
        raise Problem(415, "Sai kiểu dữ liệu / Unsupported media type",
                      "Gửi dữ liệu dạng application/json / Send application/json")
    try:
        body = json.loads(request.get_data(as_text=True), parse_constant=refuse_constant)
        json.dumps(body, ensure_ascii=False).encode("utf-8")  # lone surrogates
    except (ValueError, UnicodeError) as exc:
        raise Problem(400, "JSON không hợp lệ / Malformed JSON",
                      f"Không đọc được JSON: {exc} / Could not parse the JSON: {exc}") from None
    return body


def refuse_constant(name):
    raise ValueError(f"{name} is not a JSON number")


def operation(method, path, summary, tag, **details):
    """Declare an API operation. Its rule in ``gateway.policy.POLICY`` decides who may call
    it; the handler gets the request, the parsed JSON body when the operation has one, and
    the path parameters, and returns the response body: data for the response schema, or
    for an operation that ``produces`` another media type, the bytes or text themselves.
    The object the policy located is ``request.target``."""
    op = Operation(method, path, summary, tag, **details)
    OPERATIONS.append(op)

    def decorate(handler):
        op.name = handler.__name__
        op.public = POLICY[op.name].public  # a route without a rule stops the gateway here

        @wraps(handler)
        def entrypoint(self, request, **path_parameters):
            rule = POLICY[op.name]
            try:
                body, headers = answer(self, rule, op, handler, request, path_parameters)
                response = json_response(body, op.status) if op.produces == JSON else \
                    Response(body, op.status, mimetype=op.produces)
                response.headers.extend(headers)
            except (Problem, OcopError) as exc:
                response = refusal(op, request, exc.status, exc.title, exc.detail,
                                   exc.errors, getattr(exc, "headers", None))
            except (NoAnswer, UnknownService) as exc:
                # A request still waiting for its service expires with the call: not run later.
                log.error("%s %s: a service did not answer: %r", method, path, exc)
                response = refusal(
                    op, request, 503, "Dịch vụ tạm thời không sẵn sàng / Service unavailable",
                    "Dịch vụ không trả lời kịp; vui lòng thử lại sau / A service did not "
                    "answer in time; please retry later",
                    headers={"Retry-After": str(UNAVAILABLE_RETRY_AFTER_SECONDS)})
            except Exception:  # a fault here or in a service: logged, and still a problem
                log.exception("%s %s failed", method, path)
                response = refusal(
                    op, request, 500, "Lỗi hệ thống / Internal error",
                    "Đã ghi nhận lỗi; vui lòng thử lại sau / The error was logged; "
                    "please retry later")
            response.headers[correlation.HEADER] = correlation.current()
            log.info("%s %s %s", method, request.path, response.status_code)
            if not (rule.public and method == "GET"):
                response.headers["Cache-Control"] = "no-store"  # answers may be personal
            return response

        return http(method, path)(entrypoint)

    return decorate


JSON = "application/json"


def refusal(op, request, status, title, detail, errors=(), headers=None):
    """problem+json, or for an operation that answers people with pages, a page saying
    the same with the same status."""
    if op.problem_page is None:
        return problem_response(request, status, title, detail, errors, headers)
    return Response(op.problem_page(status, title, detail), status, headers=headers,
                    mimetype="text/html")


def answer(service, rule, op, handler, request, path_parameters):
    """Who calls, whether they may, then the call itself, as that caller."""
    address = service.limits.client_address(request)
    if rule.limit:  # before the token is read: a flood of bad tokens is counted too
        service.limits.check(rule.limit, f"address:{address}")
    identity = service.signin.identity(request.headers.get("Authorization"))
    if rule.limit and identity:
        service.limits.check(rule.limit, f"subject:{identity.subject}")
    for name in op.query:
        query_parameter(request, name)
    args = (read_json(request),) if op.body is not None else ()
    body = args[0] if args and isinstance(args[0], dict) else {}
    values = {**request.args.to_dict(), **body, **path_parameters}
    # Every RPC call is bounded by RPC_TIMEOUT_SECONDS (chassis.rpc.BoundedRpcProxy).
    request.target = authorize(rule, identity, service, values)
    service.caller.act_as(identity.at(address) if identity else Identity.anonymous(address),
                          request.target)
    result = handler(service, request, *args, **path_parameters)
    headers = {}
    if op.paged:
        if result["next"]:
            headers["Link"] = f'<{next_page(request, result["next"])}>; rel="next"'
        result = result["items"]
    if op.response is not None:
        result = op.response(many=op.many).dump(result)
    return result, headers


def paging(request):
    """The page a paged operation is asked for: ``limit`` and ``cursor`` for
    ``chassis.pages.page``, which checks them."""
    limit = request.args.get("limit", str(pages.DEFAULT_LIMIT)).strip()
    return {"limit": pages.checked_limit(int(limit) if limit.isdigit() else limit),
            "cursor": request.args.get("cursor") or None}


def next_page(request, cursor):
    """The same request, one page on: a reference relative to the API's own host."""
    return f"{request.path}?{urlencode({**request.args.to_dict(), 'cursor': cursor})}"


def query_parameter(request, name):
    value = request.args.get(name, "").strip()
    if not value:
        raise OcopError(f"Thiếu tham số {name}", f"The query parameter {name} is required",
                        [{"parameter": name, "detail": "Bắt buộc / Required"}])
    return value
