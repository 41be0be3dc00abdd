"""One declaration per API operation: the nameko HTTP entrypoint and its OpenAPI entry.

What every operation gets without code of its own: sign-in, the policy, rate limits,
problems in the caller's language (``gateway.problems``), strict JSON bodies,
``Idempotency-Key`` on every POST (``gateway.idempotency``), ``ETag`` on reads and
``If-Match`` on updates where the operation declares them, pagination, CORS."""
import json
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from functools import wraps
from urllib.parse import urlencode

from pymongo.errors import PyMongoError
from werkzeug.wrappers import Response

from chassis import correlation, pages
from chassis.errors import InvalidInput, OcopError
from chassis.identity import Identity
from chassis.rpc import unavailable  # refusals arrive over RPC as their own classes
from chassis.web import http
from gateway.policy import POLICY, authorize
from gateway.problems import Problem, json_response, refusal_response
from gateway.rendered import Rendered

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
    query: dict = field(default_factory=dict)  # name → description, or (description, schema)
    optional_query: dict = field(default_factory=dict)
    etag: bool = False  # the answer carries the resource's revision: sent as ETag
    # A public read rendered once and kept (``Rendered``): ETag, Cache-Control, and 304
    # for a client that sends the current ETag in If-None-Match.
    revalidated: bool = False
    if_match: bool = False  # an update that takes If-Match (``if_match(request)``)
    public: bool = False
    name: str = ""
    # Not JSON: the handler returns the body (bytes or text) in this media type.
    produces: str = "application/json"
    # How a refusal looks to a person (an HTML operation): (status, title, detail) → page.
    # Without it refusals are problem+json, as everywhere in the API.
    problem_page: object = None
    handler: object = None  # the function the operation's entrypoint runs

    def __post_init__(self):
        self.many = self.many or self.paged

    @property
    def openapi_path(self):
        return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", self.path)

    @property
    def path_parameters(self):
        return re.findall(r"<(?:\w+:)?(\w+)>", self.path)

    def path_schema(self, name):
        """A path parameter's JSON schema: an integer for werkzeug's ``int`` converter."""
        return {"type": "integer"} if f"<int:{name}>" in self.path else {"type": "string"}

    def matches(self, path):
        """Whether ``path`` is this operation's (any value of its path parameters; digits
        only for an ``int`` one, as werkzeug routes)."""
        escaped = re.escape(self.path).replace(r"\<", "<").replace(r"\>", ">")
        pattern = re.sub(r"<(?:\w+:)?\w+>", "[^/]+", re.sub(r"<int:\w+>", r"\\d+", escaped))
        return re.fullmatch(pattern, path) is not None


OPERATIONS = []


# Deeper than any body of the API needs; the parser's recursion is never reached.
MAX_JSON_DEPTH = 32
# Characters that make a text lie about itself: controls, and the invisible marks that
# reorder what is displayed (bidi overrides, "Trojan Source"). Line breaks and tabs are
# allowed in free text, not in names.
BIDI_CONTROLS = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                    "\u2066\u2067\u2068\u2069")
LINE_BREAKS = set("\t\n\r")


def read_json(request):
    """The request's JSON body; None when it has none (for operations whose body is
    optional: the service decides). The server has already read it, bounded (chassis.web).
    Refused, before anything is stored: another media type (415); invalid UTF-8, malformed
    JSON, duplicate keys, nesting deeper than ``MAX_JSON_DEPTH`` (400); control or bidi
    characters in a text (422, naming the field)."""
    raw = request.get_data()
    if not raw:
        return None
    if request.mimetype != "application/json":
        raise Problem(415, "Sai kiểu dữ liệu / Unsupported media type",
                      "Gửi dữ liệu dạng application/json / Send application/json")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise malformed(f"UTF-8 không hợp lệ ở byte {exc.start}",
                        f"invalid UTF-8 at byte {exc.start}") from None
    if nesting(text) > MAX_JSON_DEPTH:
        raise malformed(f"lồng sâu quá {MAX_JSON_DEPTH} cấp",
                        f"nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        body = json.loads(text, parse_constant=refuse_constant, object_pairs_hook=unique_keys)
        json.dumps(body, ensure_ascii=False).encode("utf-8")  # lone surrogates
    except (ValueError, UnicodeError) as exc:
        raise malformed(f"không đọc được: {exc}", f"could not parse it: {exc}") from None
    errors = list(unsafe_texts(body))
    if errors:
        raise InvalidInput("Có ký tự điều khiển hoặc ký tự đảo chiều trong dữ liệu",
                        "Control or bidirectional characters in the data", errors)
    return body


def malformed(detail_vi, detail_en):
    return Problem(400, "JSON không hợp lệ / Malformed JSON",
                   f"JSON {detail_vi} / The JSON is {detail_en}")


def nesting(text):
    """How deeply ``text`` nests arrays and objects, counted before parsing it."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def refuse_constant(name):
    raise ValueError(f"{name} is not a JSON number")


def unique_keys(pairs):
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        repeated = sorted({key for key in keys if keys.count(key) > 1})
        raise ValueError(f"duplicate keys {repeated}")
    return dict(pairs)


def unsafe_texts(value, pointer=""):
    """Field errors for texts carrying control or bidi characters (line breaks only in
    names), keys included; at most one per field."""
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{pointer}/{key.replace('~', '~0').replace('/', '~1')}"
            if unsafe(key, name=True):
                yield {"pointer": here, "detail": UNSAFE_TEXT}
            else:
                yield from unsafe_texts(item, here)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from unsafe_texts(item, f"{pointer}/{index}")
    elif isinstance(value, str):
        field_name = pointer.rsplit("/", 1)[-1]
        if unsafe(value, name=field_name == "name" or field_name.endswith("_name")):
            yield {"pointer": pointer, "detail": UNSAFE_TEXT}


UNSAFE_TEXT = ("Không được chứa ký tự điều khiển hay ký tự đảo chiều / "
               "Must not contain control or bidirectional characters")


def unsafe(text, name):
    return any((unicodedata.category(char) == "Cc"
                and (name or char not in LINE_BREAKS)) or char in BIDI_CONTROLS
               for char in text)


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
            request.idempotency = None
            try:
                identity = sign_in(self, rule, request)
                response = answer(self, identity, rule, op, handler, request, path_parameters)
            except (Problem, OcopError) as exc:
                response = refusal(op, request, exc)
            except Exception as exc:
                if unavailable(exc) or isinstance(exc, PyMongoError):
                    # A service, the broker or a store (the gateway's own for idempotency
                    # keys) is away. A request still waiting for its service expires with
                    # the call: it is not run later.
                    log.error("%s %s: unavailable: %r", method, path, exc)
                    response = refusal(op, request, Problem(
                        503, "Dịch vụ tạm thời không sẵn sàng / Service unavailable",
                        "Dịch vụ không trả lời kịp; vui lòng thử lại sau / A service did not "
                        "answer in time; please retry later",
                        headers={"Retry-After": str(UNAVAILABLE_RETRY_AFTER_SECONDS)}))
                else:  # a fault here or in a service: logged, and still a problem
                    log.exception("%s %s failed", method, path)
                    response = refusal(op, request, Problem(
                        500, "Lỗi hệ thống / Internal error",
                        "Đã ghi nhận lỗi; vui lòng thử lại sau / The error was logged; "
                        "please retry later"))
            if request.idempotency is not None:
                try:
                    request.idempotency.settle(response)
                except PyMongoError as exc:  # the key stays running until its lease ends
                    log.error("%s %s: its Idempotency-Key was not settled: %r", method, path,
                              exc)
            return finished(self, rule, request, response, correlation.current())

        op.handler = handler
        return http(method, path)(entrypoint)

    return decorate


def finished(service, rule, request, response, correlation_id):
    """``response`` as every operation's leaves: with its correlation id, its caching
    rule and CORS, and logged."""
    response.headers[correlation.HEADER] = correlation_id
    public_read = rule.public and request.method in ("GET", "HEAD")
    # A public read answered is logged at DEBUG: at the rates of a fair the line would
    # cost more than the read (/metrics counts them all).
    log.log(logging.DEBUG if public_read and response.status_code < 400 else logging.INFO,
            "%s %s %s", request.method, request.path, response.status_code)
    if not public_read:
        response.headers["Cache-Control"] = "no-store"  # answers may be personal
    return service.cors.decorate(request, response)


JSON = "application/json"


def refusal(op, request, exc):
    """The refusal ``exc`` (a ``Problem`` or a service's ``OcopError``): problem+json in
    the caller's language, or for an operation that answers people with pages, a page
    saying the same with the same status."""
    if op.problem_page is None:
        return refusal_response(request, exc)
    return Response(op.problem_page(exc.status, exc.title, exc.detail), exc.status,
                    headers=getattr(exc, "headers", None), mimetype="text/html")


def sign_in(service, rule, request):
    """The caller's identity (None when anonymous), within the rule's rate limits."""
    address = service.limits.client_address(request)
    if rule.limit:  # before the token is read: a flood of bad tokens is counted too
        service.limits.check(rule.limit, f"address:{address}")
    identity = service.signin.identity(request.headers.get("Authorization"))
    if rule.limit and identity:
        service.limits.check(rule.limit, f"subject:{identity.subject}")
    return identity


def caller_key(service, request, identity):
    """Whose ``Idempotency-Key`` this is: the token's subject, else the client address."""
    if identity is not None:
        return f"subject:{identity.subject}"
    return f"address:{service.limits.client_address(request)}"


def answer(service, identity, rule, op, handler, request, path_parameters):
    """Whether the caller may, then the call itself, as that caller: the response. A POST
    with an ``Idempotency-Key`` runs under it once let in (``request.idempotency``), or
    replays the response of the first request with that key."""
    address = service.limits.client_address(request)
    for name in op.query:
        query_parameter(request, name)
    args = (read_json(request),) if op.body is not None else ()
    body = args[0] if args and isinstance(args[0], dict) else {}
    values = {**request.args.to_dict(), **body, **path_parameters}
    # Every RPC call is bounded by RPC_TIMEOUT_SECONDS (chassis.rpc.BoundedRpcProxy).
    request.target = authorize(rule, identity, service, values)
    if op.method == "POST":
        request.idempotency = service.idempotency.claim(
            request, caller_key(service, request, identity))
        if request.idempotency is not None and request.idempotency.replay is not None:
            return request.idempotency.replay
    service.caller.act_as(identity.at(address) if identity else Identity.anonymous(address),
                          request.target)
    result = handler(service, request, *args, **path_parameters)
    if isinstance(result, Rendered):
        return rendered_response(request, op, result)
    headers = {}
    if op.etag and isinstance(result, dict):
        headers["ETag"] = etag(result.get("revision", 0))
    if op.paged:
        if result["next"]:
            headers["Link"] = f'<{next_page(request, result["next"])}>; rel="next"'
        result = result["items"]
    if op.produces != JSON:  # the handler made the body itself
        return Response(result, op.status, headers=headers, mimetype=op.produces)
    if op.response is not None:
        result = op.response(many=op.many).dump(result)
    return json_response(result, op.status, headers)


def rendered_response(request, op, rendered):
    """A public read rendered before (``gateway.certificates``, ``gateway.catalogue``),
    served as it is (``revalidation``)."""
    status, headers = revalidation(request, op, rendered)
    if status == 304:
        return Response(status=304, headers=headers)
    return Response(rendered.body, status, headers=headers, mimetype=op.produces)


def revalidation(request, op, rendered):
    """The status and headers of a rendered read. Clients and caches revalidate it every
    time unless it says for how long it stands (a revocation must show at once); a client
    that holds it gets 304."""
    headers = {"ETag": rendered.etag, "Cache-Control": f"public, max-age={rendered.max_age}"
               if rendered.max_age else "public, no-cache"}
    if rendered.next:
        headers["Link"] = f'<{next_page(request, rendered.next)}>; rel="next"'
    if rendered.etag in request.headers.get("If-None-Match", "").replace(" ", "").split(","):
        return 304, headers
    return op.status, headers


def etag(revision):
    """A resource's entity tag: its revision counter, bumped by every change."""
    return f'"{revision}"'


def if_match(request):
    """The revision an update's ``If-Match`` names, for the service to compare with the
    resource's own (``chassis.errors.check_revision``): None when absent, "*" for any,
    -1 for a tag this API never gave (it matches nothing)."""
    header = request.headers.get("If-Match")
    if header is None:
        return None
    header = header.strip()
    if header == "*":
        return "*"
    match = re.fullmatch(r'"(\d{1,18})"', header)
    return int(match.group(1)) if match else -1


def methods_at(path):
    """The methods the API serves at ``path`` (none for a path it does not know)."""
    return sorted({op.method for op in OPERATIONS if op.matches(path)})


def paging(request):
    """The page a paged operation is asked for: ``limit`` and ``cursor`` for
    ``chassis.pages.page``, which checks them."""
    limit = request.args.get("limit", str(pages.DEFAULT_LIMIT)).strip()
    return {"limit": pages.checked_limit(int(limit) if limit.isdigit() else limit),
            "cursor": request.args.get("cursor") or None}


def next_page(request, cursor):
    """The same request, one page on: a reference relative to the API's own host."""
    return f"{request.path}?{urlencode({**request.args.to_dict(), 'cursor': cursor})}"


def filters_asked(request, filters):
    """The query parameters among ``filters`` that the request names."""
    return {name: request.args[name] for name in filters if name in request.args}


def query_parameter(request, name):
    """A required query parameter's value; one given blank is looked up as it is (and
    found nowhere), like any other value the schema allows."""
    if name not in request.args:
        raise OcopError(f"Thiếu tham số {name}", f"The query parameter {name} is required",
                        [{"parameter": name, "detail": "Bắt buộc / Required"}])
    return request.args[name].strip()
