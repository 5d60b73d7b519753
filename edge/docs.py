"""/openapi.json and Swagger UI at /docs (its Authorize button uses POST /oauth/token).

Swagger UI's JavaScript and CSS come from the `fastapi-offline` package and are served by the
edge itself under /static/swagger-ui/, so /docs works without the internet.
"""

from __future__ import annotations

import copy
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse

from edge.openapi_fixed import OAUTH2, TOKEN_URL

OPENAPI_PATH = "/openapi.json"
DOCS_PATH = "/docs"
OAUTH2_REDIRECT_PATH = "/docs/oauth2-redirect"
#: Where the edge serves Swagger UI's packaged assets.
SWAGGER_ASSETS_PATH = "/static/swagger-ui"


def swagger_assets_directory() -> Path:
    """The folder of Swagger UI's bundle, CSS and favicon inside the installed package."""
    return Path(str(files("fastapi_offline") / "static"))


class Docs:
    """Serves the document with absolute token URLs (OpenAPI wants a URL there), made from
    `public_url` when the edge sits behind a proxy, else from the request's own base URL."""

    def __init__(self, document: dict[str, Any], *, public_url: str = "") -> None:
        self._document = document
        self._public_url = public_url.rstrip("/")
        self._by_base: dict[str, dict[str, Any]] = {}

    def document_for(self, base_url: str) -> dict[str, Any]:
        base = self._public_url or base_url.rstrip("/")
        if base not in self._by_base:
            document = copy.deepcopy(self._document)
            flow = document["components"]["securitySchemes"][OAUTH2]["flows"]["password"]
            flow["tokenUrl"] = flow["refreshUrl"] = base + TOKEN_URL
            self._by_base = {base: document}  # one base in practice; never grows unbounded
        return self._by_base[base]

    async def openapi(self, request: Request) -> JSONResponse:
        return JSONResponse(self.document_for(str(request.base_url)))

    async def swagger_ui(self, request: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=OPENAPI_PATH,
            title=f"{self._document['info']['title']} - Swagger UI",
            oauth2_redirect_url=OAUTH2_REDIRECT_PATH,
            swagger_js_url=f"{SWAGGER_ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{SWAGGER_ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{SWAGGER_ASSETS_PATH}/favicon.png",
            swagger_ui_parameters={"persistAuthorization": True},
        )

    async def oauth2_redirect(self, request: Request) -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()
