"""CLI for scale-out analysis on dask: ``escucha analyze-big`` and ``escucha scale …``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from escucha.errors import EscuchaError

WorkersOpt = Annotated[
    int, typer.Option("--workers", "-n", help="Local worker processes (one thread each).")
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(
        help="Address of a running dask scheduler (tcp://host:8786) instead of local workers."
    ),
]


def _mapping_spec(preset: str | None, mapping: Path | None, text_col: str | None) -> Any:
    from escucha.ingest import mapping_from_flags

    if preset is not None and mapping is not None:
        raise EscuchaError("use either --preset or --mapping", field="mapping")
    spec: Any = preset or mapping
    if spec is None and text_col is not None:
        spec = mapping_from_flags(text_col=text_col)
    return spec


def analyze_big(
    source: Annotated[Path, typer.Argument(help="CSV/TSV, JSONL or Parquet file.", exists=True)],
    out: Annotated[Path, typer.Option("--out", "-o", help="Parquet dataset (folder) to write.")],
    preset: Annotated[
        str | None, typer.Option(help="Ready mapping: us_airline_tweets, cuba_hotels_es, …")
    ] = None,
    mapping: Annotated[
        Path | None, typer.Option(help="Column mapping YAML file.", exists=True)
    ] = None,
    text_col: Annotated[
        str | None, typer.Option(help="Column with the text (quick mapping).")
    ] = None,
    workers: WorkersOpt = 2,
    blocksize: Annotated[str, typer.Option(help="Bytes per partition, e.g. 16MB.")] = "16MB",
    scheduler: SchedulerOpt = None,
    overwrite: Annotated[bool, typer.Option(help="Replace OUT if it exists.")] = False,
    attach: Annotated[
        bool,
        typer.Option(help="Also ingest SOURCE into the workspace and store these analyses there."),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    workspace: Annotated[
        Path | None,
        typer.Option(
            "--workspace",
            "-w",
            envvar="ESCUCHA_WORKSPACE",
            help="Use this workspace's pipeline (taxonomy, rules).",
        ),
    ] = None,
) -> None:
    """Analyse a large file with dask into a Parquet dataset of flat analysis columns (no store)."""
    from escucha.cli_common import _ws, console, workspace_path
    from escucha.distributed import PipelineSpec, analyse_file, attach_analyses

    spec_map = _mapping_spec(preset, mapping, text_col)
    ws_path = workspace_path(workspace)
    ws = _ws(ws_path, create=attach) if ws_path is not None else None
    if attach and ws is None:
        raise EscuchaError("--attach needs --workspace DIR", field="workspace")
    ingest: dict[str, Any] = {}
    if attach and ws is not None:
        # voices first: a workspace with auto domains chooses its packs from them, and the file is
        # then analysed with exactly the pipeline the workspace will keep using
        ingested = ws.ingest(source, spec_map)
        ingest = {"stored": ingested.stored, "quarantined": ingested.quarantined}
    summary = analyse_file(
        source, out, spec_map, workers=workers, blocksize=blocksize, scheduler=scheduler,
        spec=PipelineSpec.of_workspace(ws) if ws is not None else None, overwrite=overwrite,
    )  # fmt: skip
    result: dict[str, Any] = summary.to_dict()
    if attach and ws is not None:
        result["ingest"] = ingest
        att = attach_analyses(ws, out)
        result["attach"] = {"attached": att.attached, "pending_after": att.pending_after}
    if as_json:
        from escucha.cli_common import _emit_json

        _emit_json(result)
        return
    console.print(
        f"Analysed [bold]{summary.analysed:,}[/] of {summary.rows:,} records in {summary.seconds:.1f}s "
        f"({summary.texts_per_s:,.0f}/s) on {summary.workers} workers, {summary.partitions} "
        f"partitions; {summary.errors} with errors. Wrote [bold]{summary.out}[/]."
    )
    if "attach" in result:
        console.print(
            f"Attached {result['attach']['attached']:,} analyses to {ws_path}; "
            f"{result['attach']['pending_after']:,} voices still pending."
        )


def scale_analyze(
    workers: WorkersOpt = 2,
    scheduler: SchedulerOpt = None,
    batch_size: Annotated[
        int | None, typer.Option(help="Voices per task (default: the workspace's).")
    ] = None,
    limit: Annotated[
        int | None, typer.Option(help="Analyse at most N items (the rest stay pending).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    workspace: Annotated[
        Path | None,
        typer.Option("--workspace", "-w", envvar="ESCUCHA_WORKSPACE", help="Workspace folder."),
    ] = None,
) -> None:
    """Analyse the workspace's pending voices on dask workers; this process alone writes the store."""
    from escucha.cli_common import _emit_json, _progress, _ws, console
    from escucha.distributed import analyse_store_distributed

    ws = _ws(workspace)
    with _progress() as bar:
        task = bar.add_task("analysing", total=None, rate="")

        def step(done: int, total: int) -> None:
            elapsed = bar.tasks[0].elapsed or 0
            rate = f"{done / elapsed:,.0f}/s" if elapsed else ""
            bar.update(task, completed=done, total=total, rate=rate)

        summary = analyse_store_distributed(
            ws, workers, batch_size, scheduler=scheduler, progress=step, limit=limit
        )
    if as_json:
        _emit_json(summary.to_dict())
        return
    console.print(
        f"Analysed [bold]{summary.analysed:,}[/] items in {summary.seconds:.1f}s "
        f"({summary.texts_per_s:,.0f}/s), {summary.failed} failed, "
        f"{ws.store.count_pending(summary.pipeline_version):,} pending. "
        f"Pipeline {summary.pipeline_version}."
    )


def scale_attach(
    dataset: Annotated[Path, typer.Argument(help="Output of analyze-big.", exists=True)],
    workspace: Annotated[
        Path | None,
        typer.Option("--workspace", "-w", envvar="ESCUCHA_WORKSPACE", help="Workspace folder."),
    ] = None,
) -> None:
    """Store analyze-big results for the workspace's pending voices (ingest the same file first)."""
    from escucha.cli_common import _ws, console
    from escucha.distributed import attach_analyses

    ws = _ws(workspace)
    s = attach_analyses(ws, dataset)
    console.print(
        f"Attached [bold]{s.attached:,}[/] analyses ({s.not_matching:,} rows for changed voices "
        f"skipped); {s.pending_after:,} voices still pending."
    )


def register(app: typer.Typer) -> None:
    scale = typer.Typer(
        help="Scale-out analysis on a dask cluster (needs the dask extra: pip install escucha\\[dask]).",
        no_args_is_help=True,
    )
    scale.command("analyze")(scale_analyze)
    scale.command("file")(analyze_big)
    scale.command("attach")(scale_attach)
    app.add_typer(scale, name="scale")
    app.command("analyze-big")(analyze_big)
