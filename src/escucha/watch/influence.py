"""First opinions and their echoes, and authors ranked by influence.

A *first opinion* is the earliest voice on a product (or theme, aspect) that says something; an
*echo* is a later voice on the same subject whose words are close to it (TF-IDF cosine at least
``min_similarity``) — time precedence plus similarity. An author's influence combines reach,
replies their voices drew and echoes their first opinions had:
``influence = log10(1 + reach) / 6 + log1p(replies) / log1p(1000) + log1p(echoes) / log1p(100)``.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd

MIN_SIMILARITY = 0.35


def first_opinions(voices: pd.DataFrame, by: str = "product", top: int = 10, echoes_max: int = 200,
                   min_similarity: float = MIN_SIMILARITY) -> list[dict[str, Any]]:  # fmt: skip
    """Per value of ``by``: the first voices (earliest) and how many later voices echo each."""
    if voices.empty or by not in voices:
        return []
    from sklearn.feature_extraction.text import TfidfVectorizer

    out = []
    roots = voices[voices["parent_id"].isna()] if "parent_id" in voices else voices
    for value, g in roots.dropna(subset=[by]).groupby(by):
        g = g.sort_values("ts")
        if len(g) < 3:
            continue
        g = g.head(echoes_max)
        texts = g["text"].fillna("").astype(str).tolist()
        try:
            m = TfidfVectorizer(min_df=1, sublinear_tf=True).fit_transform(texts)
        except ValueError:  # no words at all
            continue
        sim = (m @ m.T).toarray()
        firsts = []
        for i in range(min(3, len(g))):
            later = np.nonzero(sim[i, i + 1:] >= min_similarity)[0] + i + 1
            firsts.append({"item_id": str(g["id"].iloc[i]), "author": _author(g.iloc[i]),
                           "timestamp": pd.Timestamp(g["ts"].iloc[i]).isoformat(), "text": texts[i][:280],
                           "echoes": int(later.size), "echo_ids": [str(g["id"].iloc[j]) for j in later[:10]]})  # fmt: skip
        out.append({by: str(value), "voices": len(g), "first": firsts})
    out.sort(key=_total_echoes)
    return out[:top]


def _total_echoes(row: dict[str, Any]) -> int:
    return -sum(int(f["echoes"]) for f in row["first"])


def _author(v: pd.Series) -> str:
    meta = v.get("metadata")
    if isinstance(meta, str) and '"author"' in meta:
        try:
            a = json.loads(meta).get("author")
        except ValueError:
            a = None
        if a:
            return str(a)
    cid = v.get("customer_id")
    return str(cid) if cid is not None and not (isinstance(cid, float) and math.isnan(cid)) else ""


def influencers(voices: pd.DataFrame, top: int = 20, echoes: dict[str, int] | None = None) -> list[dict[str, Any]]:
    """Authors ranked by influence: reach, replies their voices drew, echoes of their first opinions."""
    if voices.empty:
        return []
    v = voices.assign(author=voices.apply(_author, axis=1))
    v = v[v["author"] != ""]
    if v.empty:
        return []
    reach = pd.to_numeric(v["reach"], errors="coerce").fillna(0)
    replies: pd.Series = pd.Series(0.0, index=v.index, dtype=float)
    if "thread_id" in v:
        rep = voices[voices["parent_id"].notna()].groupby("thread_id").size()
        is_root = v["parent_id"].isna() & v["thread_id"].notna()
        replies = v["thread_id"].map(rep).fillna(0).astype(float).where(is_root, 0.0)
    g = pd.DataFrame({"author": v["author"], "reach": reach, "replies": replies,
                      "negative": (v["sentiment"] == "negative").astype(int)}).groupby("author")  # fmt: skip
    df = g.agg(voices=("reach", "size"), reach=("reach", "max"), replies=("replies", "sum"), negative=("negative", "sum"))
    df["echoes"] = [int((echoes or {}).get(a, 0)) for a in df.index]
    df["influence"] = (np.log10(1 + df["reach"]) / 6 + np.log1p(df["replies"]) / math.log1p(1000)
                       + np.log1p(df["echoes"]) / math.log1p(100)).round(4)  # fmt: skip
    df = df.sort_values(["influence", "voices"], ascending=False).head(top).reset_index()
    return [{"author": r["author"], "influence": float(r["influence"]), "voices": int(r["voices"]),
             "reach": int(r["reach"]), "replies": int(r["replies"]), "echoes": int(r["echoes"]),
             "negative": int(r["negative"])} for r in df.to_dict("records")]  # fmt: skip


def echo_counts(opinions: list[dict[str, Any]]) -> dict[str, int]:
    """Echoes per author of the first opinions."""
    out: dict[str, int] = {}
    for row in opinions:
        for f in row["first"]:
            if f["author"]:
                out[f["author"]] = out.get(f["author"], 0) + f["echoes"]
    return out
