"""Evaluate escucha's models against baselines on every task; write bench/results/eval.json.

    .venv/bin/python bench/eval_models.py [--task airline_sentiment ...] [--max-train N] [--max-test N]
    .venv/bin/python bench/eval_models.py --finetune --task airline_sentiment   # + fine-tuned MiniLM (slow)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from escucha.evaluation import TASKS, default_data_dir, merge_results, run_eval, summary_rows

OUT = Path(__file__).parent / "results" / "eval.json"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--task", action="append", choices=sorted(TASKS), help="repeatable; default all")
    ap.add_argument("--data", type=Path, default=default_data_dir())
    ap.add_argument("--max-train", type=int, default=None)
    ap.add_argument("--max-test", type=int, default=None)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--finetune", action="store_true", help="also fine-tune MiniLM (English single-label tasks)")
    args = ap.parse_args(argv)
    results = run_eval(
        args.task,
        args.data,
        max_train=args.max_train,
        max_test=args.max_test,
        progress=lambda t: print(f"… {t}", file=sys.stderr, flush=True),
        finetune=args.finetune,
    )
    print(f"{'task':32} {'system':18} {'metric':9} {'value':>7} {'macroF1':>8} {'acc':>7} {'texts/s':>9}")
    for r in summary_rows(results):
        if r["value"] is None:
            print(f"{r['task']:32} skipped: {r.get('note', '')}")
            continue
        fmt = lambda v: "" if v is None else f"{v:.4f}"  # noqa: E731
        speed = "" if r["texts_per_s"] is None else f"{r['texts_per_s']:.0f}"
        print(
            f"{r['task']:32} {r['system']:18} {r['metric']:9} {fmt(r['value']):>7} "
            f"{fmt(r['macro_f1']):>8} {fmt(r['accuracy']):>7} {speed:>9}"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if args.out.exists():  # keep the systems this run did not score (the slow fine-tuned ones)
        results = merge_results(json.loads(args.out.read_text(encoding="utf-8")), results)
    args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
