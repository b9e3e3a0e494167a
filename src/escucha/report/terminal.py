"""The report in a terminal: headline panel and tables (Rich), then each insight's table.

Every cell built from data is plain ``Text``: "[b]" in a customer's words stays as typed.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from escucha.insights.base import TableView, all_insights
from escucha.insights.base import fmt as _f


def render_terminal(data: dict[str, Any], console: Console) -> None:
    from rich.panel import Panel

    o = data["overall"]
    c = data["counts"]
    head = (
        f"[bold]{c.get('items', 0):,}[/] voices · {c.get('analysed', 0):,} analysed · "
        f"{c.get('quarantined', 0):,} quarantined\n"
        f"NPS [bold]{_f(o.get('nps'))}[/] (95% CI {_f(o.get('nps_low'))}…{_f(o.get('nps_high'))}, n={o.get('n_nps', 0)})  "
        + (f"eNPS [bold]{_f(o.get('enps'))}[/] (employees, n={o.get('n_enps')})  " if o.get("n_enps") else "")
        + f"CSAT [bold]{_f(o.get('csat'))}%[/]  CES {_f(o.get('ces'), 2)}  rating {_f(o.get('rating'), 2)}  "
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


def table(view: TableView) -> Table:
    """A Rich table from an insight's :class:`TableView` (cells as literal text)."""
    t = Table(title=view.title, title_justify="left", title_style="bold")
    for name, numeric in view.columns:
        t.add_column(name, justify="right" if numeric else "left", overflow="fold")
    for row in view.rows:
        t.add_row(*(Text(str(c)) for c in row))
    return t


def render_insights_terminal(data: dict[str, Any], console: Console) -> None:
    """Each insight section with data, as its table."""
    for insight in all_insights():
        section = data.get(insight.name)
        if not section:
            continue
        view = insight.table(section)
        if view is not None:
            console.print(table(view))
    left = {k: v for k, v in (data.get("skipped") or {}).items() if v != "no data"}
    if left:
        console.print(Text("Left out after an error: " + ", ".join(f"{k} ({v})" for k, v in left.items()),
                           style="yellow"))
