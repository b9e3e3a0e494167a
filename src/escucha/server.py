"""The server's composition root: one FastAPI application with the REST API under ``/api/v1``
(``escucha.api``), the dashboard (``escucha.web``) and OpenAPI at ``/docs``, on the shared
``escucha.http`` layer. Nothing below imports this module."""

from __future__ import annotations

import importlib
import logging
import secrets
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, JSONResponse

from escucha.api.routes import API_PREFIX, API_ROUTE_MODULES
from escucha.config import Settings
from escucha.http.auth import LoginLimiter, SessionCodec
from escucha.http.background import lifespan
from escucha.http.deps import ServerState
from escucha.http.errors import install_error_handlers
from escucha.http.security import SecurityMiddleware
from escucha.version import __version__
from escucha.workspace import Workspace
from escucha.workspace import open as open_workspace

log = logging.getLogger("escucha.api")

DOCS_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>escucha API</title>
<link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/swagger-init.js"></script></body></html>"""


def create_app(
    workspace: Workspace | str | Path,
    settings: Settings | None = None,
    *,
    secure_cookies: bool | None = None,
) -> FastAPI:
    """The app serving ``workspace``. ``secure_cookies=None`` sets the Secure cookie flag except on
    loopback hosts (``Settings.cookie_secure`` overrides). Without ``secret_key`` a random key is
    used, so sessions end when the process stops (``escucha serve`` demands one off loopback)."""
    ws = workspace if isinstance(workspace, Workspace) else open_workspace(workspace, create=False)
    settings = settings or ws.settings
    key = settings.secret_key
    if not key:
        key = secrets.token_urlsafe(32)
        log.warning("no secret_key configured: sessions use a random key and end on restart")
    state = ServerState(
        ws=ws,
        settings=settings,
        codec=SessionCodec(key, settings.session_max_age_s),
        limiter=LoginLimiter(settings.login_max_failures, settings.login_window_s),
        secure_cookies=settings.cookie_secure if settings.cookie_secure is not None else secure_cookies,
    )
    app = FastAPI(
        title="escucha",
        version=__version__,
        summary="Customer-experience intelligence: voices, analyses, metrics and profiles.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan(state),
    )
    app.state.escucha = state
    install_routes(app)
    _install_docs(app)
    from escucha.web import install_web, render_error_page

    install_web(app)
    install_error_handlers(app, render_error_page)
    app.add_middleware(SecurityMiddleware)
    return app


def install_routes(app: FastAPI) -> None:
    """Mount every module of ``API_ROUTE_MODULES`` under ``/api/v1`` (and health at the root)."""
    from escucha.api.routes import health

    for name in API_ROUTE_MODULES:
        app.include_router(importlib.import_module(name).router, prefix=API_PREFIX)
    app.add_api_route("/health", health.health, methods=["GET"], include_in_schema=False)
    app.add_api_route("/ready", health.ready, methods=["GET"], include_in_schema=False)


def _install_docs(app: FastAPI) -> None:
    def openapi_schema() -> dict[str, Any]:
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            schema = get_openapi(title=app.title, version=app.version, summary=app.summary, routes=app.routes)
            schema.setdefault("components", {})["securitySchemes"] = {
                "bearer": {"type": "http", "scheme": "bearer", "description": "API token (escucha tokens create)"},
                "session": {"type": "apiKey", "in": "cookie", "name": "escucha_session"},
            }
            schema["security"] = [{"bearer": []}, {"session": []}]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi_schema  # type: ignore[method-assign]

    @app.get("/openapi.json", include_in_schema=False)
    def openapi_json() -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(DOCS_HTML)


def route_table(app: FastAPI) -> list[tuple[str, str, bool]]:
    """(method, path, is_mount) for every route, including those of included routers (FastAPI
    versions that include routers lazily are handled too). Used by tests and ``escucha serve``."""
    try:
        from fastapi.routing import iter_route_contexts

        contexts: list[Any] = list(iter_route_contexts(app.routes))
    except ImportError:
        contexts = list(app.routes)
    from starlette.routing import Mount

    out: list[tuple[str, str, bool]] = []
    for r in contexts:
        original = getattr(r, "original_route", r)
        path = getattr(r, "path", None)
        if not path:
            continue
        if isinstance(original, Mount):
            out.append(("GET", path, True))
            continue
        for m in sorted(getattr(r, "methods", None) or {"GET"}):
            if m != "HEAD":
                out.append((m, path, False))
    return out


def serve(ws: Workspace, host: str = "127.0.0.1", port: int = 8000, workers_log_level: str | None = None) -> None:
    """Run the API and dashboard for ``ws`` until interrupted."""
    import uvicorn

    from escucha.http.logs import configure_logging
    from escucha.http.preflight import preflight

    warnings = preflight(ws, host)
    configure_logging(workers_log_level or ws.settings.log_level)
    for w in warnings:
        log.warning(w)
    app = create_app(ws)
    from escucha.web.snapshot import warm_snapshot

    warm_snapshot(app.state.escucha.ws, app.state.escucha.cache)  # seconds on a large workspace
    log.info("serving", extra={"host": host, "port": port, "workspace": str(ws.path)})
    uvicorn.run(app, host=host, port=port, log_config=None, access_log=False, proxy_headers=False,
                server_header=False)  # fmt: skip
