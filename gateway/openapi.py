"""OpenAPI 3.1 generated from the declared operations and the services' schemas.

Every operation gets, from its declaration alone: its parameters, body and response
schemas, every refusal it can answer (``responses_of``) as problem+json, the headers of
the gateway's mechanisms (Accept-Language, X-Correlation-Id, Idempotency-Key on POST, If-Match and ETag where
declared, Link on paged lists), labels of the enums whose values it knows (province codes
with names), and an example body where ``EXAMPLES`` has one."""
import re
import unicodedata
from functools import lru_cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from chassis import correlation, pages
from chassis.errors import PROBLEM_TYPE
from chassis.provinces import PROVINCES
from gateway.idempotency import HEADER as IDEMPOTENCY_KEY
from gateway.policy import POLICY
from gateway.problems import LANGUAGES, MAX_ERRORS, PROBLEM_TYPES
from gateway.routes import JSON, OPERATIONS

PROBLEM = {
    "type": "object", "required": ["type", "title", "status"],
    "description": "RFC 9457 problem details; the types are listed in docs/api.md",
    "properties": {
        "type": {"type": "string", "enum": sorted({PROBLEM_TYPE + slug
                                                  for slug in PROBLEM_TYPES})},
        "title": {"type": "string"},
        "status": {"type": "integer"}, "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {"type": "array", "maxItems": MAX_ERRORS, "items": {
            "type": "object", "properties": {
                "pointer": {"type": "string", "description": "JSON pointer into the body"},
                "parameter": {"type": "string", "description": "a query parameter or header"},
                "detail": {"type": "string"}}}}}}

# Labels of enum values, wherever a schema uses them (x-enum-descriptions, same order).
ENUM_LABELS = {
    **PROVINCES,
    "open": "Đang đánh giá / Open", "returned": "Trả lại để hoàn thiện / Returned",
    "rejected": "Bị loại / Rejected", "forwarded": "Chuyển Trung ương / Forwarded to the "
                                                   "central level",
    "awaiting_approval": "Chờ Chủ tịch UBND tỉnh phê duyệt / Awaiting the provincial chair's "
                         "approval",
    "not_approved": "Không được phê duyệt / Not approved by the provincial chair",
    "completed": "Đã kết luận / Completed", "province": "Cấp tỉnh / Provincial",
    "central": "Cấp Trung ương / Central", "first": "Đánh giá lần đầu / First rating",
    "upgrade": "Nâng hạng / Upgrade", "re_rating": "Đánh giá lại / Re-rating",
    "meeting": "Họp hội đồng / Council meeting", "written": "Ý kiến bằng văn bản / "
                                                            "Written opinions",
    "office_report": "Báo cáo của cơ quan tham mưu cấp tỉnh / The province office's report",
    "province_reevaluates": "Tỉnh tổ chức đánh giá lại / Set aside: the province evaluates "
                            "again",
}


def constant_name(label):
    """A label as a generated client's constant: "Điện Biên" → "DIEN_BIEN"."""
    folded = unicodedata.normalize("NFD", label.replace("Đ", "D").replace("đ", "d"))
    ascii_only = "".join(c for c in folded if not unicodedata.combining(c))
    return re.sub(r"[^A-Za-z0-9]+", "_", ascii_only).strip("_").upper()


PROVINCE_CODE = {"type": "string", "enum": sorted(PROVINCES),
                 "x-enum-varnames": [constant_name(PROVINCES[c]) for c in sorted(PROVINCES)],
                 "description": "Mã tỉnh, thành phố (34 đơn vị từ 1/7/2025) / Province code "
                                "(the 34 units since 1 July 2025)"}

# Request bodies shown (and tried) in the documentation page.
EXAMPLES = {
    "register_producer": {
        "name": "HTX Nông nghiệp Phú Tân", "kind": "cooperative", "tax_code": "1601234565",
        "province_code": "91", "commune_code": "30406",
        "legal_representative": {"name": "Nguyễn Văn An", "position": "Giám đốc"},
        "contact": {"email": "htx.phutan@example.vn", "phone": "0296 3812 345"}},
    "register_product": {"producer_id": "<producer id>", "name": "Gạo thơm Phú Tân",
                         "category": "03", "description": "Gạo ST25"},
    "submit_product": {"kind": "first"},
    "set_council": {"name": "Hội đồng đánh giá, phân hạng sản phẩm OCOP tỉnh An Giang",
                    "chair": "chair", "secretary": "secretary",
                    "members": ["chair", "member-2", "member-3"],
                    "advisory_group": ["advisor-1"],
                    "rules": {"quorum": 0.75, "chair_required": True, "max_spread": 10}},
    "declare_interest": {"producer_id": "<producer id>"},
    "request_review": {"kind": "site_visit", "note": "Khảo sát cơ sở sản xuất ngày 5/12"},
    "record_sheet": {"picks": {"1.1": "1.1.c", "1.2": "1.2.b"}},
    "rescore": {"picks": {"1.1": "1.1.c", "1.2": "1.2.b"}},
    "decide": {"knockouts": []},
    "decide_on_approval": {"approved": True, "reference": "456/QĐ-UBND",
                           "date": "2026-12-01"},
}


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
                   "schema": op.path_schema(name)} for name in op.path_parameters]
    parameters += [query_parameter(name, described, required)
                   for required, query in ((True, op.query), (False, op.optional_query))
                   for name, described in query.items()]
    parameters += ["AcceptLanguage", "CorrelationId"]
    if op.method == "POST":
        parameters.append("IdempotencyKey")
    if op.if_match:
        parameters.append("IfMatch")
    if op.revalidated:
        parameters.append({
            "name": "If-None-Match", "in": "header", "required": False,
            "description": "ETag đã đọc: 304 nếu chưa đổi / The ETag last read: 304 if it "
                           "is still current", "schema": {"type": "string"}})
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
        if op.name in EXAMPLES:
            spec["requestBody"]["content"]["application/json"]["example"] = EXAMPLES[op.name]
    ok = {"description": "OK"}
    if op.produces != JSON:
        ok["content"] = body_content(op)
    elif op.response is not None:
        schema = op.response
        ok["content"] = {"application/json": {"schema": {
            "type": "array", "items": schema} if op.many else schema}}
    ok["headers"] = {correlation.HEADER: {
        "description": "Mã theo dõi của yêu cầu / The request's correlation id, in every log "
                       "line and event it caused", "required": True,
        "schema": {"type": "string"}}}
    if op.paged:
        ok["headers"]["Link"] = {
            "description": "<…>; rel=\"next\" khi còn trang sau / when there is a next page",
            "schema": {"type": "string"}}
    if op.etag:
        ok["headers"]["ETag"] = {
            "description": "Phiên bản; gửi lại trong If-Match khi sửa / The revision; send it "
                           "back in If-Match to change the resource",
            "required": True, "schema": {"type": "string"}}
    if op.revalidated:
        ok["headers"]["ETag"] = {
            "description": "Phiên bản của câu trả lời / The answer's version, for "
                           "If-None-Match", "required": True, "schema": {"type": "string"}}
        ok["headers"]["Cache-Control"] = {
            "description": "public; no-cache (hỏi lại mỗi lần / revalidate every time) hoặc "
                           "max-age", "required": True, "schema": {"type": "string"}}
        spec["responses"]["304"] = {"description": "Chưa đổi kể từ ETag đã gửi / Not "
                                                   "modified since the ETag sent"}
    spec["responses"][str(op.status)] = ok
    for status, description in responses_of(op):
        spec["responses"][str(status)] = refusal_reference(op, status, description)
    if op.public:
        spec["security"] = []
    return spec


def query_parameter(name, described, required):
    """A query parameter: ``described`` is its description, or (description, schema)."""
    text, schema = described if isinstance(described, tuple) else (described, {
        "type": "string", **({"minLength": 1} if required else {})})  # "" is as missing
    return {"name": name, "in": "query", "required": required, "description": text,
            "schema": schema}


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
    # The server reads and bounds any request's body before the operation sees it.
    yield 400, ("Yêu cầu không đọc được: dữ liệu thiếu, JSON, Idempotency-Key hoặc tham số "
                "bắt buộc / Unreadable request: an incomplete body, malformed JSON or "
                "Idempotency-Key, a required parameter missing")
    yield 408, "Yêu cầu gửi quá chậm / Request timeout"
    yield 411, "Cần Content-Length / Length required"
    yield 413, "Dữ liệu quá lớn / Payload too large"
    if op.body is not None:
        yield 415, "Gửi application/json / Unsupported media type"
    if op.method != "GET":
        yield 409, ("Trạng thái không cho phép, hoặc yêu cầu cùng Idempotency-Key đang chạy / "
                    "Conflict with the current state, or a request with this "
                    "Idempotency-Key still running")
    if op.if_match:
        yield 412, "ETag trong If-Match đã cũ / If-Match names a stale ETag"
        yield 428, "Cần If-Match / If-Match required"
    if op.body is not None or op.query or op.optional_query or op.paged or \
            op.method == "POST":
        yield 422, ("Dữ liệu không hợp lệ, hoặc Idempotency-Key đã dùng cho yêu cầu khác / "
                    "Invalid input, or an Idempotency-Key used for another request")
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
    spec.components.schema("ProvinceCode", PROVINCE_CODE)
    spec.components.parameter("AcceptLanguage", "header", {
        "name": "Accept-Language", "required": False, "schema": {"type": "string"},
        "description": "Ngôn ngữ của thông báo lỗi: vi hoặc en; không gửi: cả hai / The "
                       f"language of problem titles and details: one of {LANGUAGES}; "
                       "without it, both (Vietnamese first)"})
    spec.components.parameter("CorrelationId", "header", {
        "name": correlation.HEADER, "required": False, "schema": {"type": "string"},
        "description": "Mã theo dõi do bên gọi đặt / A correlation id of the caller's own, "
                       "kept when it is 1–64 of A–Z a–z 0–9 . _ : - (else the gateway makes "
                       "one); answered in the response's X-Correlation-Id"})
    spec.components.parameter("IdempotencyKey", "header", {
        "name": IDEMPOTENCY_KEY, "required": False,
        "schema": {"type": "string", "minLength": 1, "maxLength": 255,
                   "pattern": r"^[\x20-\x21\x23-\x5b\x5d-\x7e]+$"},
        "description": "Khóa để gửi lại an toàn: cùng khóa và cùng nội dung nhận lại kết quả "
                       "đầu tiên / A key that makes retries safe: the same key and request "
                       "get the first response again (draft-ietf-httpapi-idempotency-key-"
                       "header); another request with it 422, while the first runs 409"})
    spec.components.parameter("IfMatch", "header", {
        "name": "If-Match", "required": False, "schema": {"type": "string"},
        "description": "ETag đã đọc / The ETag last read; 428 without it where the "
                       "resource exists, 412 when it is stale"})
    spec.components.security_scheme("bearer", {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
        "description": "Mã truy cập OIDC của tỉnh (RS256/ES256) / The province's OIDC access "
                       "token (RS256/ES256); roles and scopes as in docs/operations.md"})
    paths = {}
    for op in OPERATIONS:
        paths.setdefault(op.openapi_path, {})[op.method.lower()] = operation_spec(op)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return labelled(spec.to_dict())


def labelled(node, name=None):
    """The document with province codes in bodies as the ``ProvinceCode`` enum of the 34,
    and every enum whose values ``ENUM_LABELS`` knows carrying their labels."""
    if isinstance(node, list):
        return [labelled(item) for item in node]
    if not isinstance(node, dict):
        return node
    if name in ("province_code", "province") and node.get("type") in ("string",
                                                                       ["string", "null"]):
        reference = {"$ref": "#/components/schemas/ProvinceCode"}
        return reference if node["type"] == "string" else {"anyOf": [reference,
                                                                     {"type": "null"}]}
    node = {key: {prop: labelled(schema, prop) for prop, schema in value.items()}
            if key == "properties" else labelled(value) for key, value in node.items()}
    values = [v for v in node.get("enum", []) if v is not None]
    if values and all(isinstance(v, str) and v in ENUM_LABELS for v in values):
        node["x-enum-descriptions"] = [ENUM_LABELS[v] for v in values]
    return node
