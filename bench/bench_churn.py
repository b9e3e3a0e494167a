"""Churn risk on the demo company (not a test): time-based split, the model's AUC beside the
recency-only baseline's, in the same run, for a few horizons.

The model (logistic regression on behaviour + voice features, ``escucha.cases.churn``) is trained
at an earlier cutoff with labels up to the test cutoff, and tested at the later cutoff with labels
after it: it never sees the test period. Churned = no voice in the horizon after the cutoff.

Writes bench/results/churn.json.

    .venv/bin/python bench/bench_churn.py
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
RESULTS = Path(__file__).parent / "results"


def main() -> None:
    import escucha
    from escucha.cases.churn import evaluate, silent_customers
    from escucha.demo.build import build_demo

    path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/escucha-bench-cases")
    if not (path / "escucha.duckdb").exists():
        build_demo(path)
    ws = escucha.open(path)
    runs = []
    for share in (0.2, 0.3):
        t = time.perf_counter()
        ev = evaluate(ws.store, horizon_share=share)
        ev["seconds"] = round(time.perf_counter() - t, 2)
        ev["horizon_share"] = share
        runs.append(ev)
        print(f"horizon {ev['horizon_days']} days: AUC model {ev['auc_model']:.3f} vs recency only "
              f"{ev['auc_recency']:.3f} (test: {ev['test']['customers']} customers, {ev['test']['churned']} churned)")
    silent = silent_customers(ws.store, quiet_days=30, limit=100_000)
    out = {"what": "churn risk AUC, time-based split, demo workspace", "runs": runs,
           "silent_customers_30d": len(silent)}  # fmt: skip
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "churn.json").write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
