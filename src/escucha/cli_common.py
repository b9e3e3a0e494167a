"""What every CLI command module shares: the console, the workspace option and small helpers.

Feature modules (cli_server, cli_insights, …) import from here, never from ``escucha.cli``,
so that the command modules and the main app do not import each other.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from escucha.errors import EscuchaError

console = Console()
err = Console(stderr=True)

WorkspaceOpt = Annotated[
    Path | None,
    typer.Option("--workspace", "-w", envvar="ESCUCHA_WORKSPACE", help="Workspace folder."),
]


class State:
    """Global options given before the command."""

    workspace: Path | None = None
    verbose: bool = False


state = State()


def limit_blas_threads() -> None:
    """One BLAS thread: escucha's small dense solves (drivers, segments) run ~50x slower when
    threaded BLAS fights the other cores' work; the heavy parts parallelise by process instead."""
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1, "blas")
    except ImportError:  # threadpoolctl comes with scikit-learn; stay quiet if it is missing
        pass


def _ws(workspace: Path | None = None, create: bool = False) -> Any:
    import escucha

    path = workspace or state.workspace
    if path is None:
        raise EscuchaError("no workspace: pass --workspace DIR or set ESCUCHA_WORKSPACE", field="workspace")
    return escucha.open(path, create=create)


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
        console=err,
        transient=False,
        disable=not err.is_terminal,
    )


def _fmt(v: Any, digits: int = 1) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)


def _emit_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")
