"""Check that our hand-written training texts (``data/seed/*.tsv``) copy nothing they must not.

Each seed text is compared with the probe set, the intent evaluation set and, when
``../shared/data`` is present, every text of the public datasets' test splits (and the
evaluation-only sets' train splits too: nothing of theirs may reach a shipped model). Pairs whose
character 3-5-gram TF-IDF cosine reaches ``--min`` are printed; the exit code is 1 when any is
found.

    .venv/bin/python scripts/check_seed.py [--data DIR] [--min 0.8]
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from escucha.evaluation import data as D
from escucha.nlp.sentiment_model import PROBE

ROOT = Path(__file__).resolve().parents[1]
SEED_DIR = ROOT / "data" / "seed"
INTENTS_EVAL = ROOT / "tests" / "data" / "intents_eval.csv"


def seed_texts() -> list[tuple[str, str]]:
    """(file name, text) of every row of every seed TSV."""
    out = []
    for path in sorted(SEED_DIR.glob("*.tsv")):
        with path.open(encoding="utf-8", newline="") as f:
            out += [(path.name, r["text"]) for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)]
    return out


def references(data_dir: Path) -> list[tuple[str, str]]:
    """(source, text) of everything the seed must stay apart from."""
    refs = [("probe", line.split("\t", 2)[2]) for line in PROBE.read_text(encoding="utf-8").splitlines()[1:]]
    with INTENTS_EVAL.open(encoding="utf-8", newline="") as f:
        refs += [("intents_eval", r["text"]) for r in csv.DictReader(f)]
    if not data_dir.exists():
        print(f"{data_dir} not found: public datasets not checked", file=sys.stderr)
        return refs
    air_train, air_test = D.airline(data_dir)
    hotel_train, hotel_test = D.cuba_hotels(data_dir)
    refs += [("us_airline_tweets", t) for t, _ in air_train + air_test]
    refs += [("cuba_hotels_es", t) for t, _ in hotel_train + hotel_test]
    refs += [("opener_es test", t) for t, _ in D.opener(data_dir, "test")]
    refs += [("womens_clothing test", t) for t, _ in D.womens_clothing(data_dir)[1]]
    refs += [("banking77 test", t) for t, _ in D.banking77(data_dir, "test")]
    for split in ("train", "test"):
        refs += [("semeval2014 " + split, r["text"]) for r in D.semeval_restaurants(data_dir, split)]
    for lang in ("es", "en"):
        for split in ("train", "dev", "test"):
            refs += [(f"emoevent {lang} {split}", t) for t, _ in D.emoevent(data_dir, lang, split)]
    return refs


def near_copies(
    seed: Sequence[tuple[str, str]], refs: Sequence[tuple[str, str]], min_cos: float
) -> list[tuple[float, str, str, str, str]]:
    """(cosine, seed file, seed text, source, reference text) of every close pair."""
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), lowercase=True, sublinear_tf=True)
    vec.fit([t for _, t in seed] + [t for _, t in refs])
    xs = vec.transform([t for _, t in seed])
    xr = vec.transform([t for _, t in refs]).T.tocsc()
    found = []
    for start in range(0, xs.shape[0], 256):
        sims = (xs[start : start + 256] @ xr).toarray()
        for i, j in zip(*np.nonzero(sims >= min_cos), strict=True):
            (f, t), (src, r) = seed[start + i], refs[j]
            found.append((round(float(sims[i, j]), 3), f, t, src, r))
    return sorted(found, reverse=True)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=D.default_data_dir())
    ap.add_argument("--min", type=float, default=0.8, help="cosine from which a pair is reported")
    args = ap.parse_args(argv)
    seed = seed_texts()
    refs = references(args.data)
    found = near_copies(seed, refs, args.min)
    for cos, f, t, src, r in found:
        print(f"{cos:.3f}  {f}: {t!r}\n       {src}: {r!r}")
    print(f"{len(seed)} seed texts against {len(refs)} references: {len(found)} pairs at cosine >= {args.min}")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
