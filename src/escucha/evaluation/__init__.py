"""The evaluation harness: escucha's models against baselines on public labelled sets.

>>> from escucha.evaluation import run_eval
>>> results = run_eval(["airline_sentiment"])
>>> results["airline_sentiment"]["macro_f1"], results["airline_sentiment"]["baselines"]

Each task's entry has the figures of escucha's best system on the task's primary metric at the
top level (``system`` names it: ``shipped``, ``adapted``, …), every escucha system under
``systems``, and the baselines under ``baselines``; figures are n, accuracy, macro_f1 (micro_f1
for multi-label, mae for ratings), per_class_f1, confusion and texts_per_s. Test splits are only
scored, never used for training or tuning.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from escucha.evaluation.data import default_data_dir
from escucha.evaluation.tasks import TASKS, Skip

__all__ = ["TASKS", "default_data_dir", "merge_results", "run_eval", "summary_rows"]
log = logging.getLogger(__name__)


def _best(systems: dict[str, dict[str, Any]], primary: str) -> tuple[str, dict[str, Any]]:
    lower_is_better = primary == "mae"
    name = (min if lower_is_better else max)(systems, key=lambda k: systems[k].get(primary, 0.0))
    return name, systems[name]


def run_eval(
    tasks: Sequence[str] | None = None,
    data_dir: Path | None = None,
    *,
    seed: int = 0,
    max_train: int | None = None,
    max_test: int | None = None,
    progress: Callable[[str], None] | None = None,
    finetune: bool = False,
) -> dict[str, Any]:
    """Run the named tasks (all when ``None``); ``max_train``/``max_test`` subsample for smoke runs;
    ``finetune`` also scores a fine-tuned MiniLM on the tasks that have it (minutes each)."""
    data_dir = Path(data_dir) if data_dir else default_data_dir()
    names = list(tasks) if tasks else list(TASKS)
    unknown = [t for t in names if t not in TASKS]
    if unknown:
        from escucha.errors import ConfigError

        raise ConfigError(f"unknown evaluation task(s) {unknown}; known: {sorted(TASKS)}", field="task")
    if not data_dir.exists():
        from escucha.errors import ConfigError

        raise ConfigError(f"no shared data at {data_dir} (set ESCUCHA_SHARED_DATA)", field="data_dir")
    out: dict[str, Any] = {}
    for name in names:
        if progress:
            progress(name)
        t0 = time.perf_counter()
        try:
            res = TASKS[name](data_dir, seed, max_train, max_test, finetune=finetune)
        except Skip as exc:
            out[name] = {"skipped": str(exc)}
            continue
        except FileNotFoundError as exc:
            out[name] = {"skipped": f"data missing: {exc.filename}"}
            continue
        out[name] = _headline({**res, "notes": res.get("notes", []), "seconds": round(time.perf_counter() - t0, 1)})
    return out


def _headline(res: dict[str, Any]) -> dict[str, Any]:
    """``res`` with its top-level figures set to its best system's on the primary metric."""
    system, fig = _best(res["systems"], res["primary"])
    head = {k: v for k, v in res.items() if k in ("primary", "systems", "baselines", "notes", "seconds")}
    return {"system": system, **fig, **head}


def merge_results(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """``old`` with ``new``'s tasks. A system that the new run did not score (the slow
    ``finetuned`` ones, without ``--finetune``) is kept from ``old``, with its notes and a note
    that says so, and each task's headline figures are those of its best system again."""
    out = dict(old)
    for task, res in new.items():
        before = old.get(task) or {}
        kept = {k: v for k, v in (before.get("systems") or {}).items() if k not in res.get("systems", {})}
        if kept and "systems" in res:
            res = {**res, "systems": {**res["systems"], **kept}}
            notes = [n for n in before.get("notes", []) if n.split(":")[0] in kept]
            res["notes"] = [*res.get("notes", []), *notes, f"kept from the previous run: {', '.join(kept)}"]
            res = _headline(res)
        out[task] = res
    return out


def summary_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per (task, system or baseline) with the primary metric, for printing a table."""
    rows = []
    for task, res in results.items():
        if "skipped" in res:
            rows.append({"task": task, "system": "-", "metric": "skipped", "value": None, "note": res["skipped"]})
            continue
        primary = res["primary"]
        for kind, group in (("escucha", res["systems"]), ("baseline", res["baselines"])):
            for name, fig in group.items():
                rows.append(
                    {
                        "task": task,
                        "system": name if kind == "escucha" else f"[{name}]",
                        "metric": primary,
                        "value": fig.get(primary),
                        "macro_f1": fig.get("macro_f1"),
                        "accuracy": fig.get("accuracy"),
                        "texts_per_s": fig.get("texts_per_s"),
                    }
                )
    return rows
