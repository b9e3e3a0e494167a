"""The morning snapshot as plain data: headline metrics with trend and significance, volume by
channel, top negative aspects, urgent voices, and sections from optional features."""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pandas as pd

from escucha.http.insight_cache import data_version
from escucha.insights.base import all_insights
from escucha.insights.inputs import aspect_labels
from escucha.insights.metrics import to_records
from escucha.report.data import AGENT_SPEAKERS
from escucha.store import Filters

if TYPE_CHECKING:
    from escucha.workspace import Workspace

log = logging.getLogger(__name__)

WINDOW_DAYS = 28
THREATS = ["churn_threat", "public_threat"]

def _negative_aspects(ws: Workspace, f: Filters, top: int = 6) -> list[dict[str, Any]]:
    asp = ws.aspects(f)
    if asp.empty:
        return []
    rows: list[dict[str, Any]] = []
    labels = {lg: aspect_labels(ws.context, lg) for lg in ("es", "en")}
    for aspect, g in asp.groupby("aspect"):
        neg = g[g["aspect_sentiment"] == "negative"]
        if neg.empty:
            continue
        quotes = neg
        if "speaker" in quotes:
            quotes = quotes[~quotes["speaker"].fillna("").str.lower().str.match(AGENT_SPEAKERS)]
        quote = next((str(q) for q in quotes.sort_values("aspect_score")["quote"].dropna()
                      if 20 <= len(str(q)) <= 240), None)  # fmt: skip
        rows.append({"aspect": str(aspect), "labels": {lg: labels[lg].get(str(aspect), str(aspect)) for lg in labels},
                     "mentions": int(g["item_id"].nunique()),
                     "negative": int(neg["item_id"].nunique()),
                     "negative_pct": 100.0 * len(neg) / len(g), "quote": quote, "item_id": None})  # fmt: skip
    rows.sort(key=lambda r: (-r["negative"], r["aspect"]))
    return rows[:top]


def _optional_sections(ws: Workspace) -> list[dict[str, Any]]:
    """A box per registered insight that has something for the snapshot (``Insight.snapshot``:
    a list of ``{"title", "detail"?, "href"?}``; an empty list hides the box)."""
    out = []
    ctx = ws.context
    for insight in all_insights():
        try:
            entries = insight.snapshot(ctx, limit=5)
        except Exception as exc:  # a feature's failure must not break the snapshot
            log.warning("snapshot section %s failed: %s", insight.name, type(exc).__name__)
            continue
        if entries:
            out.append({"key": insight.name, "labels": dict(insight.snapshot_title or insight.title),
                        "entries": list(entries)})  # fmt: skip
    return out


def open_alerts(ws: Workspace) -> list[dict[str, Any]]:
    """The alerts box: the reputation watch's newest open incidents, each with its first alerts."""
    try:
        watch = ws.watch
        incidents = watch.incidents("open")[:5]
        if not incidents:
            return []
        every = {a["id"]: a for a in watch.alerts()}
        return [{**{k: i[k] for k in ("id", "title", "title_scope", "kinds", "alert_ids", "detected_at", "score")},
                 "alerts": [every[a] for a in i["alert_ids"][:3] if a in every]} for i in incidents]  # fmt: skip
    except Exception as exc:  # the watch's failure must not break the snapshot
        log.warning("snapshot alerts failed: %s", type(exc).__name__)
        return []


def build_snapshot(ws: Workspace, window_days: int = WINDOW_DAYS) -> dict[str, Any]:
    """Everything the snapshot page shows (relative to the newest week with data)."""
    weekly = ws.metrics(period="week")
    if weekly.empty:
        return {"empty": True, "sections": _optional_sections(ws), "alerts": open_alerts(ws)}
    undated = int(weekly.attrs.get("undated", 0))
    trend = to_records(weekly.tail(26))
    latest = trend[-1]
    end = pd.Timestamp(weekly["week"].iloc[-1]) + timedelta(days=7)
    since = end - timedelta(days=window_days)
    f = Filters(since=since.to_pydatetime(), until=end.to_pydatetime())
    overall = to_records(ws.metrics(filters=f))
    by_channel = to_records(ws.metrics(by="channel", filters=f))
    by_channel.sort(key=lambda r: -r["volume"])
    threats = ws.items(Filters(since=f.since, until=f.until, intent=THREATS), limit=None)
    urgent = []
    if not threats.empty:
        top = threats.dropna(subset=["urgency"]).sort_values("urgency", ascending=False).head(6)
        for r in top.to_dict("records"):
            urgent.append({
                "id": r["id"], "channel": r["channel"], "customer_id": r["customer_id"],
                "timestamp": None if pd.isna(r["timestamp"]) else pd.Timestamp(r["timestamp"]).isoformat(),
                "urgency": float(r["urgency"]), "intents": [str(i) for i in (r["intents"] if r["intents"] is not None else [])],
                "text": str(r["text"])[:280], "reach": None if pd.isna(r["reach"]) else int(r["reach"]),
            })  # fmt: skip
    return {
        "empty": False,
        "period": "week",
        "window_days": window_days,
        "window_end": (end - timedelta(days=1)).date().isoformat(),
        "latest": latest,
        "overall": overall[0] if overall else {},
        "trend": [{k: r.get(k) for k in ("week", "volume", "nps", "csat", "sentiment_index")} for r in trend],
        "by_channel": by_channel,
        "negative_aspects": _negative_aspects(ws, f),
        "undated": undated,
        "urgent": urgent,
        "sections": _optional_sections(ws),
        "alerts": open_alerts(ws),
    }


def cached_snapshot(ws: Workspace, cache: dict[str, Any], ttl_s: float = 300.0) -> dict[str, Any]:
    """``build_snapshot`` cached until the workspace's data changes (or ``ttl_s`` passes).

    Only the first build makes a visitor wait (concurrent first visits share one build). After
    that a stale snapshot is served at once while one background thread rebuilds it: on a large
    workspace a build takes seconds (about 5 s at 1M voices), and every ingest changes the counts.
    """
    key = data_version(ws)
    lock: threading.Lock = cache.setdefault("snapshot_lock", threading.Lock())
    hit = cache.get("snapshot")
    if hit is not None:
        if hit[0] != key or time.monotonic() - hit[1] >= ttl_s:
            _refresh_in_background(ws, cache, lock)
        return hit[2]  # type: ignore[no-any-return]
    with lock:  # first build: later callers wait for it instead of building again
        hit = cache.get("snapshot")
        if hit is None:
            hit = _build_into(ws, cache)
    return hit[2]  # type: ignore[no-any-return]


def _build_into(ws: Workspace, cache: dict[str, Any]) -> tuple[Any, float, dict[str, Any]]:
    """Build and store; the key is read before building, so changes made meanwhile rebuild later."""
    key = data_version(ws)
    t0 = time.perf_counter()
    hit = (key, time.monotonic(), build_snapshot(ws))
    cache["snapshot"] = hit
    log.debug("snapshot built in %.2fs", time.perf_counter() - t0)
    return hit


def _refresh_in_background(ws: Workspace, cache: dict[str, Any], lock: threading.Lock) -> None:
    if not lock.acquire(blocking=False):  # a build is already running
        return

    def work() -> None:
        try:
            _build_into(ws, cache)
        except Exception as exc:  # the stale snapshot stays; the next visit tries again
            log.warning("snapshot refresh failed: %s", type(exc).__name__)
        finally:
            lock.release()

    try:
        threading.Thread(target=work, name="escucha-snapshot", daemon=True).start()
    except RuntimeError:
        lock.release()


def warm_snapshot(ws: Workspace, cache: dict[str, Any]) -> threading.Thread:
    """Build the snapshot in a background thread (at server start), so the first visitor does not wait."""

    def work() -> None:
        try:
            cached_snapshot(ws, cache)
        except Exception as exc:
            log.warning("snapshot warm-up failed: %s", type(exc).__name__)

    t = threading.Thread(target=work, name="escucha-snapshot-warm", daemon=True)
    t.start()
    return t
