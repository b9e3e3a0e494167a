"""Promise vs experience: does what customers live match what the brand promises?

The promises come from the workspace's files (``promise_config``); each customer sentence that
mentions one is judged kept, broken or neutral (``promise_judge``); per promise this module
reports mentions, kept/broken shares, the gap score with its 95% CI and the before/after-campaign
test (``promise_stats``), a weekly trend and evidence quotes.

The gap score is read against the whole customer base because people mostly mention a promise
when it fails: ``broken_share`` (among mentions, Wilson CI) and ``gap_among_mentions`` are given
too, but they are biased upwards.
"""

from __future__ import annotations

import json
import math
from typing import Any, cast

import numpy as np
import pandas as pd
from scipy import stats as st

from escucha.insights.base import (
    Insight,
    InsightContext,
    InsightResult,
    TableView,
    cut,
    fmt,
    register_insight,
    titles,
)
from escucha.insights.inputs import (
    customer_items,
    customer_sentences,
    voice_sentences,
)
from escucha.insights.metrics import wilson
from escucha.insights.promise_config import load_promises, normalize_promises
from escucha.insights.promise_judge import (
    STATUSES,
    compile_promise,
    durations,
    judge,
    promise_mentions,
)
from escucha.insights.promise_stats import before_after, gap_score, two_proportions
from escucha.store import Filters

__all__ = [
    "STATUSES", "Promises", "before_after", "compile_promise", "durations", "gap_score", "judge",
    "load_promises", "normalize_promises", "promise_mentions", "promise_report", "two_proportions",
]  # fmt: skip


def _weekly(items: pd.DataFrame, m: pd.DataFrame) -> list[dict[str, Any]]:
    if items.empty:
        return []
    wk = items["timestamp"].dt.to_period("W-SUN").dt.start_time
    voices = wk.value_counts().sort_index()
    mw = m.assign(week=m["timestamp"].dt.to_period("W-SUN").dt.start_time)
    out = []
    for w, n in voices.items():
        g = mw[mw["week"] == w]
        b = g[g["status"] == "broken"]
        out.append({"week": w.date().isoformat(), "voices": int(n), "mentions": len(g),
                    "broken": len(b), "kept": int((g["status"] == "kept").sum()),
                    "broken_per_1000_voices": 1000 * b["item_id"].nunique() / n,
                    "gap": gap_score((g["status"] == "broken").to_numpy(),
                                     g["negativity"].to_numpy())[0] if len(g) else None})
    return out


def _quotes(m: pd.DataFrame, status: str, n: int) -> list[dict[str, Any]]:
    g = m[m["status"] == status].drop_duplicates("text")
    g = g.sort_values("sentiment_score", ascending=status == "broken")
    if len(g) > n:  # spread over time: best per period slice
        g = g.head(n * 4).sort_values("timestamp")
        g = g.iloc[np.linspace(0, len(g) - 1, n).round().astype(int)]
    return [{"item_id": r.item_id, "text": r.text,
             "date": cast(pd.Timestamp, r.timestamp).date().isoformat()
             if pd.notna(r.timestamp) else None, "channel": r.channel, "reasons": r.reasons}
            for r in g.itertuples()]


def promise_report(ctx: InsightContext, promises: Any = None, items: pd.DataFrame | None = None
                   ) -> list[dict[str, Any]]:
    """Per promise: mentions, kept/broken shares, gap score with CI, weekly trend, before/after
    campaign test, evidence quotes; sorted by gap (largest first)."""
    ps = load_promises(ctx, promises)
    if not ps:
        return []
    if ctx.store.counts()["sentences"] == 0:
        return []
    if items is None and promises is None:  # the workspace's promises over every customer voice
        mentions, staff_m = customer_mentions(ctx, ps)
        return build_report(ps, customer_items(ctx), mentions, staff_m)
    items = customer_items(ctx) if items is None else items
    said = customer_sentences(ctx)
    mentions = promise_mentions(said[said["item_id"].isin(set(items["id"]))], ps)
    return build_report(ps, items, mentions, _staff_mentions(ctx, ps))


def customer_mentions(ctx: InsightContext, ps: list[dict[str, Any]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(mentions of ``ps`` in the customer voices, mentions by employees), judged once per
    context for the same promises (the promise page, its section and the plan share them)."""

    def build() -> tuple[pd.DataFrame, pd.DataFrame]:
        return promise_mentions(voice_sentences(ctx), ps), _staff_mentions(ctx, ps)

    key = json.dumps([p["id"] for p in ps])
    mentions, staff = ctx.memo(f"promise_mentions:{key}", build)
    return mentions.copy(), staff.copy()


def _staff_mentions(ctx: InsightContext, ps: list[dict[str, Any]]) -> pd.DataFrame:
    """Mentions of ``ps`` in what employees said (counted apart from the customers')."""
    return promise_mentions(customer_sentences(ctx, filters=Filters(channel=["employee"])), ps)


def build_report(ps: list[dict[str, Any]], items: pd.DataFrame, mentions: pd.DataFrame,
                 staff_mentions: pd.DataFrame | None = None) -> list[dict[str, Any]]:
    out = []
    ts = items["timestamp"]
    for p in ps:
        m = mentions[mentions["promise"] == p["id"]]
        start = pd.Timestamp(p["start"]) if p["start"] else None
        end = pd.Timestamp(p["end"]) + pd.Timedelta(days=1) if p["end"] else None
        active = m
        if start is not None:
            active = active[active["timestamp"] >= start]
        if end is not None:
            active = active[active["timestamp"] < end]
        n = len(active)
        broken = (active["status"] == "broken").to_numpy()
        window = items
        if start is not None:
            window = window[window["timestamp"] >= start]
        if end is not None:
            window = window[window["timestamp"] < end]
        # per voice in the promise's window: the worst broken mention (0 when none)
        worst = (active[active["status"] == "broken"].groupby("item_id")["negativity"].max())
        per_voice = window["id"].map(worst)
        gap, lo, hi = gap_score(per_voice.notna().to_numpy(), per_voice.fillna(0).to_numpy())
        gm = gap_score(broken, active["negativity"].to_numpy())[0]
        bs, bs_lo, bs_hi = wilson(float(broken.sum()), float(n))
        flagged = set(m.loc[m["status"] == "broken", "item_id"])
        ba = None
        if start is not None and len(ts) and ts.min() < start:
            ba = before_after(ts, flagged, items["id"], start)
        trend = _trend(items, m, start)
        c = compile_promise(p)
        out.append({
            "id": p["id"], "promise": p["promise"], "campaign": p["campaign"], "kind": c["kind"],
            "promised_hours": c["hours"],
            "start": p["start"].isoformat() if p["start"] else None,
            "end": p["end"].isoformat() if p["end"] else None, "channels": p["channels"],
            "journey_stage": p["journey_stage"],
            "mentions": int(n), "mentions_all_time": len(m),
            "customers": int(active["customer_id"].nunique()),
            "kept": int((active["status"] == "kept").sum()), "broken": int(broken.sum()),
            "neutral": int((active["status"] == "neutral").sum()),
            "kept_share": 100 * float((active["status"] == "kept").mean()) if n else None,
            "broken_share": bs if n else None, "broken_share_low": bs_lo if n else None,
            "broken_share_high": bs_hi if n else None,
            "voices_in_window": len(window),
            "gap": gap, "gap_low": lo, "gap_high": hi, "gap_among_mentions": gm,
            "before_after": ba, "trend": trend, "weekly": _weekly(items, m),
            "evidence_broken": _quotes(active, "broken", 5),
            "evidence_kept": _quotes(active, "kept", 2),
            "staff_mentions": len(staff_mentions[staff_mentions["promise"] == p["id"]])
            if staff_mentions is not None else 0,
            "item_ids": sorted(flagged),
        })
    out.sort(key=lambda r: -(r["gap"] if r["gap"] is not None and not math.isnan(r["gap"]) else -1))
    return out


def _trend(items: pd.DataFrame, m: pd.DataFrame, start: pd.Timestamp | None) -> dict[str, Any]:
    """Slope of weekly broken mentions per 1000 voices since the campaign start (or the data
    start), with its p-value."""
    w = pd.DataFrame(_weekly(items, m))
    if start is not None and not w.empty:
        w = w[pd.to_datetime(w["week"]) >= start - pd.Timedelta(days=6)]
    if len(w) < 4:
        return {"weeks": len(w), "slope_per_week": None, "p_value": None}
    res = st.linregress(np.arange(len(w)), w["broken_per_1000_voices"].to_numpy(dtype=float))
    return {"weeks": len(w), "slope_per_week": float(res.slope),
            "p_value": float(res.pvalue) if not math.isnan(res.pvalue) else None,
            "direction": "worse" if res.slope > 0 and res.pvalue < 0.05
            else "better" if res.slope < 0 and res.pvalue < 0.05 else "flat"}


SUMMARY_DOCS = "promise_summary"


def store_summary(ctx: InsightContext, report: list[dict[str, Any]]) -> None:
    """Keep a small summary of the last promise report (for the snapshot; no customer text)."""
    keep = ("id", "promise", "campaign", "mentions", "broken", "broken_share", "gap", "gap_low",
            "gap_high")
    rows = [{k: r.get(k) for k in keep} for r in report]
    ctx.store.put_docs(SUMMARY_DOCS, {"last": {"promises": rows}})


def snapshot_section(ctx: InsightContext, limit: int = 5) -> list[dict[str, Any]]:
    """Broken promises by gap (largest first) from the stored summary (computed and stored first
    when promises are configured but nobody measured them yet)."""
    summary = ctx.store.get_docs(SUMMARY_DOCS).get("last")
    if summary is None and load_promises(ctx):
        ctx.run("promises")  # stores the summary
        summary = ctx.store.get_docs(SUMMARY_DOCS).get("last")
    rows = (summary or {}).get("promises", [])
    rows = [r for r in rows if r.get("broken") and isinstance(r.get("gap"), int | float)
            and r["gap"] == r["gap"] and r["gap"] > 0]
    rows.sort(key=lambda r: -float(r["gap"]))
    out = []
    for r in rows[:limit]:
        share = r.get("broken_share")
        broken, mentions = int(r["broken"]), int(r.get("mentions") or 0)
        detail = f"gap {float(r['gap']):.1f} · {broken} of {mentions} mentions broken"
        detail_es = f"brecha {float(r['gap']):.1f} · {broken} de {mentions} menciones la ven rota"
        if isinstance(share, int | float) and share == share:
            detail += f" ({float(share):.0f}%)"
            detail_es += f" ({float(share):.0f}%)"
        out.append({"title": str(r.get("promise") or r.get("id")), "detail": detail, "detail_en": detail,
                    "detail_es": detail_es, "href": "/promises"})  # fmt: skip
    return out


# ------------------------------------------------------------------------ the insight
@register_insight
class Promises(Insight):
    """Promise vs experience: per brand promise, kept vs broken, gap score, trend, quotes."""

    name = "promises"
    nav_title = titles(en="Promises", es="Promesas")
    title = titles(en="Promise vs experience", es="Promesa frente a experiencia")
    snapshot_title = titles(en="Broken promises", es="Promesas rotas")
    order = 20
    page = "/promises"

    def compute(self, ctx: InsightContext, promises: Any = None, items: pd.DataFrame | None = None,
                **params: Any) -> InsightResult[list[dict[str, Any]]]:  # fmt: skip
        report = promise_report(ctx, promises=promises, items=items)
        if promises is None and items is None:
            store_summary(ctx, report)  # the snapshot's box reads it
        return InsightResult(report)

    def section(self, ctx: InsightContext) -> list[dict[str, Any]] | None:
        out = []
        for p in promise_report(ctx):
            ba = p.get("before_after") or None
            if ba and ba.get("change") is not None:
                pv = ba.get("p_value")
                ba = {k: ba.get(k) for k in ("cut", "before", "after", "change", "p_value", "test", "n_before", "n_after")}
                ba["significant"] = pv is not None and pv < 0.05
            else:
                ba = None
            out.append({
                "id": p.get("id"), "promise": p.get("promise"), "campaign": p.get("campaign"),
                "start": p.get("start"), "end": p.get("end"), "channels": p.get("channels"),
                "mentions": p.get("mentions"), "customers": p.get("customers"),
                "kept": p.get("kept"), "broken": p.get("broken"),
                "broken_pct": p.get("broken_share"), "broken_pct_low": p.get("broken_share_low"),
                "broken_pct_high": p.get("broken_share_high"),
                "gap": p.get("gap"), "gap_low": p.get("gap_low"), "gap_high": p.get("gap_high"),
                "voices_in_window": p.get("voices_in_window"), "before_after": ba,
                "trend": (p.get("trend") or {}).get("direction"),
                "quotes_broken": [{"text": q.get("text"), "date": q.get("date"), "channel": q.get("channel")}
                                  for q in (p.get("evidence_broken") or [])[:3]],
                "quotes_kept": [{"text": q.get("text"), "date": q.get("date"), "channel": q.get("channel")}
                                for q in (p.get("evidence_kept") or [])[:1]],
            })  # fmt: skip
        return out if any(p["mentions"] for p in out) else None

    def table(self, section: Any) -> TableView:
        rows = []
        for p in section:
            ba = p.get("before_after")
            bas = (f"{fmt(ba['before'])}% → {fmt(ba['after'])}% ({ba['change']:+.1f}{', sig.' if ba['significant'] else ''})"
                   if ba else "–")  # fmt: skip
            q = (p["quotes_broken"] or p["quotes_kept"] or [{}])[0].get("text")
            rows.append([p["promise"] or "", str(p["mentions"]), fmt(p["broken_pct"], 0),
                         f"{fmt(p['gap'])} ({fmt(p['gap_low'])}–{fmt(p['gap_high'])})", bas, cut(q, 70)])
        return TableView("Promise vs experience", [("promise", False), ("mentions", True), ("% broken", True),
                         ("gap (95% CI)", True), ("before → after", False), ("quote", False)], rows)  # fmt: skip

    def snapshot(self, ctx: InsightContext, limit: int = 5) -> list[dict[str, Any]]:
        return snapshot_section(ctx, limit)
