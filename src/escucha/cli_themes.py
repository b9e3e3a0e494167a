"""CLI commands `themes` (discover, list, rename, merge, split, pin) and `ideas`."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from escucha.cli_common import WorkspaceOpt, _emit_json, _ws, console

themes_app = typer.Typer(help="Themes discovered in customers' words (beyond the taxonomy).", invoke_without_command=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _records(df: Any) -> list[dict[str, Any]]:
    cols = [c for c in df.columns if c not in ("weekly",)]
    return [{k: r[k] for k in cols} for r in df.to_dict("records")]


def _show(df: Any, as_json: bool) -> None:
    if as_json:
        _emit_json({"summary": dict(df.attrs), "themes": _records(df)})
        return
    t = Table(title=f"Themes ({len(df)}; {100 * float(df.attrs.get('unassigned_share', 0)):.1f}% unassigned)")
    for c in ("id", "label", "size", "customers", "% neg", "emotion", "trend", "first"):
        t.add_column(c, justify="right" if c in ("id", "size", "customers", "% neg") else "left")
    for r in df.to_dict("records"):
        first = r.get("first_raised") or {}
        mark = " 📌" if r.get("pinned") else ""
        t.add_row(str(r["id"]), str(r["label"])[:48] + mark, str(r["size"]), str(r["customers"]),
                  f"{100 * r['share_negative']:.0f}", str(r.get("dominant_emotion") or "–"), str(r["trend"]),
                  f"{first.get('customer_id') or '–'} {str(first.get('timestamp') or '')[:10]}")  # fmt: skip
    console.print(t)


@themes_app.callback()
def themes_main(
    ctx: typer.Context,
    refresh: Annotated[bool, typer.Option("--refresh", help="Discover/update themes before listing.")] = False,
    full: Annotated[bool, typer.Option("--full", help="Re-cluster everything (ids kept by overlap).")] = False,
    seed: Annotated[int | None, typer.Option(help="Random seed (default: the workspace's).")] = None,
    min_size: Annotated[int | None, typer.Option(help="Smallest theme, in sentences.")] = None,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """List themes (discovering them on first use, or with --refresh / --full)."""
    if ctx.invoked_subcommand is not None:
        return
    from escucha.insights.themes import discover_themes, themes

    ws = _ws(workspace).context
    df = themes(ws)
    if refresh or full or df.empty:
        df = discover_themes(ws, seed=seed, min_size=min_size, incremental=not full)
    _show(df, as_json)


@themes_app.command("rename")
def rename(theme_id: int, name: str, as_json: JsonOpt = False, workspace: WorkspaceOpt = None) -> None:
    """Give a theme an analyst's name (kept on every re-run)."""
    from escucha.insights.themes import rename_theme

    doc = rename_theme(_ws(workspace).context, theme_id, name)
    _emit_json(doc) if as_json else console.print(f"Theme {theme_id} is now [bold]{doc['label']}[/]")


@themes_app.command("merge")
def merge(theme_ids: list[int], as_json: JsonOpt = False, workspace: WorkspaceOpt = None) -> None:
    """Merge themes into the first id given."""
    from escucha.insights.themes import merge_themes

    _show(merge_themes(_ws(workspace).context, theme_ids), as_json)


@themes_app.command("split")
def split(theme_id: int, as_json: JsonOpt = False, workspace: WorkspaceOpt = None) -> None:
    """Split a theme in two (new ids)."""
    from escucha.insights.themes import split_theme

    _show(split_theme(_ws(workspace).context, theme_id), as_json)


@themes_app.command("pin")
def pin(
    theme_id: int,
    unpin: Annotated[bool, typer.Option("--unpin", help="Remove the pin.")] = False,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Pin a theme: label and centre stay fixed on re-runs."""
    from escucha.insights.themes import pin_theme

    doc = pin_theme(_ws(workspace).context, theme_id, pinned=not unpin)
    _emit_json(doc) if as_json else console.print(f"Theme {theme_id} {'un' if unpin else ''}pinned")


def ideas_cmd(
    top: Annotated[int, typer.Option(help="How many ideas.")] = 20,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Ideas board: customers' suggestions, most supported first, with the first proposer."""
    from escucha.insights.ideas import ideas

    rows = ideas(_ws(workspace).context, top=top)
    if as_json:
        _emit_json(rows)
        return
    t = Table(title="Ideas board")
    for c in ("#", "idea", "supporters", "first proposer", "date", "quote"):
        t.add_column(c)
    for r in rows:
        fp = r["first_proposer"]
        t.add_row(str(r["rank"]), r["label"], str(r["supporters"]), str(fp["customer_id"] or "–"),
                  str(fp["date"] or "")[:10], r["quotes"][0]["text"][:70] if r["quotes"] else "")  # fmt: skip
    console.print(t)


def register(app: typer.Typer) -> None:
    app.add_typer(themes_app, name="themes")
    app.command("ideas")(ideas_cmd)
