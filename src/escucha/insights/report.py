"""The report: what the voices say, as data (``build_report``), terminal tables and a self-contained HTML page.

After the headline sections come one section per insight, in this order: the improvement plan
("What to fix first"), promise vs experience, the customer journey, key drivers, themes, the
ideas board and segments. Each is computed defensively: when one fails or has no data it is left
out (a warning names the section and the exception type, and ``skipped`` lists it) while the
rest of the report still renders. Every section is plain JSON-able data.
"""

from __future__ import annotations

import base64
import contextlib
import io
import logging
import math
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from escucha.insights.metrics import to_records

if TYPE_CHECKING:
    from rich.console import Console

    from escucha.workspace import Workspace

log = logging.getLogger(__name__)

#: Insight sections in display order: (key in the report data, title).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("plan", "What to fix first"),
    ("promises", "Promise vs experience"),
    ("journey", "Customer journey"),
    ("drivers", "Key drivers"),
    ("themes", "Themes in their own words"),
    ("ideas", "Ideas board"),
    ("segments", "Segments"),
)
#: Order of computation: themes first, so drivers and the plan can use the stored themes.
_COMPUTE_ORDER: tuple[str, ...] = ("themes", "drivers", "plan", "promises", "journey", "ideas", "segments")
PLAN_TOP = 8
THEMES_TOP = 10
IDEAS_TOP = 10
DRIVERS_TOP = 10
AGENT_SPEAKERS = r"^(agent|agente|asesor|asesora|operador|operadora|rep|brand)"


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


def aspect_summary(ws: Workspace, top: int = 12) -> list[dict[str, Any]]:
    """Aspects by mentions with their sentiment balance and example quotes."""
    asp = ws.aspects()
    if asp.empty:
        return []
    rows: list[dict[str, Any]] = []
    for aspect, g in asp.groupby("aspect"):
        n = g["item_id"].nunique()
        neg = int((g["aspect_sentiment"] == "negative").sum())
        pos = int((g["aspect_sentiment"] == "positive").sum())
        rows.append(
            {
                "aspect": aspect,
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


# -- insight sections ------------------------------------------------------------------------
def plain(v: Any) -> Any:
    """JSON-able copy: numpy → Python, NaN/inf → None, floats to 6 significant digits, dates → ISO
    strings, tuples/sets → lists."""
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, list | tuple | set | frozenset | np.ndarray | pd.Series):
        return [plain(x) for x in v]
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float):  # 6 significant digits: keeps tiny p-values
        return float(f"{v:.6g}") if math.isfinite(v) else None
    if v is None or v is pd.NaT or v is pd.NA:
        return None
    if isinstance(v, pd.Timestamp | datetime | date):
        return v.isoformat()
    if isinstance(v, bool | int | str):
        return v
    return str(v)


def _day(v: Any) -> str | None:
    """The date part of an ISO timestamp (or None)."""
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)[:10]


def _list(v: Any) -> list[Any]:
    return list(v) if isinstance(v, list | tuple | np.ndarray) else []


def _themes_section(ws: Workspace, ctx: dict[str, Any]) -> dict[str, Any] | None:
    df = ws.themes()  # discovers only when none are stored
    if df.empty:
        return None
    rows = []
    for r in df.head(THEMES_TOP).to_dict("records"):
        fr: dict[str, Any] = r["first_raised"] if isinstance(r.get("first_raised"), dict) else {}
        quotes = [q for q in _list(r.get("quotes")) if isinstance(q, dict) and q.get("text")]
        if fr.get("text"):
            quotes.append({"text": fr["text"], "customer_id": fr.get("customer_id")})
        quote = next((q for q in quotes if 25 <= len(str(q["text"])) <= 280), quotes[0] if quotes else None)
        rows.append({
            "id": r.get("id"), "label": r.get("label"), "sentences": r.get("size"),
            "voices": r.get("items"), "customers": r.get("customers"),
            "negative_pct": 100 * float(r["share_negative"]) if r.get("share_negative") is not None else None,
            "trend": r.get("trend"), "trend_p": r.get("trend_p"),
            "dominant_emotion": r.get("dominant_emotion"), "key_phrases": _list(r.get("key_phrases"))[:5],
            "quote": {"text": quote["text"], "customer_id": quote.get("customer_id")} if quote else None,
            "first_raised": {"customer_id": fr.get("customer_id"), "date": _day(fr.get("timestamp")),
                             "text": fr.get("text")} if fr else None,
        })  # fmt: skip
    return {"total": len(df), "themes": rows}


def _drivers_section(ws: Workspace, ctx: dict[str, Any]) -> dict[str, Any] | None:
    df = ws.drivers(target="nps", items=ctx["items"])
    if df.empty:  # no NPS: the best-covered score instead
        df = ws.drivers(target="auto", items=ctx["items"])
    attrs = dict(df.attrs)
    df = df[df["driver"] != "theme:-1"]  # voices without a theme are no driver
    if df.empty:
        return None
    return {"target": attrs.get("target", str(df["target"].iloc[0])), "n": attrs.get("n"),
            "importance_cut": attrs.get("importance_cut"), "performance_cut": attrs.get("performance_cut"),
            "rows": to_records(df)}


def _plan_section(ws: Workspace, ctx: dict[str, Any]) -> list[dict[str, Any]] | None:
    from escucha.insights.plan import WEIGHTS

    out: list[dict[str, Any]] = []
    for it in ws.plan(top=PLAN_TOP + 2, save=False):
        if it.get("kind") == "theme" and str(it.get("key")) == "-1":
            continue  # voices without a theme are no problem of their own
        parts = it.get("parts") or {}
        points = {k: 100 * w * float((parts.get(k) or {}).get("component") or 0.0) for k, w in WEIGHTS.items()}
        vol, trend = parts.get("volume") or {}, parts.get("trend") or {}
        tp, metric, raisers = it.get("touchpoint") or {}, it.get("metric") or {}, it.get("raisers") or {}
        out.append({
            "rank": len(out) + 1, "id": it.get("id"), "kind": it.get("kind"), "problem": it.get("title"),
            "impact": it.get("impact"), "impact_parts": points,
            "voices": vol.get("voices"), "share_of_voices": vol.get("share_of_voices"),
            "negativity": (parts.get("negativity") or {}).get("mean"),
            "driver_importance": (parts.get("driver") or {}).get("importance"),
            "trend_change": trend.get("change"), "trend_p": trend.get("p_value"),
            "valuable_customers": (parts.get("value") or {}).get("valuable_customers"),
            "owner": it.get("owner") or None,
            "touchpoint": {"id": tp.get("id"), "stage": tp.get("stage"), "share": tp.get("share")} if tp else None,
            "metric": {"name": metric.get("name"), "baseline": metric.get("baseline"),
                       "baseline_weeks": metric.get("baseline_weeks")},
            "evidence": [{"text": e.get("text"), "date": e.get("date")} for e in it.get("evidence") or []],
            "raisers": {"count": raisers.get("count", 0),
                        "first": [{"customer_id": f.get("customer_id"), "date": f.get("date")}
                                  for f in raisers.get("first") or []]},
            "status": it.get("status"), "peak": it.get("peak"),
        })  # fmt: skip
    return out[:PLAN_TOP] or None


def _promises_section(ws: Workspace, ctx: dict[str, Any]) -> list[dict[str, Any]] | None:
    out = []
    for p in ws.promises(items=ctx["items"]):
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


def _journey_section(ws: Workspace, ctx: dict[str, Any]) -> dict[str, Any] | None:
    j = ws.journey()
    if not j.get("stages") or not j.get("assigned_sentences"):
        return None
    moments = []
    for st in j["stages"]:
        for t in st["touchpoints"]:
            if t.get("moment_of_truth"):
                neg = [e for e in t.get("examples") or [] if e.get("sentiment") == "negative"]
                moments.append({
                    "id": t["id"], "name": t.get("name"), "stage": st.get("name"), "sentences": t.get("sentences"),
                    "sentiment_index": t.get("sentiment_index"), "negative_pct": t.get("negative_share"),
                    "importance": t.get("importance"), "moment_score": t.get("moment_score"),
                    "emotions": [e.get("emotion") for e in t.get("emotions") or []][:2],
                    "quote": (neg or t.get("examples") or [{}])[0].get("text"),
                })  # fmt: skip
    moments.sort(key=lambda m: -(m["moment_score"] or 0.0))
    return {**j, "moments": moments}


def _ideas_section(ws: Workspace, ctx: dict[str, Any]) -> list[dict[str, Any]] | None:
    out = []
    for i in ws.ideas(top=IDEAS_TOP):
        fp = i.get("first_proposer") or {}
        others = [q.get("text") for q in i.get("quotes") or [] if q.get("text") != fp.get("text")][:2]
        out.append({
            "rank": i.get("rank"), "label": i.get("label"), "supporters": i.get("supporters"),
            "mentions": i.get("mentions"), "languages": i.get("languages"),
            "first_proposer": {"customer_id": fp.get("customer_id"), "date": _day(fp.get("date")),
                               "text": fp.get("text")},
            "quotes": others,
        })  # fmt: skip
    return out or None


def _segments_section(ws: Workspace, ctx: dict[str, Any]) -> dict[str, Any] | None:
    seg = ws.segments(save=False)
    if not seg.get("segments"):
        return None
    keep = ("id", "size", "share", "voices", "description_en", "description_es", "nps", "nps_n",
            "sentiment_index", "churn_threat_share")
    return {"k": seg.get("k"), "silhouette": seg.get("silhouette"), "customers": seg.get("customers"),
            "segments": [{k: s.get(k) for k in keep} for s in seg["segments"]]}


_BUILDERS: dict[str, Callable[[Workspace, dict[str, Any]], Any]] = {
    "themes": _themes_section, "drivers": _drivers_section, "plan": _plan_section,
    "promises": _promises_section, "journey": _journey_section, "ideas": _ideas_section,
    "segments": _segments_section,
}  # fmt: skip


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


def insight_sections(ws: Workspace) -> tuple[dict[str, Any], dict[str, str]]:
    """({section: data} for the sections with data, {section: why it was left out})."""
    from escucha.insights.drivers import customer_items

    done: dict[str, Any] = {}
    skipped: dict[str, str] = {}
    ctx: dict[str, Any] = {}
    with _one_blas_thread():
        try:
            ctx["items"] = customer_items(ws)
        except Exception as exc:  # every section needs the voices
            log.warning("report: insight sections left out (%s)", type(exc).__name__)
            return {}, {k: type(exc).__name__ for k, _ in SECTIONS}
        for key in _COMPUTE_ORDER:
            t0 = time.perf_counter()
            try:
                out = _BUILDERS[key](ws, ctx)
            except Exception as exc:
                log.warning("report: section %r left out (%s)", key, type(exc).__name__)
                skipped[key] = type(exc).__name__
                continue
            if out:
                done[key] = plain(out)
            else:
                skipped[key] = "no data"
            log.debug("report: section %r in %.1f s", key, time.perf_counter() - t0)
    return {k: done[k] for k, _ in SECTIONS if k in done}, skipped


def build_report(ws: Workspace) -> dict[str, Any]:
    """Everything the report shows, as plain data: headline sections, then one per insight."""
    data = _headline(ws)
    sections, skipped = insight_sections(ws)
    data.update(sections)
    data["sections"] = [{"key": k, "title": t} for k, t in SECTIONS if k in sections]
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


# -- terminal -----------------------------------------------------------------------------
def _f(v: Any, d: int = 1) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if not isinstance(v, float):
        return str(v)
    s = f"{v:.{d}f}"
    return s[1:] if s.startswith("-") and float(s) == 0 else s


def render_terminal(data: dict[str, Any], console: Console) -> None:
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    o = data["overall"]
    c = data["counts"]
    head = (
        f"[bold]{c.get('items', 0):,}[/] voices · {c.get('analysed', 0):,} analysed · "
        f"{c.get('quarantined', 0):,} quarantined\n"
        f"NPS [bold]{_f(o.get('nps'))}[/] (95% CI {_f(o.get('nps_low'))}…{_f(o.get('nps_high'))}, n={o.get('n_nps', 0)})  "
        f"CSAT [bold]{_f(o.get('csat'))}%[/]  CES {_f(o.get('ces'), 2)}  rating {_f(o.get('rating'), 2)}  "
        f"sentiment index [bold]{_f(o.get('sentiment_index'))}[/]"
    )
    lp = data.get("latest_period") or {}
    if lp.get("nps_change") is not None or lp.get("sentiment_index_change") is not None:
        sig = " (significant)" if lp.get("sentiment_index_significant") else ""
        head += (
            f"\nLatest {data['period']}: sentiment index {_f(lp.get('sentiment_index'))} "
            f"(Δ {_f(lp.get('sentiment_index_change'))}{sig}), volume {lp.get('volume')}"
        )
    console.print(Panel(head, title="escucha report", expand=False))

    t = Table(title="By channel")
    for col in ("channel", "volume", "NPS", "CSAT %", "sentiment"):
        t.add_column(col, justify="left" if col == "channel" else "right")
    for r in data["by_channel"]:
        t.add_row(str(r["channel"]), str(r["volume"]), _f(r.get("nps")), _f(r.get("csat")), _f(r.get("sentiment_index")))
    console.print(t)

    if data["aspects"]:
        t = Table(title="Top aspects")
        for col in ("aspect", "mentions", "% neg", "net", "what customers say"):
            t.add_column(col, justify="right" if col in ("mentions", "% neg", "net") else "left", overflow="fold")
        for a in data["aspects"][:10]:
            q = a["negative_quotes"][:1] or a["positive_quotes"][:1]
            t.add_row(a["aspect"], str(a["mentions"]), _f(a["negative_pct"], 0), _f(a["net"], 0),
                      Text(f"“{q[0][:110]}”" if q else ""))
        console.print(t)
    if data["intents"]:
        console.print("Intents: " + ", ".join(f"{k} {v:,}" for k, v in data["intents"].items()))
    if data["urgent"]:
        t = Table(title="Most urgent voices")
        for col in ("urgency", "channel", "reach", "intents", "text"):
            t.add_column(col, overflow="fold")
        for u in data["urgent"][:5]:
            t.add_row(_f(u["urgency"], 2), u["channel"], _f(u["reach"]), ", ".join(u["intents"]),
                      Text(u["text"][:100]))
        console.print(t)
    render_insights_terminal(data, console)


def _cut(text: Any, n: int = 90) -> str:
    t = " ".join(str(text or "").split())
    return t if len(t) <= n else t[: n - 1] + "…"


def _table(title: str, cols: list[tuple[str, bool]]) -> Any:
    from rich.table import Table

    t = Table(title=title, title_justify="left", title_style="bold")
    for name, numeric in cols:
        t.add_column(name, justify="right" if numeric else "left", overflow="fold")
    return t


def render_insights_terminal(data: dict[str, Any], console: Console) -> None:
    """The insight sections as concise Rich tables (customer text shown literally, never as markup)."""
    from rich.text import Text

    T = Text  # every cell built from data is plain Text: "[b]" in a customer's words stays as typed
    if data.get("plan"):
        t = _table("What to fix first", [("#", True), ("problem", False), ("impact", True),
                                         ("vol/neg/drv/trend/val", False), ("owner", False),
                                         ("touchpoint", False), ("raised by", False), ("evidence", False)])
        for p in data["plan"][:6]:
            parts = p["impact_parts"]
            first = p["raisers"]["first"][:1]
            t.add_row(str(p["rank"]), T(p["problem"] or ""), _f(p["impact"]),
                      "/".join(f"{parts.get(k) or 0:.0f}" for k in ("volume", "negativity", "driver", "trend", "value")),
                      T(p["owner"] or "–"), T((p["touchpoint"] or {}).get("id") or "–"),
                      T(f"{p['raisers']['count']} (first {first[0]['customer_id']})" if first else str(p["raisers"]["count"])),
                      T(_cut(p["evidence"][0]["text"], 70) if p["evidence"] else ""))
        console.print(t)
    if data.get("promises"):
        t = _table("Promise vs experience", [("promise", False), ("mentions", True), ("% broken", True),
                                             ("gap (95% CI)", True), ("before → after", False), ("quote", False)])
        for p in data["promises"]:
            ba = p.get("before_after")
            bas = (f"{_f(ba['before'])}% → {_f(ba['after'])}% ({ba['change']:+.1f}{', sig.' if ba['significant'] else ''})"
                   if ba else "–")
            q = (p["quotes_broken"] or p["quotes_kept"] or [{}])[0].get("text")
            t.add_row(T(p["promise"] or ""), str(p["mentions"]), _f(p["broken_pct"], 0),
                      f"{_f(p['gap'])} ({_f(p['gap_low'])}–{_f(p['gap_high'])})", bas, T(_cut(q, 70)))
        console.print(t)
    if data.get("journey"):
        j = data["journey"]
        t = _table(f"Customer journey ({j['assigned_sentences']:,} of {j['sentences']:,} sentences placed; "
                   "★ moment of truth)", [("stage", False), ("sentiment", True), ("touchpoints (sentiment, volume)", False)])
        for st in j["stages"]:
            tps = ", ".join(f"{tp['name']}{'★' if tp.get('moment_of_truth') else ''} ({_f(tp['sentiment_index'], 0)}, "
                            f"{tp['sentences']})" for tp in st["touchpoints"])
            t.add_row(T(st["name"]), _f(st["sentiment_index"], 0), T(tps))
        console.print(t)
    if data.get("drivers"):
        dr = data["drivers"]
        delta = "ΔNPS" if dr["target"] == "nps" else "Δ"
        t = _table(f"Key drivers of {dr['target'].upper()} (n={dr['n']})",
                   [("driver", False), ("mentions", True), ("performance", True), ("importance", True),
                    (delta, True), ("quadrant", False)])
        for r in dr["rows"][:8]:
            t.add_row(T(str(r["label"])), str(r["mentions"]), _f(r["performance"]), _f(r["importance"]),
                      _f(r["impact"]), r["quadrant"])
        console.print(t)
    if data.get("themes"):
        t = _table("Themes in their own words", [("theme", False), ("voices", True), ("% neg", True),
                                                 ("trend", False), ("quote", False), ("first raised", False)])
        for th in data["themes"]["themes"][:8]:
            fr = th.get("first_raised") or {}
            t.add_row(T(str(th["label"])), str(th["voices"]), _f(th["negative_pct"], 0), str(th["trend"] or "–"),
                      T(_cut((th.get("quote") or {}).get("text"), 70)),
                      T(f"{fr.get('customer_id') or '–'} {fr.get('date') or ''}"))
        console.print(t)
    if data.get("ideas"):
        t = _table("Ideas board", [("idea", False), ("supporters", True), ("first proposer", False), ("quote", False)])
        for i in data["ideas"][:8]:
            fp = i["first_proposer"]
            t.add_row(T(str(i["label"])), str(i["supporters"]),
                      T(f"{fp.get('customer_id') or 'anonymous'} {fp.get('date') or ''}"), T(_cut(fp.get("text"), 70)))
        console.print(t)
    if data.get("segments"):
        sg = data["segments"]
        t = _table(f"Segments ({sg['customers']:,} customers, k={sg['k']})",
                   [("segment", False), ("customers", True), ("NPS", True), ("sentiment", True), ("% churn", True)])
        for s in sg["segments"]:
            t.add_row(T(s["description_en"] or ""), f"{s['size']} ({_f(s['share'], 0)}%)", _f(s["nps"]),
                      _f(s["sentiment_index"]), _f(s["churn_threat_share"]))
        console.print(t)
    if data.get("skipped"):
        left = {k: v for k, v in data["skipped"].items() if v != "no data"}
        if left:
            console.print(T("Left out after an error: " + ", ".join(f"{k} ({v})" for k, v in left.items()), style="yellow"))


# -- HTML ---------------------------------------------------------------------------------
def _svg(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    svg = buf.getvalue()
    return svg[svg.find("<svg") :]


def _trend_chart(data: dict[str, Any]) -> str | None:
    import matplotlib.pyplot as plt

    trend = pd.DataFrame(data["trend"])
    period = data["period"]
    if trend.empty:
        return None
    trend[period] = pd.to_datetime(trend[period])
    fig, ax = plt.subplots(figsize=(8, 3))
    ax.bar(trend[period], trend["volume"], width=5 if period == "week" else 20, color="#c9d6ea",
           label="volume")
    ax.set_ylabel("voices")
    ax2 = ax.twinx()
    ax2.plot(trend[period], trend["sentiment_index"].astype(float), color="#d1495b", marker="o",
             label="sentiment index")
    if "sentiment_index_low" in trend:
        ax2.fill_between(trend[period], trend["sentiment_index_low"].astype(float),
                         trend["sentiment_index_high"].astype(float), color="#d1495b", alpha=0.15)
    ax2.set_ylabel("sentiment index")
    ax.set_title(f"Volume and sentiment by {period}")
    fig.autofmt_xdate()
    return _svg(fig)


def _channel_chart(data: dict[str, Any]) -> str | None:
    import matplotlib.pyplot as plt

    ch = pd.DataFrame(data["by_channel"])
    if ch.empty or "nps" not in ch or not ch["nps"].notna().any():
        return None
    ch = ch[ch["nps"].notna()]
    nps = ch["nps"].to_numpy(dtype=float)
    err = np.vstack([nps - ch["nps_low"].to_numpy(dtype=float), ch["nps_high"].to_numpy(dtype=float) - nps])
    fig, ax = plt.subplots(figsize=(6, 0.5 + 0.45 * len(ch)))
    ax.barh([_tex(c) for c in ch["channel"]], nps, xerr=np.nan_to_num(err),
            color=["#2e8b57" if v >= 0 else "#d1495b" for v in nps])
    ax.axvline(0, color="#444", lw=0.8)
    ax.set_xlabel("NPS (95% CI)")
    ax.set_title("NPS by channel")
    return _svg(fig)


def _aspects_chart(data: dict[str, Any]) -> str | None:
    import matplotlib.pyplot as plt

    asp = pd.DataFrame(data["aspects"])
    if asp.empty:
        return None
    asp = asp.iloc[::-1]
    labels = [_tex(a) for a in asp["aspect"]]
    fig, ax = plt.subplots(figsize=(7, 0.5 + 0.4 * len(asp)))
    ax.barh(labels, asp["positive_pct"] * asp["mentions"] / 100, color="#2e8b57", label="positive")
    ax.barh(labels, -asp["negative_pct"] * asp["mentions"] / 100, color="#d1495b", label="negative")
    ax.axvline(0, color="#444", lw=0.8)
    ax.set_xlabel("mentions (negative ← → positive)")
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title("Top aspects")
    return _svg(fig)


def charts(data: dict[str, Any]) -> dict[str, str]:
    """Inline SVG charts: volume and sentiment over time, NPS by channel, aspects, then the
    insight sections' charts. A chart that fails is left out (its exception type logged)."""
    import matplotlib

    matplotlib.use("Agg")
    out: dict[str, str] = {}
    for key, make in (("trend", _trend_chart), ("nps_channel", _channel_chart),
                      ("aspects", _aspects_chart)):
        try:
            svg = make(data)
        except Exception as exc:
            log.warning("report: %s chart left out (%s)", key, type(exc).__name__)
            continue
        if svg:
            out[key] = svg
    out.update(insight_charts(data))
    return out


def _tex(text: Any, n: int = 40) -> str:
    """Chart-safe label: shortened, with ``$`` escaped (matplotlib would read it as mathtext)."""
    t = str(text)
    return (t if len(t) <= n else t[: n - 1] + "…").replace("$", r"\$")


def _png_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _plan_chart(plan: list[dict[str, Any]]) -> str:
    import matplotlib.pyplot as plt

    from escucha.insights.plan import WEIGHTS

    colors = {"volume": "#4c72b0", "negativity": "#d1495b", "driver": "#edae49", "trend": "#8c564b",
              "value": "#2e8b57"}
    rows = plan[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.6 + 0.42 * len(rows)))
    labels = [_tex(f"{r['rank']}. {r['problem']}") for r in rows]
    left = np.zeros(len(rows))
    for k in WEIGHTS:
        v = np.array([float((r.get("impact_parts") or {}).get(k) or 0.0) for r in rows])
        ax.barh(labels, v, left=left, color=colors.get(k, "#999"), label=k)
        left += v
    for y, total in enumerate(left):
        ax.text(total + 0.8, y, f"{total:.0f}", va="center", fontsize=8)
    ax.set_xlim(0, max(100.0, float(left.max()) + 8))
    ax.set_xlabel("impact score (0–100) = volume + negativity + driver + trend + value")
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), fontsize=8, ncol=5, frameon=False)
    return _svg(fig)


def _journey_chart(journey: dict[str, Any]) -> str:
    """The journey module's chart, at report width (its own figure grows with the touchpoints)."""
    from escucha.insights import journey as J

    make = getattr(J, "_figure", None)
    if make is None:  # pragma: no cover - the module's own chart as it is
        return J.render_svg(journey)
    fig = make(journey)
    n = sum(len(st["touchpoints"]) for st in journey["stages"])
    width = min(max(8.0, 0.75 * n + 1.5), 12.0)
    fig.set_size_inches(width, 5.4)
    ax = fig.axes[0]
    span = {str(st["name"]): len(st["touchpoints"]) for st in journey["stages"]}
    for t in ax.texts:  # stage names wider than their stage: two smaller lines
        name = t.get_text()
        if name in span and len(name) * 0.075 > span[name] * (width - 1.5) / max(n, 1):
            longest = max(len(w) for w in name.split())
            t.set_text(textwrap.fill(name, width=max(longest, len(name) // 2 + 1),
                                     break_long_words=False))
            t.set_fontsize(8)
    ax.title.set_position((0.5, 1.04))
    fig.tight_layout()
    return _svg(fig)


def _promises_chart(promises: list[dict[str, Any]]) -> str:
    import matplotlib.pyplot as plt

    ps = [p for p in promises if p.get("gap") is not None][::-1]
    fig, ax = plt.subplots(figsize=(7, 0.6 + 0.45 * len(ps)))
    gap = np.array([p["gap"] for p in ps], dtype=float)
    lo = np.array([p["gap_low"] if p["gap_low"] is not None else p["gap"] for p in ps], dtype=float)
    hi = np.array([p["gap_high"] if p["gap_high"] is not None else p["gap"] for p in ps], dtype=float)
    ax.barh([_tex(p["promise"]) for p in ps], gap, xerr=[gap - lo, hi - gap], color="#d1495b", capsize=3)
    ax.set_xlabel("gap score (broken, weighted by negativity, per 100 voices; 95% CI)")
    ax.set_title("Promise vs experience")
    return _svg(fig)


def _drivers_chart(dr: dict[str, Any]) -> str:
    from escucha.insights.drivers import drivers_chart

    df = pd.DataFrame(dr["rows"])
    keep = set(df.nlargest(12, "importance").index) | set(df.nlargest(8, "mentions").index)
    df = df.loc[sorted(keep)].copy()
    df["label"] = [_tex(x, 28) for x in df["label"]]
    df.attrs.update(importance_cut=dr.get("importance_cut"), performance_cut=dr.get("performance_cut"))
    if df.attrs["importance_cut"] is None or df.attrs["performance_cut"] is None:
        df.attrs = {}
    with tempfile.TemporaryDirectory(prefix="escucha-report-") as tmp:
        return _png_uri(drivers_chart(df, Path(tmp) / "drivers.png"))


def insight_charts(data: dict[str, Any]) -> dict[str, str]:
    """Charts of the insight sections (inline SVG or base64 PNG); a chart that fails is left out."""
    makers: dict[str, Callable[[], str]] = {
        "plan": lambda: _plan_chart(data["plan"]),
        "promises": lambda: _promises_chart(data["promises"]),
        "journey": lambda: _journey_chart(data["journey"]),
        "drivers": lambda: _drivers_chart(data["drivers"]),
    }
    out = {}
    for key, make in makers.items():
        if not data.get(key):
            continue
        try:
            out[key] = make()
        except Exception as exc:
            log.warning("report: %s chart left out (%s)", key, type(exc).__name__)
    return out


_env = Environment(loader=PackageLoader("escucha.insights", "templates"), autoescape=select_autoescape(["html"]))


def render_html(data: dict[str, Any]) -> str:
    """A self-contained HTML page (inline SVG charts and CSS, no external assets)."""
    return _env.get_template("report.html").render(d=data, charts=charts(data), f=_f)
