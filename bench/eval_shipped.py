"""The shipped models alone on the shared test splits (seconds, not the minutes of ``escucha eval``).

Scores the default pipeline's sentiment (airline tweets, Spanish hotel reviews, OpeNER-es) and
dominant emotion (EmoEvent es/en) on the canonical test splits, plus the share of hotel reviews
given an airline aspect. Prints a table and writes ``bench/results/eval_shipped.json``. Nothing
is trained or tuned here; ``escucha eval`` gives the same shipped figures beside the baselines.

    python bench/eval_shipped.py [--data DIR] [--max-test N] [--label before]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from escucha.evaluation import data as D
from escucha.evaluation import metrics as M
from escucha.evaluation.systems import _sample, run_pipeline
from escucha.nlp.emotion_model import NONE

SENT = ["negative", "neutral", "positive"]


def _polarity(r: int) -> str:
    return "negative" if r <= 2 else ("neutral" if r == 3 else "positive")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=D.default_data_dir())
    ap.add_argument("--max-test", type=int, default=None)
    ap.add_argument("--label", default="current")
    args = ap.parse_args()
    out: dict[str, dict] = {}
    names = ["language", "sentences", "sentiment"]

    def sentiment(key: str, test: list) -> None:
        t0 = time.perf_counter()
        test = _sample(test, args.max_test, 0)
        docs = run_pipeline([t for t, _ in test], names)
        res = M.single_label([y for _, y in test], [d.sentiment for d in docs], SENT)
        out[key] = {"macro_f1": res["macro_f1"], "per_class_f1": res.get("per_class_f1"),
                    "n": len(test), "seconds": round(time.perf_counter() - t0, 1)}

    sentiment("airline_sentiment", D.airline(args.data)[1])
    sentiment("hotel_sentiment_es", [(t, _polarity(r)) for t, r in D.cuba_hotels(args.data)[1]])
    sentiment("opener_es", D.opener(args.data, "test"))
    for lang in ("es", "en"):
        test = _sample(D.emoevent(args.data, lang, "test"), args.max_test, 0)
        docs = run_pipeline([t for t, _ in test], [*names, "emotion"])
        pred = []
        for d in docs:
            top = d.extras.get("emotion", NONE)
            pred.append({"trust": "joy", NONE: "others"}.get(top, top))
        labels = sorted({y for _, y in test})
        res = M.single_label([y for _, y in test], pred, labels)
        out[f"emotion_{lang}"] = {"macro_f1": res["macro_f1"], "per_class_f1": res.get("per_class_f1"), "n": len(test)}
    hotels = _sample(D.cuba_hotels(args.data)[1], args.max_test, 0)
    docs = run_pipeline([t for t, _ in hotels], [*names, "aspects"])
    from escucha.taxonomy import load_taxonomy

    tax = load_taxonomy()
    airline = sum(any(tax[m.aspect].domain == "airline" for m in d.aspects if m.aspect in tax) for d in docs)
    out["hotel_reviews_with_airline_aspects"] = {"share": round(airline / max(len(docs), 1), 4), "n": len(docs)}
    for k, v in out.items():
        print(f"{k:38s} {json.dumps({x: y for x, y in v.items() if x != 'per_class_f1'})}  {v.get('per_class_f1', '')}")
    path = Path(__file__).parent / "results" / "eval_shipped.json"
    prev = json.loads(path.read_text()) if path.exists() else {}
    prev[args.label] = out
    path.write_text(json.dumps(prev, indent=1))


if __name__ == "__main__":
    main()
