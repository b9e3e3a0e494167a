"""Model commands: `escucha eval` (accuracy on public labelled sets) and `escucha train` (a company's own labels)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from escucha.cli_common import WorkspaceOpt, _emit_json, _fmt, _progress, console, workspace_path


def register(app: typer.Typer) -> None:
    @app.command("eval")
    def eval_(
        task: Annotated[list[str] | None, typer.Option("--task", help="Task key (repeatable); default: all.")] = None,
        data: Annotated[Path | None, typer.Option(help="Folder with the shared datasets (default ../shared/data).")] = None,
        max_train: Annotated[int | None, typer.Option(help="Subsample training rows (quick look).")] = None,
        max_test: Annotated[int | None, typer.Option(help="Subsample test rows (quick look).")] = None,
        out: Annotated[
            Path | None,
            typer.Option(help="Also write the JSON here (merged into an existing file: systems this run did not score are kept)."),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object keyed by task.")] = False,
        finetune: Annotated[
            bool, typer.Option(help="Also fine-tune MiniLM (English tasks, emotion_es; minutes per task; needs extras).")
        ] = False,
    ) -> None:
        """Score escucha's models and baselines on the test splits of the shared labelled datasets."""
        import json

        from rich.table import Table

        from escucha.evaluation import default_data_dir, merge_results, run_eval, summary_rows

        results = run_eval(
            task or None,
            data or default_data_dir(),
            max_train=max_train,
            max_test=max_test,
            progress=lambda t: print(f"… {t}", file=sys.stderr, flush=True),
            finetune=finetune,
        )
        if out:
            if out.exists():  # keep the systems this run did not score (the slow fine-tuned ones)
                results = merge_results(json.loads(out.read_text(encoding="utf-8")), results)
            out.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
        if as_json:
            _emit_json(results)
            return
        table = Table(title="escucha eval (test splits)")
        for col in ("task", "system", "metric", "value", "macro-F1", "accuracy", "texts/s"):
            table.add_column(col, justify="left" if col in ("task", "system", "metric") else "right")
        for r in summary_rows(results):
            if r["value"] is None:
                table.add_row(r["task"], "skipped", "", "", "", "", r.get("note", "")[:40])
                continue
            table.add_row(r["task"], r["system"], r["metric"], _fmt(r["value"], 3), _fmt(r["macro_f1"], 3),
                          _fmt(r["accuracy"], 3), _fmt(r["texts_per_s"], 0))  # fmt: skip
        console.print(table)

    @app.command()
    def train(
        csv: Annotated[Path, typer.Argument(help="CSV of labelled examples.", exists=True)],
        text_col: Annotated[str, typer.Option(help="Column with the text.")] = "text",
        label_col: Annotated[str, typer.Option(help="Column with the label (or labels, see --multilabel).")] = "label",
        name: Annotated[str, typer.Option(help="Model name inside the workspace (models/NAME).")] = "labels",
        multilabel: Annotated[bool, typer.Option(help="Labels separated by '|' in one cell.")] = False,
        out: Annotated[Path | None, typer.Option(help="Write the model here instead of the workspace.")] = None,
        embeddings: Annotated[
            bool, typer.Option(help="Blend in MiniLM sentence embeddings (English; needs escucha\\[embeddings]).")
        ] = False,
        sentences: Annotated[
            bool,
            typer.Option(help="Long texts (reviews, e-mails): also read each sentence and stack the predictions."),
        ] = False,
        finetune: Annotated[
            bool,
            typer.Option(help="Fine-tune MiniLM instead (single-label; needs escucha\\[embeddings,transformers]; slow)."),
        ] = False,
        epochs: Annotated[int, typer.Option(help="Epochs when fine-tuning.", min=1, max=20)] = 2,
        balanced: Annotated[
            bool, typer.Option(help="When fine-tuning, weigh rare labels up (for macro-F1 on skewed labels).")
        ] = False,
        seed: int = 0,
        workspace: WorkspaceOpt = None,
    ) -> None:
        """Train a model on a company's own labels; the workspace's pipeline then uses it (extras.labels)."""
        from escucha.layout import WorkspaceLayout
        from escucha.nlp.training import train as train_model

        ws_path = workspace_path(workspace)
        if out is None:
            if ws_path is None:
                raise typer.BadParameter("give --workspace (the model goes to WORKSPACE/models/NAME) or --out")
            out = WorkspaceLayout(Path(ws_path).resolve()).model(name)
        if finetune:
            _finetune(csv, text_col, label_col, out, multilabel, epochs, seed, balanced)
            return
        path = train_model(
            csv, text_col, label_col, out, multilabel=multilabel, seed=seed, embeddings=embeddings,
            sentences=sentences,
        )
        import json

        meta = json.loads((path / "meta.json").read_text(encoding="utf-8")) if (path / "meta.json").exists() else {}
        figures = meta.get("metrics", {})
        console.print(f"model saved in [bold]{path}[/]  " + "  ".join(f"{k}={v}" for k, v in figures.items()))
        if ws_path is not None and out.resolve().parent == WorkspaceLayout(Path(ws_path).resolve()).models:
            console.print("the workspace pipeline now adds these labels (run `escucha analyze` to apply them)")


def _finetune(
    csv: Path, text_col: str, label_col: str, out: Path, multilabel: bool, epochs: int, seed: int, balanced: bool
) -> None:
    """`escucha train --finetune`: a transformers folder for the ``hf_classifier`` analyser."""
    from escucha.backends.finetune import finetune
    from escucha.nlp.training import read_labelled_csv

    if multilabel:
        raise typer.BadParameter("--finetune trains single-label models; drop --multilabel or --finetune")
    texts, labels, _ = read_labelled_csv(csv, text_col, label_col)
    with _progress() as bar:
        task = bar.add_task("fine-tuning", total=None, rate="batches")
        finetune(texts, labels, out, epochs=epochs, seed=seed, class_weight="balanced" if balanced else None,
                 progress=lambda done, total: bar.update(task, completed=done, total=total))  # fmt: skip
    console.print(f"fine-tuned model saved in [bold]{out}[/]; to use it, add to the workspace settings:")
    console.print(f"  pipeline: [..., hf_classifier]\n  analyzers:\n    hf_classifier: {{model_dir: {out}}}")
