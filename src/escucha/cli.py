"""The `escucha` command line: thin over the library (Typer + Rich)."""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress
from rich.table import Table

from escucha.cli_common import (
    GlobalOptions,
    WorkspaceOpt,
    _emit_json,
    _fmt,
    _progress,
    _ws,
    console,
    err,
    limit_blas_threads,
    workspace_path,
)
from escucha.errors import EscuchaError

__all__ = ["WorkspaceOpt", "_emit_json", "_fmt", "_progress", "_ws", "app", "console", "err", "main"]

app = typer.Typer(
    help="escucha: listen to every customer and turn it into action.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _main(
    ctx: typer.Context,
    workspace: WorkspaceOpt = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Debug logging.")] = False,
) -> None:
    ctx.obj = GlobalOptions(workspace, verbose)
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


@app.command()
def init(workspace: WorkspaceOpt = None) -> None:
    """Create a workspace (a folder with its store and settings)."""
    ws = _ws(workspace, create=True)
    console.print(f"Workspace ready at [bold]{ws.path}[/] (schema v{ws.store.schema_version()})")


@app.command()
def ingest(
    files: Annotated[list[Path], typer.Argument(help="CSV, JSONL, Parquet or Excel files.", exists=True)],
    preset: Annotated[str | None, typer.Option(help="Ready mapping: us_airline_tweets, cuba_hotels_es, survey, tickets, …")] = None,
    mapping: Annotated[Path | None, typer.Option(help="Column mapping YAML file.", exists=True)] = None,
    text_col: Annotated[str | None, typer.Option(help="Column with the text (quick mapping).")] = None,
    time_col: Annotated[str | None, typer.Option(help="Column with the date/time.")] = None,
    id_col: Annotated[str | None, typer.Option(help="Column with the source's own id.")] = None,
    channel: Annotated[str | None, typer.Option(help="Channel for every row (review, survey, chat, call, email, social, employee).")] = None,
    encoding: Annotated[str | None, typer.Option(help="Text files' encoding (utf-8, cp1252, latin-1, …); detected if not given.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Ingest customer feedback files; bad rows are quarantined with file, line, field and reason."""
    from escucha.errors import ConfigError
    from escucha.ingest import IngestProgress, mapping_from_flags

    try:
        ws = _ws(workspace, create=True)
    except OSError as exc:  # a workspace path that is a file, or a folder we cannot write
        where = workspace_path(workspace)
        raise ConfigError(f"cannot use {where} as a workspace: {exc.strerror or exc}", field="workspace") from None
    if sum(x is not None for x in (preset, mapping)) > 1:
        raise EscuchaError("use either --preset or --mapping", field="mapping")
    spec: Any = preset or mapping
    if spec is None:
        if text_col is None:
            raise EscuchaError("say how to read the file: --preset, --mapping or at least --text-col", field="mapping")
        spec = mapping_from_flags(text_col=text_col, time_col=time_col, id_col=id_col, channel=channel, encoding=encoding)
    elif encoding is not None:
        spec = mapping_from_flags(base=spec, encoding=encoding)
    results = []
    for f in files:
        with _progress() as bar:
            task = bar.add_task(f.name, total=f.stat().st_size, rate="")

            def step(p: IngestProgress, _t: Any = task, _b: Progress = bar) -> None:
                _b.update(_t, completed=p.done, total=p.total, rate=f"{p.read:,} rows")

            summary = ws.ingest(f, spec, progress=step)
        results.append({"file": str(f), **summary.to_dict()})
    if as_json:
        _emit_json(results if len(results) > 1 else results[0])
        return
    table = Table(title="Ingest summary")
    for col in ("file", "read", "stored", "updated", "duplicates", "quarantined"):
        table.add_column(col, justify="left" if col == "file" else "right")
    for r in results:
        table.add_row(Path(r["file"]).name, *(str(r.get(k, 0)) for k in ("read", "stored", "updated", "duplicates", "quarantined")))
    console.print(table)
    for r in results:
        if r.get("encoding"):
            how = "detected" if r.get("encoding_detected") else "given"
            err.print(f"{Path(r['file']).name}: read as {r['encoding']} ({how})")
        for w in r.get("warnings", []):
            err.print(f"[yellow]warning[/] {r['file']}: {w}")
        for p in r.get("problems", [])[:5]:
            err.print(f"[yellow]quarantined[/] {p['source']}:{p['line']} field={p['field']}: {p['reason']}")
        if r.get("quarantined", 0) > 5:
            err.print(f"… see all with: escucha --workspace {ws.path} quarantine")


@app.command()
def analyze(
    limit: Annotated[int | None, typer.Option(help="Analyse at most N items (the rest stay pending).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Analyse new and changed feedback (resumable: only what is pending is analysed)."""
    ws = _ws(workspace)
    with _progress() as bar:
        task = bar.add_task("analysing", total=None, rate="")

        def step(done: int, total: int) -> None:
            elapsed = bar.tasks[0].elapsed or 0
            bar.update(task, completed=done, total=total, rate=f"{done / elapsed:,.0f}/s" if elapsed else "")

        summary = ws.analyze(progress=step, limit=limit)
    if as_json:
        _emit_json(summary.to_dict())
    else:
        console.print(
            f"Analysed [bold]{summary.analysed:,}[/] items in {summary.seconds:.1f}s "
            f"({summary.texts_per_s:,.0f}/s), {summary.failed} failed, "
            f"{ws.pending():,} pending. Pipeline {summary.pipeline_version}."
        )
    if ws.settings.precompute_insights and summary.analysed:
        import time

        t0 = time.perf_counter()
        from escucha.http.insight_cache import precompute

        built = precompute(ws)
        if not as_json:
            console.print(f"Insights stored for the dashboard: {len(built)} results in "
                          f"{time.perf_counter() - t0:.1f}s.")  # fmt: skip


@app.command()
def metrics(
    by: Annotated[list[str] | None, typer.Option(help="Dimension(s): channel, product, location, language, sentiment, aspect, intent, attr:NAME, meta:NAME.")] = None,
    period: Annotated[str | None, typer.Option(help="day, week, month, quarter or year: adds change vs previous period.")] = None,
    min_volume: Annotated[int, typer.Option(help="Hide groups with fewer voices.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list of rows.")] = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """NPS, CSAT, CES, rating, sentiment index and volume, with 95% confidence intervals."""
    from escucha.insights.metrics import to_records

    ws = _ws(workspace)
    df = ws.metrics(by=by or [], period=period, min_volume=min_volume)
    if as_json:
        _emit_json(to_records(df))
        return
    dims = [*(by or []), *([period] if period else [])]
    table = Table(title="Metrics (95% CI)")
    for d in dims:
        table.add_column(d)
    enps = "n_enps" in df and bool(df["n_enps"].fillna(0).sum())
    for c in ("volume", "NPS", *(["eNPS"] if enps else []), "CSAT %", "CES", "rating", "sentiment"):
        table.add_column(c, justify="right")
    if period:
        table.add_column("Δ NPS", justify="right")
    for r in to_records(df):  # whole counts, hidden cells None (printed –)
        def ci(m: str, r: dict = r) -> str:
            if r.get(m) is None or (isinstance(r.get(m), float) and math.isnan(r[m])):
                return "–"
            lo, hi = r.get(f"{m}_low"), r.get(f"{m}_high")
            return f"{r[m]:.1f} [{_fmt(lo, 0)}, {_fmt(hi, 0)}]"

        row = [str(r[d])[:10] if d == period else _fmt(r[d]) for d in dims]
        row += [_fmt(r["volume"]) if not r.get("suppressed") else "hidden*", ci("nps"), *([ci("enps")] if enps else []), ci("csat"), _fmt(r.get("ces"), 2), _fmt(r.get("rating"), 2), ci("sentiment_index")]
        if period:
            ch = r.get("nps_change")
            mark = " *" if r.get("nps_significant") else ""
            row.append(_fmt(ch) + mark)
        table.add_row(*row)
    console.print(table)
    if period:
        console.print("* significant change vs previous period (p < 0.05)")
    if "suppressed" in df and df["suppressed"].fillna(False).astype(bool).any():
        console.print(f"hidden*: employee anonymity, fewer than {ws.settings.employee_min_group} people in the group")


@app.command()
def report(
    html: Annotated[Path | None, typer.Option("--html", help="Write a self-contained HTML report here.")] = None,
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Write the report as PDF here (extra: escucha[pdf]).")] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="es or en (default: the workspace's ui_language).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report data as JSON.")] = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """A report: headline metrics, trends, channels, aspects with quotes, threats and urgent voices."""
    from escucha.report import build_report, render_html, render_terminal
    from escucha.report.html import render_pdf

    ws = _ws(workspace)
    lang = lang or ws.settings.ui_language
    if lang not in ("es", "en"):
        raise typer.BadParameter(f"--lang must be es or en, not {lang!r}")
    data = build_report(ws)
    if as_json:
        _emit_json(data)
        return
    render_terminal(data, console)
    if html:
        html.write_text(render_html(data, lang), encoding="utf-8")
        console.print(f"HTML report written to [bold]{html}[/]")
    if pdf:
        render_pdf(data, pdf, lang)
        console.print(f"PDF report written to [bold]{pdf}[/]")


@app.command()
def quarantine(
    as_json: Annotated[bool, typer.Option("--json")] = False,
    limit: int = 50,
    workspace: WorkspaceOpt = None,
) -> None:
    """Rows that could not be stored, with file, line, field and reason."""
    ws = _ws(workspace)
    df = ws.quarantine().head(limit)
    if as_json:
        _emit_json(df.drop(columns=["raw"]).to_dict("records"))
        return
    table = Table(title=f"Quarantine ({len(df)} shown)")
    for c in ("source", "line", "field", "reason"):
        table.add_column(c)
    for r in df.to_dict("records"):
        table.add_row(Path(str(r["source"])).name, str(r["line"]), str(r["field"]), str(r["reason"]))
    console.print(table)


@app.command("analyze-text")
def analyze_text(
    texts: Annotated[list[str], typer.Argument(help="Text(s) to analyse.")],
) -> None:
    """Analyse texts given on the command line (no workspace) and print JSON."""
    import escucha

    _emit_json(escucha.analyze_texts(texts))


@app.command()
def demo(
    workspace: Annotated[Path, typer.Option("--workspace", "-w", envvar="ESCUCHA_WORKSPACE", help="Where to build the demo workspace.")] = Path("demo-workspace"),
    n: Annotated[int, typer.Option(help="Number of voices to generate.")] = 6000,
    seed: int = 7,
    serve: Annotated[bool, typer.Option(help="Serve the dashboard at the end (loopback only).")] = False,
    port: Annotated[int, typer.Option(help="Port for --serve.")] = 8000,
) -> None:
    """Generate a fictional company's feedback, ingest, analyse and report on it (and serve it)."""
    from escucha.demo.build import build_demo
    from escucha.demo.contact_center import DEMO_USERS
    from escucha.report import build_report, render_html, render_terminal

    ws, _files = build_demo(workspace, n=n, seed=seed, console=console)
    html = ws.layout.report
    data = build_report(ws)
    render_terminal(data, console)
    html.write_text(render_html(data, ws.settings.ui_language), encoding="utf-8")
    console.print(f"\nHTML report: [bold]{html}[/]")
    if ws.settings.precompute_insights:
        with console.status("storing the insights for the dashboard…"):
            from escucha.http.insight_cache import precompute

            built = precompute(ws)
        console.print(f"Insights stored for the dashboard: {len(built)} results.")
    if serve:
        from escucha.http import auth
        from escucha.server import serve as run

        for user, password, role in DEMO_USERS:
            auth.add_user(ws, user, password, role, "es", replace=True)
        console.print(
            f"\nDashboard: [bold]http://127.0.0.1:{port}/[/]  (API docs: /docs)\n"
            + "\n".join(f"  {role:<7} user [bold]{u}[/] password [bold]{p}[/]" for u, p, role in DEMO_USERS)
            + "\nDemo credentials only: loopback, never for real data. Ctrl-C stops the server."
        )
        run(ws, host="127.0.0.1", port=port)


# Feature modules add their own commands: each has ``register(app)``.
_COMMAND_MODULES: tuple[str, ...] = (
    "escucha.cli_server",
    "escucha.cli_insights",
    "escucha.cli_themes",
    "escucha.cli_scale",
    "escucha.cli_models",
    "escucha.cli_watch",
    "escucha.cli_notify",
    "escucha.cli_cases",
    "escucha.cli_surveys",
    "escucha.cli_registry",  # last: it gives a command to each insight none of the others covers
)


def _register_commands() -> None:
    import importlib

    for name in _COMMAND_MODULES:
        importlib.import_module(name).register(app)


_register_commands()


def main() -> None:
    limit_blas_threads()
    try:
        app()
    except EscuchaError as exc:
        where = " ".join(f"{k}={v}" for k, v in (("record", exc.record), ("field", exc.field)) if v)
        err.print(f"[red]error[/] ({exc.code}{', ' + where if where else ''}): {exc.message}")
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
