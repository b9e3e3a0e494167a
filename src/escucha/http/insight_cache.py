"""Insight results for the API and the dashboard, computed through the registry and cached per
workspace data version (each takes seconds on a large workspace).

One cache style for the server: :func:`cached` keeps a build until the workspace's data version
changes (any ingest, analysis, edit or customer load, by any process), and writes that leave the
voices alone (a plan status, a theme curated) call :func:`forget`. Serialisation is the insights' one path (``publish``): employee voices
anonymised, customer text redacted for display when the workspace asks for it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from escucha.insights.base import get_insight, publish
from escucha.jsonable import jsonable

if TYPE_CHECKING:
    from escucha.workspace import Workspace

__all__ = ["cached", "forget", "insight_data", "insight_section", "jsonable"]


def data_version(ws: Workspace) -> tuple[Any, ...]:
    """The cache key of everything built from the workspace's data (see ``Store.data_version``)."""
    return ws.store.data_version()


def cached(ws: Workspace, cache: dict[str, Any], name: str, build: Callable[[], Any]) -> Any:
    """``build()`` cached in ``cache`` under ``name`` until the workspace's data changes."""
    lock: threading.Lock = cache.setdefault(f"insights_lock:{name}", threading.Lock())
    key = data_version(ws)
    hit = cache.get(f"insights:{name}")
    if hit is not None and hit[0] == key:
        return hit[1]
    with lock:  # concurrent first visits share one build
        hit = cache.get(f"insights:{name}")
        if hit is None or hit[0] != key:
            hit = (key, build())
            cache[f"insights:{name}"] = hit
    return hit[1]


def forget(cache: dict[str, Any], prefix: str = "") -> None:
    """Drop cached entries whose name starts with ``prefix`` (all with ``""``)."""
    for k in [k for k in cache if k.startswith(f"insights:{prefix}")]:
        cache.pop(k, None)


def insight_data(ws: Workspace, cache: dict[str, Any], name: str, **params: Any) -> Any:
    """The registered insight ``name`` as JSON-safe data (cached; employees anonymised)."""
    key = name + "".join(f":{k}={v}" for k, v in sorted(params.items()))
    return cached(ws, cache, key, lambda: publish(ws.insight(name, **params).data))


def insight_section(ws: Workspace, cache: dict[str, Any], name: str) -> Any:
    """The registered insight ``name``'s report section as JSON-safe data (cached): what its
    template shows in the report and on its dashboard page."""
    return cached(ws, cache, f"section:{name}", lambda: publish(get_insight(name).section(ws.context)))


def stored_themes(ws: Workspace) -> list[dict[str, Any]]:
    """Stored themes only (never discovers), largest first."""
    from escucha.insights.themes import themes

    df = themes(ws.context)
    return [] if df.empty else publish(df.drop(columns=["weekly"], errors="ignore"))  # type: ignore[no-any-return]


def promises_data(ws: Workspace, cache: dict[str, Any]) -> list[dict[str, Any]]:
    return cached(ws, cache, "promises", lambda: publish(ws.promises()))  # type: ignore[no-any-return]


def journey_data(ws: Workspace, cache: dict[str, Any]) -> dict[str, Any]:
    return cached(ws, cache, "journey", lambda: publish(ws.journey()))  # type: ignore[no-any-return]


def plan_data(ws: Workspace, cache: dict[str, Any], top: int = 20) -> list[dict[str, Any]]:
    """The plan (cached) with the stored statuses read fresh: a change made through another
    process (another server worker) shows at once."""
    rows = cached(ws, cache, f"plan:{top}", lambda: publish(ws.plan(top=top, save=False)))
    stored = ws.store.get_docs("plans")
    return [{**r, "status": stored.get(r.get("id"), {}).get("status", r.get("status"))} for r in rows]


def ideas_data(ws: Workspace, cache: dict[str, Any], top: int = 20) -> list[dict[str, Any]]:
    return cached(ws, cache, f"ideas:{top}", lambda: publish(ws.ideas(top=top)))  # type: ignore[no-any-return]


def segments_data(ws: Workspace, cache: dict[str, Any]) -> dict[str, Any]:
    def build() -> dict[str, Any]:
        out = ws.segments(save=False)
        out.pop("assignments", None)  # one row per customer: not for a dashboard call
        return publish(out)  # type: ignore[no-any-return]

    return cached(ws, cache, "segments", build)  # type: ignore[no-any-return]
