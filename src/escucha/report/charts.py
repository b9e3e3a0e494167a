"""The report's charts: inline SVG (matplotlib), a base64 PNG for the drivers' matrix."""

from __future__ import annotations

import base64
import io
import logging
import tempfile
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)


ES = {
    "volume": "volumen", "voices": "voces", "sentiment index": "índice de sentimiento",
    "Volume and sentiment by week": "Volumen y sentimiento por semana",
    "Volume and sentiment by month": "Volumen y sentimiento por mes",
    "NPS (95% CI)": "NPS (IC 95%)", "NPS by channel": "NPS por canal", "positive": "positivo",
    "negative": "negativo", "mentions (negative ← → positive)": "menciones (negativas ← → positivas)",
    "Top aspects": "Principales aspectos", "negativity": "negatividad", "driver": "palanca",
    "trend": "tendencia", "value": "valor",
    "impact score (0–100) = volume + negativity + driver + trend + value":
        "impacto (0–100) = volumen + negatividad + palanca + tendencia + valor",
    "gap score (broken, weighted by negativity, per 100 voices; 95% CI)":
        "brecha (rota, ponderada por negatividad, por 100 voces; IC 95%)",
    "Promise vs experience": "Promesa frente a experiencia",
}


def _w(text: str, lang: str) -> str:
    """A chart's word in ``lang`` (the charts are drawn in English otherwise)."""
    return ES.get(text, text) if lang == "es" else text


def _svg(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    svg = buf.getvalue()
    return svg[svg.find("<svg") :]


def _trend_chart(data: dict[str, Any], lang: str = "en") -> str | None:
    import matplotlib.pyplot as plt

    trend = pd.DataFrame(data["trend"])
    period = data["period"]
    if trend.empty:
        return None
    trend[period] = pd.to_datetime(trend[period])
    fig, ax = plt.subplots(figsize=(8, 3))
    ax.bar(trend[period], trend["volume"], width=5 if period == "week" else 20, color="#c9d6ea",
           label=_w("volume", lang))
    ax.set_ylabel(_w("voices", lang))
    ax2 = ax.twinx()
    ax2.plot(trend[period], trend["sentiment_index"].astype(float), color="#d1495b", marker="o",
             label=_w("sentiment index", lang))
    if "sentiment_index_low" in trend:
        ax2.fill_between(trend[period], trend["sentiment_index_low"].astype(float),
                         trend["sentiment_index_high"].astype(float), color="#d1495b", alpha=0.15)
    ax2.set_ylabel(_w("sentiment index", lang))
    ax.set_title(_w(f"Volume and sentiment by {period}", lang))
    fig.autofmt_xdate()
    return _svg(fig)


def _channel_chart(data: dict[str, Any], lang: str = "en") -> str | None:
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
    ax.set_xlabel(_w("NPS (95% CI)", lang))
    ax.set_title(_w("NPS by channel", lang))
    return _svg(fig)


def _aspects_chart(data: dict[str, Any], lang: str = "en") -> str | None:
    import matplotlib.pyplot as plt

    asp = pd.DataFrame(data["aspects"])
    if asp.empty:
        return None
    asp = asp.iloc[::-1]
    labels = [_tex((lb or {}).get(lang) or a) for a, lb in zip(asp["aspect"], asp["labels"] if "labels" in asp else [None] * len(asp), strict=True)]
    fig, ax = plt.subplots(figsize=(7, 0.5 + 0.4 * len(asp)))
    ax.barh(labels, asp["positive_pct"] * asp["mentions"] / 100, color="#2e8b57", label=_w("positive", lang))
    ax.barh(labels, -asp["negative_pct"] * asp["mentions"] / 100, color="#d1495b", label=_w("negative", lang))
    ax.axvline(0, color="#444", lw=0.8)
    ax.set_xlabel(_w("mentions (negative ← → positive)", lang))
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(_w("Top aspects", lang))
    return _svg(fig)


def charts(data: dict[str, Any], lang: str = "en") -> dict[str, str]:
    """Inline SVG charts: volume and sentiment over time, NPS by channel, aspects, then the
    insight sections' charts. A chart that fails is left out (its exception type logged)."""
    import matplotlib

    matplotlib.use("Agg")
    out: dict[str, str] = {}
    for key, make in (("trend", _trend_chart), ("nps_channel", _channel_chart),
                      ("aspects", _aspects_chart)):
        try:
            svg = make(data, lang)
        except Exception as exc:
            log.warning("report: %s chart left out (%s)", key, type(exc).__name__)
            continue
        if svg:
            out[key] = svg
    out.update(insight_charts(data, lang))
    return out


def _tex(text: Any, n: int = 40) -> str:
    """Chart-safe label: shortened, with ``$`` escaped (matplotlib would read it as mathtext)."""
    t = str(text)
    return (t if len(t) <= n else t[: n - 1] + "…").replace("$", r"\$")


def _png_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _plan_chart(plan: list[dict[str, Any]], lang: str = "en") -> str:
    import matplotlib.pyplot as plt

    from escucha.insights.plan import WEIGHTS

    colors = {"volume": "#4c72b0", "negativity": "#d1495b", "driver": "#edae49", "trend": "#8c564b",
              "value": "#2e8b57"}
    rows = plan[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.6 + 0.42 * len(rows)))
    labels = [_tex(f"{r['rank']}. {(r.get('titles') or {}).get(lang) or r['problem']}") for r in rows]
    left = np.zeros(len(rows))
    for k in WEIGHTS:
        v = np.array([float((r.get("impact_parts") or {}).get(k) or 0.0) for r in rows])
        ax.barh(labels, v, left=left, color=colors.get(k, "#999"), label=_w(k, lang))
        left += v
    for y, total in enumerate(left):
        ax.text(total + 0.8, y, f"{total:.0f}", va="center", fontsize=8)
    ax.set_xlim(0, max(100.0, float(left.max()) + 8))
    ax.set_xlabel(_w("impact score (0–100) = volume + negativity + driver + trend + value", lang))
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), fontsize=8, ncol=5, frameon=False)
    return _svg(fig)


def _journey_chart(journey: dict[str, Any], lang: str = "en") -> str:
    """The journey module's chart, at report width (its own figure grows with the touchpoints)."""
    from escucha.report.journey_chart import figure

    fig = figure(journey, lang)
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


def _promises_chart(promises: list[dict[str, Any]], lang: str = "en") -> str:
    import matplotlib.pyplot as plt

    ps = [p for p in promises if p.get("gap") is not None][::-1]
    fig, ax = plt.subplots(figsize=(7, 0.6 + 0.45 * len(ps)))
    gap = np.array([p["gap"] for p in ps], dtype=float)
    lo = np.array([p["gap_low"] if p["gap_low"] is not None else p["gap"] for p in ps], dtype=float)
    hi = np.array([p["gap_high"] if p["gap_high"] is not None else p["gap"] for p in ps], dtype=float)
    ax.barh([_tex(p["promise"]) for p in ps], gap, xerr=[gap - lo, hi - gap], color="#d1495b", capsize=3)
    ax.set_xlabel(_w("gap score (broken, weighted by negativity, per 100 voices; 95% CI)", lang))
    ax.set_title(_w("Promise vs experience", lang))
    return _svg(fig)


def _drivers_chart(dr: dict[str, Any]) -> str:
    from escucha.report.drivers_chart import drivers_chart

    df = pd.DataFrame(dr["rows"])
    keep = set(df.nlargest(12, "importance").index) | set(df.nlargest(8, "mentions").index)
    df = df.loc[sorted(keep)].copy()
    df["label"] = [_tex(x, 28) for x in df["label"]]
    df.attrs.update(importance_cut=dr.get("importance_cut"), performance_cut=dr.get("performance_cut"))
    if df.attrs["importance_cut"] is None or df.attrs["performance_cut"] is None:
        df.attrs = {}
    with tempfile.TemporaryDirectory(prefix="escucha-report-") as tmp:
        return _png_uri(drivers_chart(df, Path(tmp) / "drivers.png"))


def insight_charts(data: dict[str, Any], lang: str = "en") -> dict[str, str]:
    """Charts of the insight sections (inline SVG or base64 PNG); a chart that fails is left out."""
    makers: dict[str, Callable[[], str]] = {
        "plan": lambda: _plan_chart(data["plan"], lang),
        "promises": lambda: _promises_chart(data["promises"], lang),
        "journey": lambda: _journey_chart(data["journey"], lang),
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
