"""Insight results for the API and the dashboard, computed through the registry and cached per
workspace data version (each takes seconds on a large workspace).

One cache style for the server: :func:`cached` keeps a build until the workspace's data version
changes (any ingest, analysis, edit or customer load, by any process), and writes that leave the
voices alone (a plan status, a theme curated) call :func:`forget`. Serialisation is the insights' one path (``publish``): employee voices
anonymised, customer text redacted for display when the workspace asks for it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from escucha.insights import stored
from escucha.insights.base import publish
from escucha.jsonable import jsonable

if TYPE_CHECKING:
    from escucha.workspace import Workspace

log = logging.getLogger(__name__)

__all__ = ["cached", "forget", "insight_data", "insight_section", "journey_chart", "jsonable", "precompute", "precompute_in_background"]


def data_version(ws: Workspace) -> tuple[Any, ...]:
    """The cache key of everything built from the workspace's data (see ``Store.data_version``)."""
    return ws.store.data_version()


def cached(ws: Workspace, cache: dict[str, Any], name: str, build: Callable[[], Any], persist: bool | None = None) -> Any:
    """``build()`` cached in ``cache`` under ``name`` until the workspace's data, configuration or
    curation changes (:func:`escucha.insights.stored.version_key`). A page result computed after
    analysis (``escucha analyze`` stores them) is read from the store instead of built; one built
    here is stored too, so other server processes and a restart find it."""
    lock: threading.Lock = cache.setdefault(f"insights_lock:{name}", threading.Lock())
    ctx = ws.context
    key = current_key(ws, cache)
    hit = cache.get(f"insights:{name}")
    if hit is not None and hit[0] == key:
        return hit[1]
    with lock:  # concurrent first visits share one build
        hit = cache.get(f"insights:{name}")
        if hit is None or hit[0] != key:
            ok, data = stored.load(ctx, name, key)
            if not ok:
                t0 = time.perf_counter()
                data = build()
                if persist or (persist is None and name in stored.builders()):
                    stored.save(ctx, name, data, key, time.perf_counter() - t0)
            hit = (key, data)
            cache[f"insights:{name}"] = hit
    return hit[1]


KEY_TTL_S = 2.0  # how long one request's key serves the next (one page asks for several results)


def current_key(ws: Workspace, cache: dict[str, Any]) -> str:
    """:func:`escucha.insights.stored.version_key`, reused for ``KEY_TTL_S`` seconds (it asks the
    store a few questions; a page reads several results)."""
    hit = cache.get("insights_key")
    now = time.monotonic()
    if hit is not None and now - hit[0] < KEY_TTL_S:
        return hit[1]  # type: ignore[no-any-return]
    key = stored.version_key(ws.context)
    cache["insights_key"] = (now, key)
    return key


def forget(cache: dict[str, Any], prefix: str = "") -> None:
    """Drop cached entries whose name starts with ``prefix`` (all with ``""``)."""
    for k in [k for k in cache if k.startswith(f"insights:{prefix}")]:
        cache.pop(k, None)
    cache.pop("insights_key", None)


def _stored(ws: Workspace, name: str) -> Callable[[], Any]:
    return lambda: stored.builders()[name](ws.context)


def insight_data(ws: Workspace, cache: dict[str, Any], name: str, **params: Any) -> Any:
    """The registered insight ``name`` as JSON-safe data (cached; employees anonymised)."""
    key = name + "".join(f":{k}={v}" for k, v in sorted(params.items()))
    if not params:
        return cached(ws, cache, key, _stored(ws, name))
    return cached(ws, cache, key, lambda: publish(ws.insight(name, **params).data))


def insight_section(ws: Workspace, cache: dict[str, Any], name: str) -> Any:
    """The registered insight ``name``'s report section as JSON-safe data (cached): what its
    template shows in the report and on its dashboard page."""
    return cached(ws, cache, f"section:{name}", _stored(ws, f"section:{name}"))


def journey_chart(ws: Workspace, cache: dict[str, Any], lang: str) -> str | None:
    """The journey chart as a ``data:`` SVG image in ``lang`` (stored like the page results)."""

    def build() -> str | None:
        data = journey_data(ws, cache)
        if not (data.get("stages") and data.get("assigned_sentences")):
            return None
        try:
            from escucha.report.journey_chart import svg_data_uri

            return svg_data_uri(data, lang)
        except Exception:  # no matplotlib, or nothing to draw
            return None

    return cached(ws, cache, f"chart:journey:{lang}", build, persist=True)  # type: ignore[no-any-return]


def precompute(ws: Workspace, cache: dict[str, Any] | None = None, retry_failed: bool = True) -> dict[str, float]:
    """Every page result and chart stored (what ``escucha analyze`` runs after analysing; results
    that failed under the current key are tried again only with ``retry_failed``)."""
    took = ws.precompute_insights(retry_failed)
    cache = {} if cache is None else cache
    for lang in ("es", "en"):
        t0 = time.perf_counter()
        journey_chart(ws, cache, lang)
        took[f"chart:journey:{lang}"] = time.perf_counter() - t0
    return took


def precompute_in_background(ws: Workspace, cache: dict[str, Any] | None = None) -> threading.Thread:
    """Store every page result in a background thread (after an analysis run, at server start)."""

    def work() -> None:
        try:
            precompute(ws, cache, retry_failed=False)  # what failed after analysis stays failed
        except Exception as exc:  # pages compute on demand instead
            log.warning("precomputing insights failed: %s", type(exc).__name__)

    t = threading.Thread(target=work, name="escucha-precompute", daemon=True)
    t.start()
    return t


def stored_themes(ws: Workspace) -> list[dict[str, Any]]:
    """Stored themes only (never discovers), largest first."""
    from escucha.insights.themes import themes

    df = themes(ws.context)
    return [] if df.empty else publish(df.drop(columns=["weekly"], errors="ignore"))  # type: ignore[no-any-return]


def promises_data(ws: Workspace, cache: dict[str, Any]) -> list[dict[str, Any]]:
    return cached(ws, cache, "promises", _stored(ws, "promises"))  # type: ignore[no-any-return]


def journey_data(ws: Workspace, cache: dict[str, Any]) -> dict[str, Any]:
    return cached(ws, cache, "journey", _stored(ws, "journey"))  # type: ignore[no-any-return]


def plan_data(ws: Workspace, cache: dict[str, Any], top: int = 20) -> list[dict[str, Any]]:
    """The plan (cached) with the stored statuses read fresh: a change made through another
    process (another server worker) shows at once."""
    build = _stored(ws, f"plan:{top}") if top == stored.PLAN_TOP else lambda: publish(ws.plan(top=top, save=False))
    rows = cached(ws, cache, f"plan:{top}", build)
    statuses = ws.store.get_docs("plans")
    return [{**r, "status": statuses.get(r.get("id"), {}).get("status", r.get("status"))} for r in rows]


def ideas_data(ws: Workspace, cache: dict[str, Any], top: int = 20) -> list[dict[str, Any]]:
    build = _stored(ws, f"ideas:{top}") if top == stored.IDEAS_TOP else lambda: publish(ws.ideas(top=top))
    return cached(ws, cache, f"ideas:{top}", build)  # type: ignore[no-any-return]


def segments_data(ws: Workspace, cache: dict[str, Any]) -> dict[str, Any]:
    return cached(ws, cache, "segments", _stored(ws, "segments"))  # type: ignore[no-any-return]
