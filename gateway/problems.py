"""RFC 9457 problem details (``application/problem+json``), Vietnamese first."""
import json

from werkzeug.wrappers import Response

from chassis.errors import PROBLEM_TYPE

SLUGS = {400: "bad-request", 401: "unauthenticated", 403: "forbidden", 404: "not-found",
         409: "conflict", 415: "unsupported-media-type", 422: "invalid-input",
         429: "too-many-requests", 500: "internal", 503: "unavailable"}


class Problem(Exception):
    """Raised inside the gateway for what is wrong with the HTTP request itself."""

    def __init__(self, status, title, detail, errors=None, headers=None):
        super().__init__(detail)
        self.status, self.title, self.detail, self.errors = status, title, detail, errors or []
        self.headers = headers or {}


def json_response(body, status=200, headers=None):
    return Response(json.dumps(body, ensure_ascii=False), status=status,
                    headers=headers, mimetype="application/json")


def problem_response(request, status, title, detail, errors=(), headers=None):
    body = {"type": PROBLEM_TYPE + SLUGS.get(status, str(status)), "title": title,
            "status": status, "detail": detail, "instance": request.path}
    if errors:
        body["errors"] = list(errors)
    return Response(json.dumps(body, ensure_ascii=False), status=status, headers=headers,
                    mimetype="application/problem+json")
