"""What every CLI command module shares: the console, the workspace option and small helpers.

Feature modules (cli_server, cli_insights, …) import from here, never from ``escucha.cli``,
so that the command modules and the main app do not import each other.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass
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


try:  # Typer bundles its own click from 0.2x; older releases use click itself
    from typer._click.globals import get_current_context as _current_context
except ImportError:  # pragma: no cover - depends on the installed Typer
    from click import get_current_context as _current_context  # type: ignore[no-redef]


@dataclass(frozen=True)
class GlobalOptions:
    """Options given before the command (``escucha -w DIR report``), kept on the click context."""

    workspace: Path | None = None
    verbose: bool = False


def global_options() -> GlobalOptions:
    """The options given before the command (defaults outside a CLI invocation)."""
    ctx = _current_context(silent=True)
    obj = ctx.find_root().obj if ctx is not None else None
    return obj if isinstance(obj, GlobalOptions) else GlobalOptions()


def workspace_path(workspace: Path | None = None) -> Path | None:
    """The workspace folder: the command's ``--workspace``, else the one given before the command."""
    return workspace or global_options().workspace


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

    path = workspace_path(workspace)
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
