"""RFC 9457 problem details (``application/problem+json``) in the caller's language.

Every title, detail and field message is written "Vietnamese / English". A caller whose
``Accept-Language`` prefers English gets the English half, one that prefers Vietnamese (or
a language we do not speak) the Vietnamese half; without the header, both, Vietnamese
first. ``PROBLEM_TYPES`` is the catalogue of ``type`` URIs (docs/api.md lists it).
"""
import json

from werkzeug.wrappers import Response

from chassis.errors import PROBLEM_TYPE

LANGUAGES = ("vi", "en")
SEPARATOR = " / "
# A 422 names at most this many fields: enough to fix a form, bounded for a hostile body.
MAX_ERRORS = 20

# slug → (status, when it is answered): the problem types of the API.
PROBLEM_TYPES = {
    "bad-request": (400, "The request cannot be read: malformed, too deeply nested or "
                         "duplicate-key JSON, invalid UTF-8, an incomplete body, a malformed "
                         "Idempotency-Key."),
    "unauthenticated": (401, "No bearer token, or one the gateway cannot trust; see "
                             "WWW-Authenticate."),
    "forbidden": (403, "None of the caller's roles may do this, or not on this object."),
    "not-found": (404, "No such route or object, or the object is not the caller's to see."),
    "method-not-allowed": (405, "The path exists but not with this method; see Allow."),
    "request-timeout": (408, "The request's headers or body arrived too slowly."),
    "conflict": (409, "The object's state does not allow this now (e.g. a closed "
                      "evaluation, a duplicate tax code, a product promoted as OCOP without "
                      "a valid certificate)."),
    "idempotency-in-progress": (409, "A request with this Idempotency-Key is still being "
                                     "processed; retry later."),
    "length-required": (411, "A body without Content-Length (chunked)."),
    "precondition-failed": (412, "If-Match names a revision the object has moved past: "
                                 "read it again."),
    "too-large": (413, "The body exceeds the gateway's limit."),
    "unsupported-media-type": (415, "The body is not application/json."),
    "invalid-input": (422, "The body or a parameter breaks a rule; errors[] names each field "
                           "(at most 20)."),
    "idempotency-key-reused": (422, "This Idempotency-Key was used for a different request."),
    "precondition-required": (428, "This update needs If-Match with the ETag last read."),
    "too-many-requests": (429, "The caller's rate limit is spent; see Retry-After."),
    "headers-too-large": (431, "The request's headers exceed the gateway's limit."),
    "internal": (500, "A fault of ours, logged; retry later."),
    "unavailable": (503, "A service did not answer in time; see Retry-After."),
}
SLUGS = {}
for _slug, (_status, _) in PROBLEM_TYPES.items():
    SLUGS.setdefault(_status, _slug)


class Problem(Exception):
    """Raised inside the gateway for what is wrong with the HTTP request itself."""

    def __init__(self, status, title, detail, errors=None, headers=None, slug=None):
        super().__init__(detail)
        self.status, self.title, self.detail, self.errors = status, title, detail, errors or []
        self.headers = headers or {}
        self.slug = slug


def language(request):
    """The language of the answer: "vi" or "en", or None for both."""
    if not request.headers.get("Accept-Language"):
        return None
    return request.accept_languages.best_match(LANGUAGES, default="vi")


def in_language(text, lang):
    """One half of a "Vietnamese / English" text; the whole when it is not so written."""
    if lang is None or not isinstance(text, str):
        return text
    halves = text.split(SEPARATOR)
    return halves[LANGUAGES.index(lang)] if len(halves) == 2 else text


def json_response(body, status=200, headers=None):
    return Response(json.dumps(body, ensure_ascii=False), status=status,
                    headers=headers, mimetype="application/json")


def problem_response(request, status, title, detail, errors=(), headers=None, slug=None):
    lang = language(request)
    body = {"type": PROBLEM_TYPE + (slug or SLUGS.get(status, str(status))),
            "title": in_language(title, lang), "status": status,
            "detail": in_language(detail, lang), "instance": request.path}
    errors = list(errors or ())
    if errors:
        body["errors"] = [{**e, "detail": in_language(e.get("detail"), lang)}
                          for e in errors[:MAX_ERRORS]]
    response = Response(json.dumps(body, ensure_ascii=False), status=status, headers=headers,
                        mimetype="application/problem+json")
    response.headers["Content-Language"] = lang or "vi, en"
    response.vary.add("Accept-Language")
    return response


def refusal_response(request, exc):
    """The problem for a ``Problem`` or a service's ``OcopError``, in the caller's language."""
    detail = exc.detail
    if hasattr(exc, "message_vi"):
        detail = f"{exc.message_vi}{SEPARATOR}{exc.message_en}"
    return problem_response(request, exc.status, exc.title, detail, exc.errors,
                            getattr(exc, "headers", None), getattr(exc, "slug", None))
