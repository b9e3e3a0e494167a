"""Benchmark: PII redaction precision and recall (span level, by tag) on the labelled snippets, and speed.

Usage: python bench/bench_pii.py [--errors dev|heldout|heldout2|people|all] [--data ../shared/data]
Reads tests/data/pii_snippets.jsonl (a ``dev`` part and a ``heldout`` part written before any
result was seen), writes bench/results/pii.json. A span counts when start, end and tag are exact.
Speed: texts/s of ``redact`` on 10,000 snippets (the labelled set repeated) and on 10,000 real
airline tweets when the shared data is there, with the spans flagged in those tweets by tag.
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import time
from collections import Counter
from pathlib import Path
from typing import Any

from escucha.privacy import find_pii, redact

ROOT = Path(__file__).resolve().parents[1]
SNIPPETS = ROOT / "tests" / "data" / "pii_snippets.jsonl"
PARTS = ("dev", "heldout", "heldout2", "people", "all")
TAGS = ("EMAIL", "PHONE", "CARD", "IBAN", "DNI", "NAME", "ADDRESS")


def load(path: Path = SNIPPETS) -> list[dict[str, Any]]:
    """The labelled snippets: id, split, lang, text and spans (start, end, tag)."""
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _prf(tp: int, fp: int, fn: int) -> dict[str, Any]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(f1, 4),
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


def score(rows: list[dict[str, Any]]) -> tuple[dict[str, Any], list[str]]:
    """Span-level precision/recall overall and by tag, and a line per error."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    errors = []
    for row in rows:
        gold = {(s["start"], s["end"], s["tag"]) for s in row["spans"]}
        pred = {(s.start, s.end, s.tag) for s in find_pii(row["text"])}
        for _, _, tag in gold & pred:
            tp[tag] += 1
        for s, e, tag in pred - gold:
            fp[tag] += 1
            errors.append(f"FP {row['id']} {tag} {row['text'][s:e]!r} in {row['text']!r}")
        for s, e, tag in gold - pred:
            fn[tag] += 1
            errors.append(f"FN {row['id']} {tag} {row['text'][s:e]!r} in {row['text']!r}")
    out: dict[str, Any] = {"overall": _prf(sum(tp.values()), sum(fp.values()), sum(fn.values()))}
    out["by_tag"] = {t: _prf(tp[t], fp[t], fn[t]) for t in TAGS}
    out["snippets"] = len(rows)
    out["negative_snippets"] = sum(1 for r in rows if not r["spans"])
    return out, errors


def speed(texts: list[str], n: int = 10_000, repeats: int = 3) -> float:
    """Texts/s of ``redact`` on ``n`` texts (``texts`` cycled), best of ``repeats`` runs."""
    batch = [texts[i % len(texts)] for i in range(n)]
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for t in batch:
            redact(t)
        best = min(best, time.perf_counter() - t0)
    return round(n / best, 1)


def tweets(data: Path, n: int = 10_000) -> list[str]:
    path = data / "us_airline_tweets" / "tweets.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as f:
        return [r["text"] for r, _ in zip(csv.DictReader(f), range(n), strict=False)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--errors", choices=("none", *PARTS), default="none")
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "pii.json")
    args = ap.parse_args()
    rows = load()
    result: dict[str, Any] = {"machine": platform.machine(), "python": platform.python_version()}
    for part in PARTS:
        sub = [r for r in rows if part == "all" or r["split"] == part]
        result[part], errors = score(sub)
        if args.errors == part or (args.errors == "all" and part != "all"):
            print("\n".join(errors))
    result["texts_per_s_snippets_10k"] = speed([r["text"] for r in rows])
    real = tweets(args.data)
    if real:
        result["texts_per_s_tweets_10k"] = speed(real, repeats=1)
        result["tweets_flagged_by_tag"] = dict(Counter(s.tag for t in real for s in find_pii(t)))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    for part in PARTS:
        o = result[part]["overall"]
        tags = "  ".join(
            f"{t} {v['precision']:.3f}/{v['recall']:.3f}" for t, v in result[part]["by_tag"].items()
        )
        print(f"{part:8s} P {o['precision']:.3f} R {o['recall']:.3f}  ({tags})")
    print(f"speed: {result['texts_per_s_snippets_10k']:,.0f} snippets/s", end="")
    print(f", {result['texts_per_s_tweets_10k']:,.0f} tweets/s" if real else "")


if __name__ == "__main__":
    main()
