"""API route modules, mounted under ``/api/v1``.

To add endpoints (themes, journey, promises, plan, segments, …) write a module with a
``router: fastapi.APIRouter`` and add its dotted name to ``API_ROUTE_MODULES``. Authentication is
enforced for every route by the security middleware; use ``Depends(require(PERMISSION))`` from
``escucha.http.deps`` for role checks and raise ``escucha.errors`` exceptions for errors.
"""

from __future__ import annotations

API_PREFIX = "/api/v1"

API_ROUTE_MODULES: tuple[str, ...] = (
    "escucha.api.routes.health",
    "escucha.api.routes.feedback",
    "escucha.api.routes.analysis",
    "escucha.api.routes.metrics",
    "escucha.api.routes.customers",
    "escucha.api.routes.export",
    "escucha.api.routes.admin",
    "escucha.api.routes.insights",
    "escucha.api.routes.alerts",
    "escucha.api.routes.cases",
    "escucha.api.routes.assist",
    "escucha.api.routes.surveys",
    "escucha.api.routes.portal",
)
