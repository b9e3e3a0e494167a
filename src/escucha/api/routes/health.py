"""Liveness and readiness (no authentication)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from escucha.errors import EscuchaError
from escucha.http.deps import StateDep
from escucha.http.errors import ApiError, error_responses
from escucha.version import __version__

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    version: str


class Ready(BaseModel):
    status: str
    schema_version: int


@router.get("/health", response_model=Health, summary="The process is alive")
def health() -> dict[str, Any]:
    return {"status": "ok", "version": __version__}


@router.get("/ready", response_model=Ready, summary="The workspace store can be opened", responses=error_responses(503))
def ready(state: StateDep) -> dict[str, Any]:
    try:
        version = state.ws.store.schema_version()
    except Exception as exc:  # busy or unreadable store
        code = exc.code if isinstance(exc, EscuchaError) else "not_ready"
        raise ApiError(503, f"store not ready: {type(exc).__name__}", code=code) from exc
    return {"status": "ready", "schema_version": version}
