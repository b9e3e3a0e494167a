"""The dashboard: server-rendered pages (Jinja2, autoescaped), vendored Chart.js and HTMX, es/en.

To add pages (themes, journey, promises, plan…) write a module with a ``router`` and, at import
time, ``register_nav(NavItem(...))`` (escucha.web.nav) and optionally ``add_messages`` (i18n) and
``add_template_dir`` (render); then add its dotted name to ``WEB_PAGE_MODULES``. Render with
``escucha.web.render.render(request, "your.html", **context)``; templates extend ``base.html``.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).parent / "static"

WEB_PAGE_MODULES: tuple[str, ...] = (
    "escucha.web.pages",
    "escucha.web.insights",
    "escucha.web.themes_curation",
    "escucha.web.watch",
    "escucha.web.cases",
    "escucha.web.surveys_public",
    "escucha.web.surveys_staff",
    "escucha.web.portal_signin",
    "escucha.web.portal_public",
    "escucha.web.portal_staff",
)


def install_web(app: FastAPI) -> None:
    """Mount static assets and every page module."""
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    for name in WEB_PAGE_MODULES:
        app.include_router(importlib.import_module(name).router)
    from escucha.web.insights import register_insight_pages

    register_insight_pages()

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)


def render_error_page(request: Request, status: int, code: str, message: str) -> HTMLResponse:
    from escucha.web.render import render

    return render(request, "error.html", status_code=status, status=status, code=code, message=message)
