"""The report as data (``build_report``): headline sections, then one section per registered
insight, in display order (``escucha.insights.base.all_insights``).

Each insight section is computed defensively: when one fails or has no data it is left out (a
warning names the section and the exception type, and ``skipped`` lists it) while the rest of the
report still renders. Every section is plain JSON-able data, published through the one path
(``escucha.insights.base.publish``).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from escucha.insights.base import InsightContext, all_insights, compute_order, publish
from escucha.insights.inputs import aspect_labels
from escucha.insights.metrics import to_records

if TYPE_CHECKING:
    from escucha.workspace import Workspace

log = logging.getLogger(__name__)

AGENT_SPEAKERS = r"^(agent|agente|asesor|asesora|operador|operadora|rep|brand)"


def plain(v: Any) -> Any:
    """JSON-able copy for the report: floats to 6 significant digits (tiny p-values survive)."""
    return publish(v, significant=6)


def sections() -> list[tuple[str, str]]:
    """(key, title) of every insight section, in display order."""
    return [(i.name, i.label("en")) for i in all_insights()]


def _quotes(df: pd.DataFrame, k: int = 3) -> list[str]:
    """Up to ``k`` distinct customer sentences (never the agent's words)."""
    out: list[str] = []
    if "speaker" in df:
        df = df[~df["speaker"].fillna("").str.lower().str.match(AGENT_SPEAKERS)]
    for ev in df["quote"].dropna():
        ev = str(ev).strip()
        if 20 <= len(ev) <= 280 and ev not in out:
            out.append(ev)
        if len(out) >= k:
            break
    return out


def aspect_summary(ws: Workspace | InsightContext, top: int = 12) -> list[dict[str, Any]]:
    """Aspects by mentions with their sentiment balance and example quotes."""
    asp = ws.aspects()
    if asp.empty:
        return []
    rows: list[dict[str, Any]] = []
    ctx = ws.context if hasattr(ws, "context") else ws
    labels = {lg: aspect_labels(ctx, lg) for lg in ("es", "en")}
    for aspect, g in asp.groupby("aspect"):
        n = g["item_id"].nunique()
        neg = int((g["aspect_sentiment"] == "negative").sum())
        pos = int((g["aspect_sentiment"] == "positive").sum())
        rows.append(
            {
                "aspect": aspect,
                "labels": {lg: labels[lg].get(str(aspect), str(aspect)) for lg in labels},
                "mentions": n,
                "negative_pct": 100 * neg / len(g),
                "positive_pct": 100 * pos / len(g),
                "net": 100 * (pos - neg) / len(g),
                "negative_quotes": _quotes(g[g["aspect_sentiment"] == "negative"].sort_values("aspect_score")),
                "positive_quotes": _quotes(g[g["aspect_sentiment"] == "positive"].sort_values("aspect_score", ascending=False), 2),
            }
        )
    rows.sort(key=lambda r: -r["mentions"])
    return rows[:top]


@contextlib.contextmanager
def _one_blas_thread() -> Iterator[None]:
    """Single-threaded BLAS: on a busy machine threaded OpenBLAS makes small solves ~50x slower."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - comes with scikit-learn
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def insight_sections(ctx: InsightContext) -> tuple[dict[str, Any], dict[str, str]]:
    """({section: data} for the sections with data, {section: why it was left out})."""
    from escucha.insights.inputs import customer_items

    done: dict[str, Any] = {}
    skipped: dict[str, str] = {}
    insights = all_insights()
    with _one_blas_thread():
        try:
            customer_items(ctx)  # every section needs the voices: read once, shared
        except Exception as exc:
            log.warning("report: insight sections left out (%s)", type(exc).__name__)
            return {}, {i.name: type(exc).__name__ for i in insights}
        for insight in compute_order(insights):
            t0 = time.perf_counter()
            try:
                out = plain(insight.section(ctx))
            except Exception as exc:
                log.warning("report: section %r left out (%s)", insight.name, type(exc).__name__)
                skipped[insight.name] = type(exc).__name__
                continue
            if out:
                done[insight.name] = out
            else:
                skipped[insight.name] = "no data"
            log.debug("report: section %r in %.1f s", insight.name, time.perf_counter() - t0)
    return {i.name: done[i.name] for i in insights if i.name in done}, skipped


def build_report(ws: Workspace) -> dict[str, Any]:
    """Everything the report shows, as plain data: headline sections, then one per insight."""
    data = _headline(ws)
    found, skipped = insight_sections(ws.context)
    data.update(found)
    data["sections"] = [{"key": k, "title": t} for k, t in sections() if k in found]
    data["skipped"] = skipped
    return data


def _headline(ws: Workspace) -> dict[str, Any]:
    """Counts, overall and per-period metrics, channels, aspects, intents and urgent voices."""
    counts = ws.counts()
    overall = to_records(ws.metrics())
    period = "week"
    trend = ws.metrics(period=period)
    if len(trend) > 30:
        period = "month"
        trend = ws.metrics(period=period)
    by_channel = to_records(ws.metrics(by="channel"))
    latest = to_records(trend.tail(1)) if not trend.empty else []
    items = ws.items(limit=None)
    intents: dict[str, int] = {}
    urgent: list[dict[str, Any]] = []
    if not items.empty and "intents" in items:
        for lst in items["intents"].dropna():
            for i in lst:
                intents[i] = intents.get(i, 0) + 1
        top = items.dropna(subset=["urgency"]).sort_values("urgency", ascending=False).head(10)
        for r in top.to_dict("records"):
            urgent.append(
                {
                    "id": r["id"],
                    "channel": r["channel"],
                    "customer_id": r["customer_id"],
                    "reach": None if pd.isna(r["reach"]) else int(r["reach"]),
                    "urgency": round(float(r["urgency"]), 3),
                    "intents": list(r["intents"]) if r["intents"] is not None else [],
                    "text": str(r["text"])[:240],
                }
            )
    return {
        "workspace": str(ws.path),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "counts": counts,
        "overall": overall[0] if overall else {},
        "latest_period": latest[0] if latest else {},
        "period": period,
        "trend": to_records(trend),
        "by_channel": by_channel,
        "aspects": aspect_summary(ws),
        "intents": dict(sorted(intents.items(), key=lambda kv: -kv[1])),
        "urgent": urgent,
    }
