"""Cross-origin calls from the front-ends' own origins (CORS).

``CORS_ALLOWED_ORIGINS``: the origins allowed to call the API from a browser, comma-
separated (e.g. ``https://ocop.angiang.gov.vn``); empty (the default) allows none, and
``*`` any. A preflight (``OPTIONS`` with ``Access-Control-Request-Method``) on a path of
the API is answered 204 with the methods that path serves.
"""
from nameko.extensions import DependencyProvider
from werkzeug.wrappers import Response

ALLOWED_HEADERS = "Authorization, Content-Type, Accept-Language, Idempotency-Key, If-Match, " \
                  "X-Correlation-Id"
EXPOSED_HEADERS = "ETag, Link, Location, Retry-After, WWW-Authenticate, Content-Language, " \
                  "Idempotency-Key-Replayed, X-Correlation-Id"
MAX_AGE_SECONDS = 600


class Cors(DependencyProvider):
    def setup(self):
        configured = str(self.container.config.get("CORS_ALLOWED_ORIGINS", "") or "")
        self.origins = {origin.strip().rstrip("/") for origin in configured.split(",")
                        if origin.strip()}

    def get_dependency(self, worker_ctx):
        return self

    def allowed(self, origin):
        return bool(origin) and ("*" in self.origins or origin in self.origins)

    def decorate(self, request, response):
        """``response`` with the CORS headers its request's origin may see."""
        response.vary.add("Origin")
        response.headers.extend(self.headers_for(request.headers.get("Origin")))
        return response

    def headers_for(self, origin):
        """The CORS headers of an answer to ``origin`` (besides ``Vary: Origin``)."""
        if not self.allowed(origin):
            return []
        return [("Access-Control-Allow-Origin", origin),
                ("Access-Control-Expose-Headers", EXPOSED_HEADERS)]

    def preflight(self, request, methods):
        """The answer to ``OPTIONS`` on a path serving ``methods``."""
        allow = ", ".join([*methods, "OPTIONS"])
        response = Response(status=204, headers={"Allow": allow})
        if self.allowed(request.headers.get("Origin")):
            response.headers["Access-Control-Allow-Methods"] = allow
            response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
            response.headers["Access-Control-Max-Age"] = str(MAX_AGE_SECONDS)
        return self.decorate(request, response)
