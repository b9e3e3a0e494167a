"""The customer journey chart (matplotlib: PNG, inline SVG) and a self-contained HTML map."""

from __future__ import annotations

import base64
import html
import io
import math
from pathlib import Path
from typing import Any

import numpy as np

LABELS = {
    "en": {"ylabel": "Sentiment index (−100…100)", "title": "Customer journey",
           "legend": "size = volume; ring = moment of truth"},
    "es": {"ylabel": "Índice de sentimiento (−100…100)", "title": "Recorrido del cliente",
           "legend": "tamaño = volumen; anillo = momento de la verdad"},
}


def journey_title(data: dict[str, Any], lang: str = "en") -> str:
    """"Customer journey" plus the journey's own name when it has one (not the default "journey")."""
    base = LABELS.get(lang, LABELS["en"])["title"]
    name = str(data.get("journey") or "").strip()
    return f"{base}: {name}" if name and name.lower() != "journey" else base


def figure(data: dict[str, Any], lang: str = "en") -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tps = [t for st in data["stages"] for t in st["touchpoints"]]
    fig, ax = plt.subplots(figsize=(max(8, 1.0 * len(tps) + 2), 5.5), dpi=110)
    x = np.arange(len(tps))
    y = np.array([t["sentiment_index"] if t["sentences"] else np.nan for t in tps], dtype=float)
    vol = np.array([t["sentences"] for t in tps], dtype=float)
    pos = 0
    for k, st in enumerate(data["stages"]):
        w = len(st["touchpoints"])
        if k % 2 == 0:
            ax.axvspan(pos - 0.5, pos + w - 0.5, color="#f2f2f2", zorder=0)
        ax.text(pos + (w - 1) / 2, 104, st["name"], ha="center", va="bottom", fontsize=9,
                fontweight="bold")
        pos += w
    ok = ~np.isnan(y)
    ax.plot(x[ok], y[ok], color="#555", lw=1.5, zorder=1)
    sizes = 30 + 600 * np.sqrt(vol / vol.max()) if vol.max() > 0 else np.full(len(tps), 30.0)
    colors = ["#2ca02c" if v >= 20 else "#d62728" if v <= -20 else "#ff7f0e" for v in np.nan_to_num(y)]
    ax.scatter(x[ok], y[ok], s=sizes[ok], c=np.array(colors)[ok], alpha=0.8, zorder=2,
               edgecolors="white")
    for i, t in enumerate(tps):
        if t.get("moment_of_truth") and ok[i]:
            ax.scatter([x[i]], [y[i]], s=sizes[i] + 200, facecolors="none", edgecolors="#000",
                       linewidths=1.5, zorder=3)
    ax.axhline(0, color="#999", lw=0.8, ls="--")
    ax.set_xticks(x, [t["name"] for t in tps], rotation=35, ha="right", fontsize=8)
    ax.set_ylim(-105, 112)
    ax.set_xlim(-0.6, len(tps) - 0.4)
    words = LABELS.get(lang, LABELS["en"])
    ax.set_ylabel(words["ylabel"])
    ax.set_title(f"{journey_title(data, lang)} ({words['legend']})", fontsize=10, pad=22)
    fig.tight_layout()
    return fig


def render_png(data: dict[str, Any], out: str | Path) -> Path:
    import matplotlib.pyplot as plt

    fig = figure(data)
    fig.savefig(out, format="png")
    plt.close(fig)
    return Path(out)


def render_svg(data: dict[str, Any], lang: str = "en") -> str:
    import matplotlib.pyplot as plt

    fig = figure(data, lang)
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    plt.close(fig)
    svg = buf.getvalue()
    return svg[svg.find("<svg"):]


def svg_data_uri(data: dict[str, Any], lang: str = "en") -> str:
    """The chart as a ``data:image/svg+xml`` URI for an ``<img>``: matplotlib's SVG styles
    itself with ``style`` attributes, which a page's ``style-src 'self'`` blocks when the SVG is
    inline; as an image it is its own document and renders whole under the page's CSP."""
    return "data:image/svg+xml;base64," + base64.b64encode(render_svg(data, lang).encode("utf-8")).decode("ascii")


def render_html(data: dict[str, Any]) -> str:
    """A self-contained HTML page: the journey chart (inline SVG) and the touchpoint table."""
    e = html.escape

    def f(v: Any, d: int = 0) -> str:
        return "–" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.{d}f}"

    rows = []
    for st in data["stages"]:
        for t in st["touchpoints"]:
            emos = ", ".join(x["emotion"] for x in t["emotions"])
            doubts = "; ".join(x["phrase"] for x in t["doubts"][:3])
            mot = "; ".join(x["phrase"] for x in t["motivations"][:3])
            rows.append(
                f"<tr{' class=mot' if t['moment_of_truth'] else ''}><td>{e(st['name'])}</td>"
                f"<td>{e(t['name'])}</td><td>{t['sentences']}</td>"
                f"<td>{f(t['sentiment_index'])} [{f(t['sentiment_low'])}, {f(t['sentiment_high'])}]"
                f"</td><td>{e(emos)}</td><td>{f(t['effort']['ces'], 2)} / "
                f"{f(t['effort']['effort_word_share'], 1)}%</td><td>{f(t['importance'], 1)}</td>"
                f"<td>{'★' if t['moment_of_truth'] else ''}</td><td>{e(doubts)}</td>"
                f"<td>{e(mot)}</td></tr>"
            )
    props = "".join(f"<li><b>{e(p['phrase'])}</b> ({p['sentences']} sentences, lift "
                    f"{p['lift']})</li>" for p in data["proposed_touchpoints"])
    return f"""<!doctype html><html lang="es"><head><meta charset="utf-8">
<title>Journey map: {e(data['journey'])}</title><style>
body{{font-family:system-ui,sans-serif;margin:2em;color:#222}} table{{border-collapse:collapse}}
td,th{{border:1px solid #ddd;padding:4px 8px;font-size:13px}} tr.mot{{background:#fff3f0}}
svg{{max-width:100%;height:auto}}</style></head><body>
<h1>Customer journey: {e(data['journey'])}</h1>
<p>{data['assigned_sentences']} of {data['sentences']} customer sentences assigned to a touchpoint.
Overall sentiment index {f(data['overall_sentiment_index'])}.</p>
{render_svg(data)}
<h2>Touchpoints</h2><table><tr><th>Stage</th><th>Touchpoint</th><th>Sentences</th>
<th>Sentiment (95% CI)</th><th>Emotions</th><th>CES / effort words</th><th>Importance</th>
<th>Moment of truth</th><th>Doubts</th><th>Motivations</th></tr>{''.join(rows)}</table>
<h2>Touchpoints the text reveals but the journey lacks</h2><ul>{props or '<li>none</li>'}</ul>
</body></html>"""
