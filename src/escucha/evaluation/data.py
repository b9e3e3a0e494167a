"""Loaders for the labelled sets in ``<repo>/../shared/data`` with the canonical splits.

Each loader returns ``(train, test)`` lists of ``(text, label)`` pairs (label may be a list for
multi-label tasks). Test rows are only ever read for scoring.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any

Pair = tuple[str, Any]


def default_data_dir() -> Path:
    """``$ESCUCHA_SHARED_DATA``, else ``<repo>/../shared/data``."""
    env = os.environ.get("ESCUCHA_SHARED_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3].parent / "shared" / "data"


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def airline(data_dir: Path, column: str = "airline_sentiment") -> tuple[list[Pair], list[Pair]]:
    """US airline tweets; test when ``int(tweet_id) % 5 == 0``. Rows with an empty label are left out."""
    train: list[Pair] = []
    test: list[Pair] = []
    for r in _csv(data_dir / "us_airline_tweets" / "tweets.csv"):
        label = (r.get(column) or "").strip()
        if not label:
            continue
        (test if int(r["tweet_id"]) % 5 == 0 else train).append((r["text"], label))
    return train, test


def cuba_hotels(data_dir: Path) -> tuple[list[Pair], list[Pair]]:
    """Spanish hotel reviews, ``(title. opinion, rating 1-5)``; test when row ``i % 5 == 0``."""
    train: list[Pair] = []
    test: list[Pair] = []
    for i, r in enumerate(_csv(data_dir / "cuba_hotels_es" / "reviews.csv")):
        title = (r.get("title") or "").strip()
        text = f"{title}. {r['opinion']}" if title else r["opinion"]
        (test if i % 5 == 0 else train).append((text, int(r["class"])))
    return train, test


def womens_clothing(data_dir: Path) -> tuple[list[Pair], list[Pair]]:
    """Clothing reviews ``(title. text, rating)``; test when ``int(row_id) % 5 == 0``."""
    train: list[Pair] = []
    test: list[Pair] = []
    for r in _csv(data_dir / "womens_clothing_reviews" / "reviews.csv"):
        title = (r.get("Title") or "").strip()
        body = (r.get("Review Text") or "").strip()
        if not body and not title:
            continue
        text = f"{title}. {body}" if title and body else (body or title)
        (test if int(r["row_id"]) % 5 == 0 else train).append((text, int(r["Rating"])))
    return train, test


def opener(data_dir: Path, split: str) -> list[Pair]:
    """OpeNER-es sentences with a polarity: the majority of its opinions; none -> neutral."""
    out: list[Pair] = []
    for r in _jsonl(data_dir / "opener_es" / f"{split}.jsonl"):
        pols = [o["Polarity"] for o in r.get("opinions") or []]
        pos, neg = pols.count("Positive"), pols.count("Negative")
        label = "neutral" if pos == neg == 0 else ("positive" if pos >= neg else "negative")
        if pos and neg and pos == neg:
            label = "neutral"
        out.append((r["text"], label))
    return out


def semeval_restaurants(data_dir: Path, split: str) -> list[dict[str, Any]]:
    return _jsonl(data_dir / "semeval2014_absa" / f"restaurants_{split}.jsonl")


def emoevent(data_dir: Path, lang: str, split: str) -> list[Pair]:
    return [(r["tweet"], r["emotion"]) for r in _csv(data_dir / "emoevent" / f"{lang}_{split}.csv")]


def banking77(data_dir: Path, split: str) -> list[Pair]:
    return [(r["text"], r["category"]) for r in _csv(data_dir / "banking77" / f"{split}.csv")]


def bitext(data_dir: Path, split: str) -> list[dict[str, str]]:
    return _csv(data_dir / "bitext_customer_service" / f"{split}.csv")
