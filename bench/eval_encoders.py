"""Multilingual encoders (``escucha[multilingual]``) as a sentiment back-end, zero-shot, with their speed.

Trains a logistic regression on USE-multilingual embeddings of licence-clean text only (clothing
reviews TRAIN sample, OpeNER-es train+dev, our hand-written contact-center messages, banking77 and
bitext requests as neutral), blends its probabilities with the shipped model's (the weight chosen
on our hand-written probe set, never on a test split) and scores both on the shared test splits:
the cross-lingual lever the issue asks about. Also times both encoders on tweets, one thread.
Prints a table and writes ``bench/results/encoders.json``.

    OMP_NUM_THREADS=1 python bench/eval_encoders.py [--clothing 1500] [--hotels 600]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from escucha.backends.multilingual import embed
from escucha.evaluation import data as D
from escucha.evaluation import metrics as M
from escucha.evaluation.systems import run_pipeline
from escucha.nlp.sentiment_model import LABELS, probe

SEED = 0
SEEDS = Path(__file__).resolve().parents[1] / "data" / "seed" / "contact_center_sentiment.tsv"


def _polarity(r: int) -> str:
    return "negative" if r <= 2 else ("neutral" if r == 3 else "positive")


def _shipped_proba(texts: list[str]) -> np.ndarray:
    docs = run_pipeline(texts, ["language", "sentences", "sentiment"])
    out = np.zeros((len(texts), 3))
    for i, d in enumerate(docs):
        out[i] = [d.sentiment_proba.get(lab, 0.0) for lab in LABELS] if d.sentiment_proba else [0, 1, 0]
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=D.default_data_dir())
    ap.add_argument("--clothing", type=int, default=1500)
    ap.add_argument("--hotels", type=int, default=600)
    ap.add_argument("--speed-n", type=int, default=300)
    args = ap.parse_args()
    rng = random.Random(SEED)
    report: dict = {"speed_texts_per_s_one_thread": {}}
    tweets = [t for t, _ in D.airline(args.data)[1]][: args.speed_n]
    for enc in ("use", "e5"):
        embed(["warm"], enc)
        t0 = time.perf_counter()
        embed(tweets, enc)
        report["speed_texts_per_s_one_thread"][enc] = round(len(tweets) / (time.perf_counter() - t0), 1)
    print("speed", report["speed_texts_per_s_one_thread"], flush=True)

    cloth = rng.sample(D.womens_clothing(args.data)[0], args.clothing)
    train = [(t, _polarity(r)) for t, r in cloth]
    train += D.opener(args.data, "train") + D.opener(args.data, "dev")
    with SEEDS.open(encoding="utf-8", newline="") as f:
        train += [(r["text"], r["label"]) for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)]
    bank = rng.sample([t for t, _ in D.banking77(args.data, "train")], 500)
    bit = rng.sample([r["utterance"] for r in D.bitext(args.data, "train")], 500)
    train += [(t, "neutral") for t in bank + bit]
    t0 = time.perf_counter()
    x = embed([t for t, _ in train])
    y = [lab for _, lab in train]
    clf = LogisticRegression(C=2.0, max_iter=2000, class_weight="balanced").fit(x, y)
    order = [list(clf.classes_).index(lab) for lab in LABELS]
    report["train"] = {"n": len(train), "seconds": round(time.perf_counter() - t0, 1)}
    print("trained", report["train"], flush=True)

    # the blend weight on our probe set (hand-written messages, es + en)
    pt, py = [], []
    for lang in ("es", "en"):
        a, b = probe(lang)
        pt += a
        py += b
    ps, pu = _shipped_proba(pt), clf.predict_proba(embed(pt))[:, order]
    grid = {}
    for w in (0.0, 0.25, 0.5, 0.75, 1.0):
        pred = [LABELS[i] for i in ((1 - w) * ps + w * pu).argmax(axis=1)]
        grid[w] = M.single_label(py, pred, list(LABELS))["macro_f1"]
    weight = max(grid, key=lambda k: (grid[k], -k))
    report["probe_macro_f1_by_weight"] = grid
    report["weight"] = weight
    print("probe", grid, "weight", weight, flush=True)

    hotels = rng.sample(D.cuba_hotels(args.data)[1], args.hotels)
    tests = {
        "airline_sentiment": D.airline(args.data)[1],
        "hotel_sentiment_es (sample)": [(t, _polarity(r)) for t, r in hotels],
        "opener_es": D.opener(args.data, "test"),
    }
    report["tasks"] = {}
    for name, test in tests.items():
        texts = [t for t, _ in test]
        gold = [y for _, y in test]
        ps = _shipped_proba(texts)
        pu = clf.predict_proba(embed(texts))[:, order]
        row = {}
        for sys_name, p in (("shipped", ps), ("use_lr", pu), (f"blend_w{weight}", (1 - weight) * ps + weight * pu)):
            row[sys_name] = M.single_label(gold, [LABELS[i] for i in p.argmax(axis=1)], list(LABELS))["macro_f1"]
        report["tasks"][name] = row
        print(name, row, flush=True)
    out = Path(__file__).parent / "results" / "encoders.json"
    out.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
