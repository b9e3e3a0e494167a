"""CLI commands: drivers, journey, promises, plan (and `plan status`), segments."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from escucha.cli_common import WorkspaceOpt, _emit_json, _fmt, _ws, console

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def drivers_cmd(
    target: Annotated[str, typer.Option(help="nps, csat, ces, rating, sentiment or auto.")] = "nps",
    png: Annotated[Path | None, typer.Option("--png", help="Write the importance × performance chart.")] = None,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Key drivers: which aspects (and themes) move the score, with impact and quadrant."""
    from escucha.insights.drivers import drivers
    from escucha.insights.metrics import to_records
    from escucha.report.drivers_chart import drivers_chart

    df = drivers(_ws(workspace).context, target=target)
    if png:
        drivers_chart(df, png)
    if as_json:
        _emit_json(to_records(df))
        return
    t = Table(title=f"Key drivers of {target}")
    for c in ("driver", "mentions", "performance", "impact (ΔNPS)", "importance [95% CI]", "quadrant"):
        t.add_column(c)
    for r in df.to_dict("records"):
        t.add_row(str(r["label"]), str(r["mentions"]), _fmt(r["performance"]), _fmt(r["impact"]),
                  f"{_fmt(r['importance'])} [{_fmt(r['importance_low'])}, {_fmt(r['importance_high'])}]",
                  str(r["quadrant"]))
    console.print(t)


def journey_cmd(
    journey: Annotated[str | None, typer.Option(help="Journey YAML or airline/hotel/retail/telecom.")] = None,
    html: Annotated[Path | None, typer.Option("--html", help="Write a self-contained HTML map.")] = None,
    png: Annotated[Path | None, typer.Option("--png", help="Write the journey chart as PNG.")] = None,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Customer journey map: sentiment, emotions, effort and moments of truth per touchpoint."""
    from escucha.insights.journey import journey_map
    from escucha.report.journey_chart import render_html, render_png

    data = journey_map(_ws(workspace).context, journey)
    if html:
        html.write_text(render_html(data), encoding="utf-8")
    if png:
        render_png(data, png)
    if as_json:
        _emit_json(data)
        return
    t = Table(title=f"Journey: {data['journey']}")
    for c in ("stage", "touchpoint", "sentences", "sentiment [95% CI]", "importance", "moment"):
        t.add_column(c)
    for st in data["stages"]:
        for tp in st["touchpoints"]:
            t.add_row(st["name"], tp["name"], str(tp["sentences"]),
                      f"{_fmt(tp['sentiment_index'], 0)} [{_fmt(tp['sentiment_low'], 0)}, "
                      f"{_fmt(tp['sentiment_high'], 0)}]", _fmt(tp["importance"]),
                      "★" if tp["moment_of_truth"] else "")
    console.print(t)
    if data["proposed_touchpoints"]:
        console.print("Proposed touchpoints: " + ", ".join(
            p["phrase"] for p in data["proposed_touchpoints"]))


def promises_cmd(
    promises: Annotated[Path | None, typer.Option(help="promises.yaml (default: the workspace's).")] = None,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Promise vs experience: kept vs broken, gap score, before/after the campaign, quotes."""
    from escucha.insights.promises import promise_report

    rep = promise_report(_ws(workspace).context, promises)
    if as_json:
        _emit_json([{k: v for k, v in r.items() if k != "item_ids"} for r in rep])
        return
    t = Table(title="Promise vs experience")
    for c in ("promise", "mentions", "kept %", "broken %", "gap [95% CI]", "after vs before"):
        t.add_column(c)
    for r in rep:
        ba = r["before_after"]
        bat = "–" if not ba else f"{ba['change']:+.1f} pts (p={ba['p_value']:.2g})"
        t.add_row(r["promise"], str(r["mentions"]), _fmt(r["kept_share"]), _fmt(r["broken_share"]),
                  f"{_fmt(r['gap'], 2)} [{_fmt(r['gap_low'], 2)}, {_fmt(r['gap_high'], 2)}]", bat)
    console.print(t)
    for r in rep[:3]:
        for q in r["evidence_broken"][:2]:
            console.print(f"[red]{r['id']}[/] {q['date']}: “{q['text']}”")


def segments_cmd(
    k: Annotated[int | None, typer.Option(help="Number of segments (default: by silhouette).")] = None,
    seed: int = 0,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Needs-based customer segments."""
    from escucha.insights.segments import segments

    res = segments(_ws(workspace).context, k=k, seed=seed)
    if as_json:
        _emit_json({k_: v for k_, v in res.items() if k_ != "assignments"})
        return
    t = Table(title=f"{res['k']} segments (silhouette {_fmt(res['silhouette'], 2)})")
    for c in ("size", "NPS", "sentiment", "churn %", "description"):
        t.add_column(c)
    for s in res["segments"]:
        t.add_row(str(s["size"]), _fmt(s["nps"]), _fmt(s["sentiment_index"]),
                  _fmt(s["churn_threat_share"]), s["description_es"])
    console.print(t)


plan_app = typer.Typer(help="Improvement plan: ranked problems, owners, evidence, follow-up.",
                       invoke_without_command=True, no_args_is_help=False)


@plan_app.callback()
def plan_main(
    ctx: typer.Context,
    by: Annotated[str | None, typer.Option(help="Rank per segment: product, location, channel, meta:X.")] = None,
    top: int = 20,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """The ranked improvement plan (stored with statuses)."""
    if ctx.invoked_subcommand is not None:
        ctx.obj = workspace
        return
    from escucha.insights.plan import improvement_plan

    plan = improvement_plan(_ws(workspace).context, by=by, top=top)
    if as_json:
        _emit_json(plan)
        return
    t = Table(title="Improvement plan")
    for c in ("#", "id", "problem", "parts", "impact", "touchpoint", "owner", "status", "evidence"):
        t.add_column(c)
    for p in plan:
        tp = p["touchpoint"]["id"] if p["touchpoint"] else "–"
        ev = p["evidence"][0]["text"][:60] if p["evidence"] else ""
        parts = ", ".join(f"{m['kind']} {m['label']}" for m in (p.get("members") or [])[1:4])
        more = len(p.get("members") or []) - 4
        parts += f" +{more}" if more > 0 else ""
        t.add_row(str(p["rank"]), p["id"], p["title"], parts or "–", _fmt(p["impact"]), tp, p["owner"],
                  p["status"], ev)  # fmt: skip
    console.print(t)


@plan_app.command("status")
def plan_status(
    ctx: typer.Context,
    item_id: Annotated[str, typer.Argument(help="Plan item id, e.g. aspect:delivery_logistics.")],
    status: Annotated[str, typer.Argument(help="open, in_progress, done or dismissed.")],
    note: Annotated[str | None, typer.Option(help="A note for the history.")] = None,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Set a plan item's status (done items are checked before/after on later runs)."""
    from escucha.insights.plan import set_status

    doc = set_status(_ws(workspace or ctx.obj).context, item_id, status, note=note)
    if as_json:
        _emit_json(doc)
    else:
        console.print(f"{item_id}: [bold]{doc['status']}[/]")


def register(app: Any) -> None:
    app.command("drivers")(drivers_cmd)
    app.command("journey")(journey_cmd)
    app.command("promises")(promises_cmd)
    app.command("segments")(segments_cmd)
    app.add_typer(plan_app, name="plan")
