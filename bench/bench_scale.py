"""Benchmark: texts/s of the dask scale-out with 1 and 2 local workers on the airline tweets.

The 14,640 tweets are repeated (with unique ids) to ``--n`` rows. File mode (``analyse_file``:
CSV -> Parquet dataset) and workspace mode (``analyse_store_distributed``: store -> store, one
writer) are timed separately; cluster start-up and per-worker model loading are reported apart
from the steady analysis rate. Workspace mode also runs the single-process ``ws.analyze`` baseline.

Usage: python bench/bench_scale.py [--data ../shared/data] [--n 100000] [--ws-n 20000]
Writes bench/results/scale.json. Mind that the machine's cores may be shared.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import escucha
from escucha.distributed import PipelineSpec, analyse_file, analyse_store_distributed, connect
from escucha.distributed.worker import pipeline_version

ROOT = Path(__file__).resolve().parents[1]


def repeated_tweets(src: Path, dst: Path, n: int) -> int:
    """``dst``: the tweets of ``src`` repeated until ``n`` rows, ``tweet_id`` made unique."""
    with src.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with dst.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        for i in range(n):
            row = dict(rows[i % len(rows)])
            row["tweet_id"] = f"{row['tweet_id']}-{i // len(rows)}"
            w.writerow(row)
    return n


def _warm(c: Any, spec: PipelineSpec) -> float:
    """Seconds until every worker has built its pipeline."""
    t0 = time.perf_counter()
    c.run(pipeline_version, spec)
    return time.perf_counter() - t0


def _time_writes(ws: Any) -> list[float]:
    """Count the seconds the (single) writer spends in ``save_analyses``."""
    spent = [0.0]
    save = ws.store.save_analyses

    def timed(items: Any, analyses: Any) -> None:
        t0 = time.perf_counter()
        save(items, analyses)
        spent[0] += time.perf_counter() - t0

    ws.store.save_analyses = timed
    return spent


def bench_file(
    csv_path: Path, n: int, workers: list[int], blocksize: str, tmp: Path
) -> dict[str, Any]:
    out: dict[str, Any] = {"texts": n, "blocksize": blocksize}
    spec = PipelineSpec.default()
    for w in workers:
        t0 = time.perf_counter()
        with connect(w) as c:
            started, warm = time.perf_counter() - t0, _warm(c, spec)
            s = analyse_file(csv_path, tmp / f"out{w}", "us_airline_tweets", client=c,
                             blocksize=blocksize, spec=spec)  # fmt: skip
        out[f"workers_{w}"] = {
            "cluster_start_s": round(started, 1),
            "model_load_s": round(warm, 1),
            "analyse_s": round(s.seconds, 1),
            "texts_per_s": round(s.texts_per_s, 1),
            "partitions": s.partitions,
            "analysed": s.analysed,
            "errors": s.errors,
        }
        print(f"file mode, {w} worker(s): {out[f'workers_{w}']}", flush=True)
    return out


def bench_workspace(csv_path: Path, n: int, workers: list[int], tmp: Path) -> dict[str, Any]:
    base = escucha.open(tmp / "base")
    t0 = time.perf_counter()
    ing = base.ingest(csv_path, "us_airline_tweets")
    out: dict[str, Any] = {"texts": ing.stored, "ingest_s": round(time.perf_counter() - t0, 1)}
    base.store.close()
    for w in [0, *workers]:  # 0 = single process, ws.analyze()
        shutil.copytree(tmp / "base", tmp / f"ws{w}")
        ws = escucha.open(tmp / f"ws{w}")
        write_s = _time_writes(ws)
        if w == 0:
            t0 = time.perf_counter()
            _ = ws.pipeline
            load = time.perf_counter() - t0
            s = ws.analyze()
            res = {"model_load_s": round(load, 1)}
        else:
            t0 = time.perf_counter()
            with connect(w) as c:
                started = time.perf_counter() - t0
                warm = _warm(c, PipelineSpec.of_workspace(ws))
                s = analyse_store_distributed(ws, client=c)
            res = {"cluster_start_s": round(started, 1), "model_load_s": round(warm, 1)}
        res |= {"analyse_s": round(s.seconds, 1), "texts_per_s": round(s.texts_per_s, 1),
                "analysed": s.analysed, "pending_after": ws.pending(),
                "driver_write_s": round(write_s[0], 1),
                "write_ceiling_texts_per_s": round(s.analysed / write_s[0], 1)}  # fmt: skip
        key = "single_process" if w == 0 else f"workers_{w}"
        out[key] = res
        print(f"workspace mode, {key}: {res}", flush=True)
        ws.store.close()
        shutil.rmtree(tmp / f"ws{w}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--n", type=int, default=100_000, help="texts for file mode")
    ap.add_argument("--ws-n", type=int, default=100_000, help="texts for workspace mode (0: skip)")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--blocksize", default="2MB")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "scale.json")
    args = ap.parse_args()
    src = (
        Path(os.environ.get("ESCUCHA_SHARED_DATA", args.data)) / "us_airline_tweets" / "tweets.csv"
    )
    results: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "load_avg_at_start": [round(x, 2) for x in os.getloadavg()],
                    "note": "2 cores shared with other jobs: rates are lower bounds"},
        "escucha": escucha.__version__,
    }  # fmt: skip
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        big = tmp / "tweets_big.csv"
        repeated_tweets(src, big, args.n)
        results["file_mode"] = bench_file(big, args.n, args.workers, args.blocksize, tmp)
        if args.ws_n:
            small = tmp / "tweets_ws.csv"
            repeated_tweets(src, small, args.ws_n)
            results["workspace_mode"] = bench_workspace(small, args.ws_n, args.workers, tmp)
    results["machine"]["load_avg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
