"""Ideas board quality (not a test): the demo's planted idea, the labelled checks, airline tweets.

1. Demo (seed 7, 6,000 voices): the generator plants 81 customers asking to choose a delivery
   slot. The planted customers are recorded by re-running the generator; the bench counts how
   many of them the board's top idea holds (by customer id, or by the text of a social post
   without one), which are missed and why, and how many of its supporters were not planted.
2. The hand-written ES/EN checks in tests/data (ideas and look-alikes): precision and recall of
   ``is_suggestion``.
3. US airline tweets (evaluation only): how many sentences and ideas come out, and the precision
   of a fixed random sample of 30 suggestion sentences (lowest seeded hash) judged by hand
   (bench/data/ideas_airline_judged.json: tweet sentence ids and 0/1, no text). A sentence of the
   sample that was never judged is reported, not guessed.

Writes bench/results/ideas.json.

    .venv/bin/python bench/bench_ideas.py [--demo PATH] [--airline PATH]
"""

from __future__ import annotations

import argparse
import csv
import difflib
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")
HERE = Path(__file__).parent
RESULTS = HERE / "results"
JUDGED = HERE / "data" / "ideas_airline_judged.json"
TWEETS = Path(os.environ.get("ESCUCHA_SHARED_DATA", "/work/shared/data")) / "us_airline_tweets" / "tweets.csv"


def planted() -> list[dict[str, str]]:
    """The demo's planted idea voices: customer id and the idea sentence, first proposer included."""
    from escucha.demo import generator as g

    rec: list[dict[str, str]] = []
    orig = g.Writer.idea

    def idea(self: Any, c: Any) -> str:
        s = orig(self, c)
        rec.append({"customer_id": c.id, "idea": s})
        return s

    g.Writer.idea = idea  # type: ignore[method-assign]
    try:
        with tempfile.TemporaryDirectory() as d:
            g.generate(Path(d), seed=7, n=6000)
    finally:
        g.Writer.idea = orig  # type: ignore[method-assign]
    first = g.bank_es.IDEA_FIRST.split(". ")[0]
    return [{"customer_id": g.IDEA_FIRST_CUSTOMER, "idea": first}, *rec]


def demo(path: Path) -> dict[str, Any]:
    import escucha
    from escucha.demo.build import build_demo
    from escucha.insights.ideas import grouped_suggestions
    from escucha.insights.themes import customer_sentences
    from escucha.nlp.lexicons import fold

    if not (path / "escucha.duckdb").exists():
        build_demo(path, n=6000, seed=7)
    ctx = escucha.open(path).context
    g = grouped_suggestions(ctx)
    sup = g.groupby("_idea")["_who"].nunique().sort_values(ascending=False)
    top = g[g["_idea"] == sup.index[0]]
    truth = planted()
    s = customer_sentences(ctx, employees=True)
    s["folded"] = [fold(t or "") for t in s["text"]]
    where = dict(zip(zip(g["item_id"], g["idx"], strict=True), g["_idea"], strict=True))
    found, missed, matched = 0, [], set()
    for t in truth:
        f = fold(t["idea"])[:60]
        cand = s[(s["customer_id"] == t["customer_id"]) | s["customer_id"].isna()]
        best = max(cand.itertuples(), key=lambda r: difflib.SequenceMatcher(None, f, r.folded[:80]).ratio())
        who = best.customer_id if isinstance(best.customer_id, str) else f"item:{best.item_id}"
        matched.add(who)
        if who in set(top["_who"]):
            found += 1
            continue
        idea = where.get((best.item_id, best.idx))
        missed.append({"customer_id": t["customer_id"], "text": best.text,
                       "why": "not read as a suggestion" if idea is None else
                       f"in another idea ({int(sup[idea])} supporters)"})  # fmt: skip
    extra = sorted(set(top["_who"]) - matched)
    extra_text = top[top["_who"].isin(extra)]["text"].tolist()
    return {"planted": len(truth), "top_idea_supporters": int(sup.iloc[0]), "planted_found": found,
            "missed": missed, "supporters_not_planted": extra_text,
            "suggestion_sentences": len(g), "ideas_with_2_supporters": int((sup >= 2).sum())}  # fmt: skip


def labelled() -> dict[str, Any]:
    from escucha.insights.ideas import is_suggestion

    out = {}
    for name in ("ideas_check.tsv", "ideas_heldout.tsv"):
        with open(HERE.parent / "tests" / "data" / name, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh, delimiter="\t"))
        tp = fp = fn = 0
        for r in rows:
            gold, pred = r["idea"] == "1", is_suggestion(r["text"])
            tp, fp, fn = tp + (gold and pred), fp + (pred and not gold), fn + (gold and not pred)
        out[name] = {"n": len(rows), "ideas": tp + fn, "precision": round(tp / max(1, tp + fp), 3),
                     "recall": round(tp / max(1, tp + fn), 3)}  # fmt: skip
    return out


def sample_of(keys: list[str], seed: int, n: int = 30) -> list[str]:
    """A fixed random sample: the ``n`` keys of lowest seeded hash. A sentence that comes or goes
    changes the sample by one, so the hand judgements stay usable when the rules change."""
    return sorted(keys, key=lambda k: hashlib.sha1(f"{seed}:{k}".encode()).hexdigest())[:n]


def airline(path: Path) -> dict[str, Any]:
    import escucha
    from escucha.insights.ideas import ideas, suggestion_sentences

    ws = escucha.open(path)
    if ws.store.counts().get("items", 0) == 0:
        ws.ingest(TWEETS, "us_airline_tweets")
        ws.analyze()
    s = suggestion_sentences(ws.context)
    judged = json.loads(JUDGED.read_text(encoding="utf-8"))
    keys = [f"{r.item_id}#{r.idx}" for r in s.itertuples()]
    sample = sample_of(keys, judged["seed"])
    labels = [judged["labels"][k] for k in sample if k in judged["labels"]]
    every = [v for k, v in judged["labels"].items() if k in set(keys)]
    board = ideas(ws.context, top=10_000)
    return {"voices": ws.store.counts().get("items", 0), "suggestion_sentences": len(s),
            "ideas_with_2_supporters": len(board), "sample": len(sample), "judged": len(labels),
            "sample_precision": round(sum(labels) / len(labels), 3) if labels else None,
            "judged_still_flagged": len(every),
            "judged_precision": round(sum(every) / len(every), 3) if every else None,
            "top_ideas": [(i["label"], i["supporters"]) for i in board[:5]]}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--demo", type=Path, default=Path("/tmp/escucha-bench-ideas"))
    ap.add_argument("--airline", type=Path, default=Path("/tmp/escucha-bench-ideas-air"))
    a = ap.parse_args()
    out = {"what": "ideas board: planted demo idea, labelled ES/EN checks, airline tweets",
           "demo": demo(a.demo), "labelled": labelled(), "airline": airline(a.airline)}  # fmt: skip
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "ideas.json").write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
