"""CLI for every registered insight: ``escucha insights`` lists them, ``escucha insight NAME``
prints one (its table, or ``--json``), and an insight a plugin adds gets its own command too."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from escucha.cli_common import WorkspaceOpt, _emit_json, _ws, console
from escucha.errors import ConfigError

ParamOpt = Annotated[
    list[str] | None,
    typer.Option("--param", "-p", help="A parameter of the insight, KEY=VALUE (repeatable; YAML values)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the insight's result as JSON.")]


def parse_params(pairs: list[str] | None) -> dict[str, Any]:
    """``["top=5", "by=product"]`` → ``{"top": 5, "by": "product"}`` (values read as YAML scalars)."""
    import yaml

    out: dict[str, Any] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--param {pair!r}: expected KEY=VALUE", field="param")
        try:
            out[key.strip()] = yaml.safe_load(value)
        except yaml.YAMLError:
            out[key.strip()] = value
    return out


def show(name: str, params: dict[str, Any], as_json: bool, workspace: Any) -> None:
    """Compute insight ``name`` and print it: JSON (the one serialisation path) or its table."""
    from escucha.insights.base import get_insight, publish
    from escucha.report.terminal import table

    insight = get_insight(name)
    ws = _ws(workspace)
    if as_json:
        _emit_json(ws.insight(name, **params).to_json())
        return
    section = publish(insight.section(ws.context) if not params else ws.insight(name, **params).data)
    view = insight.table(section) if section else None
    if view is None:
        console.print(f"{insight.label('en')}: no data")
        return
    console.print(table(view))


def insight_cmd(
    name: Annotated[str, typer.Argument(help="The insight's name (see `escucha insights`).")],
    param: ParamOpt = None,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """One insight by name: its table, or its result as JSON."""
    show(name, parse_params(param), as_json, workspace)


def insights_cmd(as_json: JsonOpt = False) -> None:
    """Every insight escucha knows (built-in and from plugins), in report order."""
    from escucha.insights.base import all_insights

    rows = [{"name": i.name, "title": i.label("en"), "page": i.path} for i in all_insights()]
    if as_json:
        _emit_json(rows)
        return
    from rich.table import Table

    t = Table(title="Insights (escucha insight NAME; GET /api/v1/insights/NAME)")
    for c in ("name", "title", "dashboard page"):
        t.add_column(c)
    for r in rows:
        t.add_row(r["name"], r["title"], r["page"])
    console.print(t)


def _command_for(name: str) -> Any:
    def command(param: ParamOpt = None, as_json: JsonOpt = False, workspace: WorkspaceOpt = None) -> None:
        show(name, parse_params(param), as_json, workspace)

    return command


def register(app: typer.Typer) -> None:
    from escucha.insights.base import all_insights

    app.command("insight")(insight_cmd)
    app.command("insights")(insights_cmd)
    taken = {c.name or (c.callback.__name__.replace("_", "-") if c.callback else "") for c in app.registered_commands}
    taken |= {g.name for g in app.registered_groups if g.name}
    for insight in all_insights():  # plugins' insights get a command of their own
        if insight.name not in taken:
            app.command(insight.name, help=f"{insight.label('en')} (insight; --json for its data).")(
                _command_for(insight.name)
            )
