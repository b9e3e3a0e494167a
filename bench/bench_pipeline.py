"""Benchmark: ingest rows/s, analysis texts/s (end to end and per analyser) and peak memory on real data.

Usage: python bench/bench_pipeline.py [--data ../shared/data] [--limit N]
Writes bench/results/pipeline.json. Run with one thread per library (set below) to measure one core.
"""

from __future__ import annotations

import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import escucha  # noqa: E402
from escucha.pipeline import Doc  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATASETS = {"us_airline_tweets": "us_airline_tweets/tweets.csv", "cuba_hotels_es": "cuba_hotels_es/reviews.csv"}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def per_analyser(texts: list[str], repeats: int = 3) -> dict[str, float]:
    """Texts/s of each analyser alone and of the whole pipeline, in this process (one core): each
    analyser's best time over ``repeats`` runs of the pipeline on fresh docs (as ``timeit``
    does: the least disturbed run)."""
    pipe = escucha.default_pipeline()
    pipe.run([Doc(text=t) for t in texts[:200]])  # warm up (model loading)
    best: dict[str, float] = {}
    for _ in range(repeats):
        docs = [Doc(text=t, id=str(i)) for i, t in enumerate(texts)]
        for a in pipe.analyzers:
            t0 = time.perf_counter()
            a(docs)
            dt = time.perf_counter() - t0
            best[a.name] = min(best.get(a.name, dt), dt)
    out = {name: round(len(texts) / dt, 1) for name, dt in best.items()}
    out["pipeline"] = round(len(texts) / sum(best.values()), 1)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "pipeline.json")
    args = ap.parse_args()
    results: dict[str, object] = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "threads": 1},
        "escucha": escucha.__version__,
    }
    with tempfile.TemporaryDirectory() as tmp:
        for preset, rel in DATASETS.items():
            path = args.data / rel
            ws = escucha.open(Path(tmp) / preset)
            t0 = time.perf_counter()
            s = ws.ingest(path, preset)
            ingest_s = time.perf_counter() - t0
            a = ws.analyze()
            results[preset] = {
                "rows": s.read,
                "stored": s.stored,
                "quarantined": s.quarantined,
                "ingest_rows_per_s": round(s.read / ingest_s, 1),
                "analysed": a.analysed,
                "analyse_texts_per_s": round(a.texts_per_s, 1),
                "analyse_seconds": round(a.seconds, 2),
            }
            print(f"{preset}: ingest {s.read / ingest_s:,.0f} rows/s, analyse {a.texts_per_s:,.0f} texts/s "
                  f"(end to end with the store)")  # fmt: skip
    with (args.data / DATASETS["us_airline_tweets"]).open(encoding="utf-8") as f:
        tweets = [r["text"] for r in csv.DictReader(f)][:5000]
    results["pipeline_one_core_tweets"] = per_analyser(tweets)
    print("per analyser (texts/s, tweets, one core):", results["pipeline_one_core_tweets"])
    results["peak_rss_mb"] = round(peak_rss_mb(), 1)
    print(f"peak RSS {results['peak_rss_mb']} MB")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
