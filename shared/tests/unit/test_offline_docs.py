"""`/docs` and `/redoc` work without internet: every asset they reference is served by the
app itself, and the pages allow scripts from their own origin only."""

from __future__ import annotations

import re

import httpx

from ocop_shared.settings import ServiceSettings
from ocop_shared.web.app import build_service_app


async def test_the_api_docs_reference_only_same_origin_assets_and_serve_them() -> None:
    app = build_service_app(ServiceSettings(), title="OCOP – thử", description="d", routers=[])
    transport = httpx.ASGITransport(app=app)  # no lifespan: the docs need no database
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        for page in ("/docs", "/redoc"):
            response = await client.get(page)
            assert response.status_code == 200
            csp = response.headers["content-security-policy"]
            assert "script-src 'self';" in csp
            assert "http" not in csp  # no CDN allowed
            urls = re.findall(r'(?:src|href|spec-url|data-openapi-url)="([^"]+)"', response.text)
            assert urls, page
            for url in urls:
                assert url.startswith("/"), f"{page} references {url}"
                assert not url.startswith("//"), f"{page} references {url}"
                asset = await client.get(url)
                assert asset.status_code == 200, url
                assert len(asset.content) > 0, url
            assert "<script>" not in response.text  # no inline script for the CSP to block
        bundle = await client.get("/_docs/vendor/swagger-ui-bundle.js")
        assert "SwaggerUIBundle" in bundle.text
        assert "javascript" in bundle.headers["content-type"]
