"""The report: what the voices say, as data (``build_report``), terminal tables and a self-contained HTML page."""

from __future__ import annotations

import io
import math
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from escucha.insights.metrics import to_records

if TYPE_CHECKING:
    from rich.console import Console

    from escucha.workspace import Workspace



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
    rows = []
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


def build_report(ws: Workspace) -> dict[str, Any]:
    """Everything the report shows, as plain data."""
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
    return f"{v:.{d}f}" if isinstance(v, float) else str(v)


def render_terminal(data: dict[str, Any], console: Console) -> None:
    from rich.panel import Panel
    from rich.table import Table

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
            t.add_row(a["aspect"], str(a["mentions"]), _f(a["negative_pct"], 0), _f(a["net"], 0), f"“{q[0][:110]}”" if q else "")
        console.print(t)
    if data["intents"]:
        console.print("Intents: " + ", ".join(f"{k} {v:,}" for k, v in data["intents"].items()))
    if data["urgent"]:
        t = Table(title="Most urgent voices")
        for col in ("urgency", "channel", "reach", "intents", "text"):
            t.add_column(col, overflow="fold")
        for u in data["urgent"][:5]:
            t.add_row(_f(u["urgency"], 2), u["channel"], _f(u["reach"]), ", ".join(u["intents"]), u["text"][:100])
        console.print(t)


# -- HTML ---------------------------------------------------------------------------------
def _svg(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    svg = buf.getvalue()
    return svg[svg.find("<svg") :]


def charts(data: dict[str, Any]) -> dict[str, str]:
    """Inline SVG charts: volume and sentiment over time, NPS by channel, aspects."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out: dict[str, str] = {}
    trend = pd.DataFrame(data["trend"])
    period = data["period"]
    if not trend.empty:
        trend[period] = pd.to_datetime(trend[period])
        fig, ax = plt.subplots(figsize=(8, 3))
        ax.bar(trend[period], trend["volume"], width=5 if period == "week" else 20, color="#c9d6ea", label="volume")
        ax.set_ylabel("voices")
        ax2 = ax.twinx()
        ax2.plot(trend[period], trend["sentiment_index"], color="#d1495b", marker="o", label="sentiment index")
        if "sentiment_index_low" in trend:
            ax2.fill_between(trend[period], trend["sentiment_index_low"].astype(float), trend["sentiment_index_high"].astype(float), color="#d1495b", alpha=0.15)
        ax2.set_ylabel("sentiment index")
        ax.set_title(f"Volume and sentiment by {period}")
        fig.autofmt_xdate()
        out["trend"] = _svg(fig)
    ch = pd.DataFrame(data["by_channel"])
    if not ch.empty and ch["nps"].notna().any():
        ch = ch[ch["nps"].notna()]
        fig, ax = plt.subplots(figsize=(6, 0.5 + 0.45 * len(ch)))
        err = [ch["nps"] - ch["nps_low"], ch["nps_high"] - ch["nps"]]
        ax.barh(ch["channel"], ch["nps"], xerr=err, color=["#2e8b57" if v >= 0 else "#d1495b" for v in ch["nps"]])
        ax.axvline(0, color="#444", lw=0.8)
        ax.set_xlabel("NPS (95% CI)")
        ax.set_title("NPS by channel")
        out["nps_channel"] = _svg(fig)
    asp = pd.DataFrame(data["aspects"])
    if not asp.empty:
        asp = asp.iloc[::-1]
        fig, ax = plt.subplots(figsize=(7, 0.5 + 0.4 * len(asp)))
        ax.barh(asp["aspect"], asp["positive_pct"] * asp["mentions"] / 100, color="#2e8b57", label="positive")
        ax.barh(asp["aspect"], -asp["negative_pct"] * asp["mentions"] / 100, color="#d1495b", label="negative")
        ax.axvline(0, color="#444", lw=0.8)
        ax.set_xlabel("mentions (negative ← → positive)")
        ax.legend(loc="lower right", fontsize=8)
        ax.set_title("Top aspects")
        out["aspects"] = _svg(fig)
    return out


_env = Environment(loader=PackageLoader("escucha.insights", "templates"), autoescape=select_autoescape(["html"]))


def render_html(data: dict[str, Any]) -> str:
    """A self-contained HTML page (inline SVG charts and CSS, no external assets)."""
    return _env.get_template("report.html").render(d=data, charts=charts(data), f=_f)
