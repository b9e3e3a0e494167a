"""Insight data for the dashboard and API (themes, ideas, journey, promises, plan, segments),
JSON-safe and cached per workspace counts (each takes seconds on a large workspace)."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from escucha.workspace import Workspace

TEXT_KEYS = frozenset({"text", "quote"})


def jsonable(v: Any, redact: Callable[[Any], Any] | None = None, key: str | None = None) -> Any:
    """Recursively JSON-safe: NaN/inf → None, numpy → Python, timestamps → ISO, frames → records;
    ``redact`` is applied to customer text (values under ``text``/``quote`` keys)."""
    if isinstance(v, dict):
        return {str(k): jsonable(x, redact, str(k)) for k, x in v.items()}
    if isinstance(v, pd.DataFrame):
        return [jsonable(r, redact) for r in v.to_dict("records")]
    if isinstance(v, list | tuple | set | np.ndarray | pd.Series):
        return [jsonable(x, redact, key) for x in list(v)]
    if v is None or v is pd.NaT:
        return None
    if isinstance(v, pd.Timestamp | datetime | date):
        return v.isoformat()
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if redact is not None and key in TEXT_KEYS and isinstance(v, str):
        return redact(v)
    return v


def _key(ws: Workspace) -> tuple[Any, ...]:
    c = ws.counts()
    return (c.get("items"), c.get("analysed"), c.get("aspects"), c.get("customers"))


def cached(ws: Workspace, cache: dict[str, Any], name: str, build: Callable[[], Any]) -> Any:
    """``build()`` cached in ``cache`` under ``name`` until the workspace's counts change."""
    lock: threading.Lock = cache.setdefault(f"insights_lock:{name}", threading.Lock())
    key = _key(ws)
    hit = cache.get(f"insights:{name}")
    if hit is not None and hit[0] == key:
        return hit[1]
    with lock:  # concurrent first visits share one build
        hit = cache.get(f"insights:{name}")
        if hit is None or hit[0] != key:
            hit = (key, build())
            cache[f"insights:{name}"] = hit
    return hit[1]


def forget(cache: dict[str, Any], prefix: str) -> None:
    """Drop cached entries whose name starts with ``prefix`` (e.g. after a plan status change)."""
    for k in [k for k in cache if k.startswith(f"insights:{prefix}")]:
        cache.pop(k, None)


def stored_themes(ws: Workspace) -> list[dict[str, Any]]:
    """Stored themes only (never discovers), largest first."""
    from escucha.insights.themes import themes

    df = themes(ws)
    return [] if df.empty else jsonable(df.drop(columns=["weekly"], errors="ignore"))  # type: ignore[no-any-return]


def promises_data(ws: Workspace, cache: dict[str, Any]) -> list[dict[str, Any]]:
    def build() -> list[dict[str, Any]]:
        from escucha.insights.promises import store_summary

        report = jsonable(ws.promises())
        store_summary(ws, report)
        return report  # type: ignore[no-any-return]

    return cached(ws, cache, "promises", build)  # type: ignore[no-any-return]


def journey_data(ws: Workspace, cache: dict[str, Any]) -> dict[str, Any]:
    return cached(ws, cache, "journey", lambda: jsonable(ws.journey()))  # type: ignore[no-any-return]


def plan_data(ws: Workspace, cache: dict[str, Any], top: int = 20) -> list[dict[str, Any]]:
    """The plan (cached) with the stored statuses read fresh: a change made through another
    process (another server worker) shows at once."""
    rows = cached(ws, cache, f"plan:{top}", lambda: jsonable(ws.plan(top=top, save=False)))
    stored = ws.store.get_docs("plans")
    return [{**r, "status": stored.get(r.get("id"), {}).get("status", r.get("status"))} for r in rows]


def ideas_data(ws: Workspace, cache: dict[str, Any], top: int = 20) -> list[dict[str, Any]]:
    return cached(ws, cache, f"ideas:{top}", lambda: anonymise_ideas(jsonable(ws.ideas(top=top))))  # type: ignore[no-any-return]


def _anonymous(q: dict[str, Any]) -> dict[str, Any]:
    if q.get("channel") != "employee":
        return q
    from escucha.models import content_hash

    return {**q, "customer_id": None, "item_id": "anon:" + content_hash(q.get("item_id"))[:12]}


def anonymise_ideas(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An employee's suggestion never names its author or its voice (as voices in lists; ideas
    that few employees back leave their suggestions out, see ``escucha.insights.ideas``)."""
    return [{**i, "quotes": [_anonymous(q) for q in i.get("quotes") or []],
             "first_proposer": _anonymous(i.get("first_proposer") or {})} for i in rows]  # fmt: skip


def segments_data(ws: Workspace, cache: dict[str, Any]) -> dict[str, Any]:
    def build() -> dict[str, Any]:
        out = jsonable(ws.segments(save=False))
        out.pop("assignments", None)  # one row per customer: not for a dashboard call
        return out  # type: ignore[no-any-return]

    return cached(ws, cache, "segments", build)  # type: ignore[no-any-return]
