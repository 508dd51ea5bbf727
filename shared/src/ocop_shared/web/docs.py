"""The API documentation pages (`/docs`, `/redoc`) served without internet.

FastAPI's default pages load Swagger UI and ReDoc from a CDN, which a province's intranet or
an offline laptop cannot reach. The assets come from the `fastapi-offline` package (Swagger
UI under Apache-2.0, ReDoc under MIT, see its licence file) and are served under `/_docs/`,
with a start-up script of our own instead of FastAPI's inline one, so the pages carry a
Content-Security-Policy that allows scripts from this origin only.
"""

from __future__ import annotations

import html
from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from starlette.responses import Response
from starlette.staticfiles import StaticFiles

ASSETS_PATH = "/_docs"
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data:; "
    # Swagger UI and ReDoc set styles from script (ReDoc's styled-components write <style>
    # elements); ReDoc's search runs in a worker it builds from a blob.
    "style-src 'self' 'unsafe-inline'; worker-src 'self' blob:; font-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def _vendor_dir() -> Path:
    return Path(str(files("fastapi_offline") / "static"))


def _own_dir() -> Path:
    return Path(__file__).parent / "static"


def _page(title: str, head: str, body: str) -> HTMLResponse:
    page = (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title>"
        f'<link rel="icon" href="{ASSETS_PATH}/vendor/favicon.png">{head}</head>'
        f"<body>{body}</body></html>"
    )
    return HTMLResponse(
        page,
        headers={
            "Content-Security-Policy": DOCS_CSP,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
    )


def install_offline_docs(app: FastAPI) -> None:
    """`/docs` (Swagger UI) and `/redoc` from same-origin assets.

    The app must be created with ``docs_url=None, redoc_url=None``.
    """
    openapi_url = app.openapi_url or "/openapi.json"
    app.mount(f"{ASSETS_PATH}/vendor", StaticFiles(directory=_vendor_dir()), name="docs-vendor")
    app.mount(f"{ASSETS_PATH}/own", StaticFiles(directory=_own_dir()), name="docs-own")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> Response:
        return _page(
            f"{app.title} – Swagger UI",
            f'<link rel="stylesheet" href="{ASSETS_PATH}/vendor/swagger-ui.css">',
            f'<div id="swagger-ui" data-openapi-url="{html.escape(openapi_url)}"></div>'
            f'<script src="{ASSETS_PATH}/vendor/swagger-ui-bundle.js"></script>'
            f'<script src="{ASSETS_PATH}/own/swagger-init.js"></script>',
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> Response:
        return _page(
            f"{app.title} – ReDoc",
            "",
            f'<redoc spec-url="{html.escape(openapi_url)}"></redoc>'
            f'<script src="{ASSETS_PATH}/vendor/redoc.standalone.js"></script>',
        )
