"""OpenAPI 3.1 generated from the declared operations and the services' schemas."""
import html
from functools import lru_cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from chassis import pages
from gateway.policy import POLICY
from gateway.routes import JSON, OPERATIONS

PROBLEM = {
    "type": "object", "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"},
        "status": {"type": "integer"}, "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {
            "pointer": {"type": "string"}, "parameter": {"type": "string"},
            "detail": {"type": "string"}}}}}}


def schema_name(schema):
    name = schema.__name__ if isinstance(schema, type) else type(schema).__name__
    return name.removesuffix("Schema")


def problem_reference(description):
    return {"description": description, "content": {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}


# Refused by the HTTP server (chassis/web.py) before any operation runs: always problem+json.
SERVER_REFUSALS = {408, 411, 413, 431}


def refusal_reference(op, status, description):
    """A refusal as the operation answers it: problem+json, or a page saying the same."""
    if op.problem_page is None or status in SERVER_REFUSALS:
        return problem_reference(description)
    return {"description": description, "content": {"text/html": {"schema": {
        "type": "string"}}}}


def body_content(op):
    """The response body of an operation that does not answer JSON: text (HTML, SVG) or
    binary (PNG, PDF)."""
    text = op.produces.startswith("text/") or op.produces.endswith("+xml")
    return {op.produces: {"schema": {"type": "string"} if text else {
        "type": "string", "contentMediaType": op.produces}}}


def operation_spec(op):
    spec = {"summary": op.summary, "tags": [op.tag], "operationId": op.name,
            "responses": {}}
    parameters = [{"name": name, "in": "path", "required": True,
                   "schema": {"type": "string"}} for name in op.path_parameters]
    parameters += [{"name": name, "in": "query", "required": required, "description": text,
                    "schema": {"type": "string"}}
                   for required, query in ((True, op.query), (False, op.optional_query))
                   for name, text in query.items()]
    if op.paged:
        parameters += [
            {"name": "limit", "in": "query", "required": False,
             "description": "Số mục tối đa / At most this many items",
             "schema": {"type": "integer", "minimum": 1, "maximum": pages.MAX_LIMIT,
                        "default": pages.DEFAULT_LIMIT}},
            {"name": "cursor", "in": "query", "required": False,
             "description": "Trang tiếp theo, lấy từ Link rel=\"next\" / The next page, "
                            "as given by the Link rel=\"next\" header",
             "schema": {"type": "string"}}]
    if parameters:
        spec["parameters"] = parameters
    if op.body is not None:
        spec["requestBody"] = {"required": op.body_required, "content": {
            "application/json": {"schema": op.body}}}
    ok = {"description": "OK"}
    if op.produces != JSON:
        ok["content"] = body_content(op)
    elif op.response is not None:
        schema = op.response
        ok["content"] = {"application/json": {"schema": {
            "type": "array", "items": schema} if op.many else schema}}
    if op.paged:
        ok["headers"] = {"Link": {
            "description": "<…>; rel=\"next\" khi còn trang sau / when there is a next page",
            "schema": {"type": "string"}}}
    spec["responses"][str(op.status)] = ok
    for status, description in responses_of(op):
        spec["responses"][str(status)] = refusal_reference(op, status, description)
    if op.public:
        spec["security"] = []
    return spec


def responses_of(op):
    """The refusals an operation can answer, by who refuses: the HTTP server (chassis/web.py),
    sign-in and the policy, the body's reading, the rate limits, the service."""
    rule = POLICY[op.name]
    yield 401, ("Thiếu hoặc sai mã truy cập; xem WWW-Authenticate / "
                "Missing or invalid token; see WWW-Authenticate")
    if not rule.public:
        yield 403, "Không có quyền / Forbidden"
    if op.path_parameters or op.query or (rule.locate and not rule.public):
        yield 404, "Không tìm thấy, hoặc không được xem / Not found, or not yours to see"
    yield 408, "Yêu cầu gửi quá chậm / Request timeout"
    if op.body is not None:
        yield 400, "JSON không hợp lệ / Malformed JSON"
        yield 411, "Cần Content-Length / Length required"
        yield 413, "Dữ liệu quá lớn / Payload too large"
        yield 415, "Gửi application/json / Unsupported media type"
    if op.method != "GET":
        yield 409, "Trạng thái không cho phép / Conflict with the current state"
    if op.body is not None or op.query or op.optional_query or op.paged:
        yield 422, "Dữ liệu không hợp lệ / Invalid input"
    if rule.limit:
        yield 429, "Quá nhiều yêu cầu; xem Retry-After / Too many requests; see Retry-After"
    yield 431, "Tiêu đề quá lớn / Request header fields too large"
    yield 503, "Tạm thời không sẵn sàng; xem Retry-After / Unavailable; see Retry-After"


@lru_cache(maxsize=4)
def document(server_url):
    spec = APISpec(
        title="OCOP platform API", version="1.0.0", openapi_version="3.1.0",
        plugins=[MarshmallowPlugin()],
        info={"description": "Chương trình Mỗi xã một sản phẩm (OCOP) — "
                             "One Commune One Product, Decision 26/2026/QĐ-TTg."},
        servers=[{"url": server_url}] if server_url else [], security=[{"bearer": []}])
    spec.components.schema("Problem", PROBLEM)
    spec.components.security_scheme("bearer", {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
        "description": "Mã truy cập OIDC của tỉnh (RS256/ES256) / The province's OIDC access "
                       "token (RS256/ES256); roles and scopes as in docs/operations.md"})
    paths = {}
    for op in OPERATIONS:
        paths.setdefault(op.openapi_path, {})[op.method.lower()] = operation_spec(op)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def docs_page():
    rows = "".join(
        f"<tr><td><code>{op.method}</code></td><td><code>{html.escape(op.openapi_path)}</code>"
        f"</td><td>{html.escape(op.summary)}</td></tr>" for op in OPERATIONS)
    return (
        "<!doctype html><html lang='vi'><meta charset='utf-8'><title>OCOP API v1</title>"
        "<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto}"
        "td{padding:.3rem .6rem;border-bottom:1px solid #ddd}</style>"
        "<h1>OCOP API v1</h1><p>Đặc tả đầy đủ / Full specification: "
        "<a href='/api/v1/openapi.json'>openapi.json</a> (OpenAPI 3.1)</p>"
        f"<table>{rows}</table></html>")
