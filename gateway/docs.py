"""The API's documentation page, ``/api/v1/docs``: Swagger UI over the served OpenAPI
document, where a developer pastes a token ("Authorize") and tries each call.

Swagger UI's files come from the ``swagger-ui-py`` package (requirements/services.txt),
installed in the image with the gateway: the page loads nothing from elsewhere.
"""
import json
import mimetypes
from pathlib import Path

import swagger_ui
from werkzeug.wrappers import Response

ASSETS_DIR = Path(swagger_ui.__file__).parent / "static"
ASSETS = ("swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png")
# Swagger UI styles elements inline and draws icons as data: images.
POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
          "frame-ancestors 'none'")


def page(api):
    html = f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<title>OCOP API v1 — tài liệu / documentation</title>
<link rel="icon" href="{api}/docs/assets/favicon-32x32.png">
<link rel="stylesheet" href="{api}/docs/assets/swagger-ui.css">
</head><body><div id="swagger-ui"></div>
<script src="{api}/docs/assets/swagger-ui-bundle.js"></script>
<script src="{api}/docs/assets/start.js"></script>
</body></html>"""
    return Response(html, mimetype="text/html", headers={"Content-Security-Policy": POLICY})


def start_script(api):
    """Swagger UI on the served document; the token pasted in "Authorize" is kept across
    reloads, and every operation can be tried at once."""
    options = {"url": f"{api}/openapi.json", "dom_id": "#swagger-ui", "deepLinking": True,
               "persistAuthorization": True, "tryItOutEnabled": True,
               "displayRequestDuration": True, "requestSnippetsEnabled": True}
    return Response(f"window.ui = SwaggerUIBundle({json.dumps(options)});\n",
                    mimetype="text/javascript")


def asset(name):
    """One of Swagger UI's files, or None."""
    if name not in ASSETS:
        return None
    return Response((ASSETS_DIR / name).read_bytes(), headers={
        "Cache-Control": "public, max-age=86400"},
        mimetype=mimetypes.guess_type(name)[0] or "application/octet-stream")
