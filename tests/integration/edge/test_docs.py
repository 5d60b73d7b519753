"""Swagger UI at /docs works offline: every asset it loads is served by the edge itself."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from tests.integration.edge.conftest import Edge


async def test_the_docs_page_loads_only_assets_the_edge_serves(edge: Edge) -> None:
    page = await edge.http.get("/docs")
    assert page.status_code == 200
    urls = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert urls, page.text
    assert all(not urlsplit(url).netloc for url in urls), urls  # no CDN, no other host
    expected = {
        "/static/swagger-ui/swagger-ui-bundle.js": "javascript",
        "/static/swagger-ui/swagger-ui.css": "text/css",
        "/static/swagger-ui/favicon.png": "image/png",
    }
    assert set(urls) == set(expected)
    for url, media in expected.items():
        asset = await edge.http.get(url)
        assert asset.status_code == 200, url
        assert media in asset.headers["content-type"], (url, asset.headers["content-type"])
    bundle = (await edge.http.get("/static/swagger-ui/swagger-ui-bundle.js")).text
    assert "SwaggerUIBundle" in bundle


async def test_the_consoles_scripts_are_vendored_and_served_by_the_edge(edge: Edge) -> None:
    htmx = await edge.http.get("/admin/static/htmx.min.js")
    assert htmx.status_code == 200
    assert "javascript" in htmx.headers["content-type"]
    assert "htmx" in htmx.text[:200]
    style = await edge.http.get("/admin/static/console.css")
    assert (style.status_code, style.headers["content-type"].split(";")[0]) == (200, "text/css")
