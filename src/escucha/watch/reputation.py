"""Reputation score per location or product from review channels, comparable over time.

``reputation = 100 × (Bayesian mean rating − 1) / 4``: the mean star rating shrunk towards the
workspace's mean with ``prior`` pseudo-reviews (a place with three reviews does not top the
list), per period; where no ratings exist, the share of positive minus negative review voices
maps to the same 0-100 scale. Competitors show up as their own products or locations when their
reviews are ingested.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

REVIEW_CHANNELS = ("review", "social")


def reputation(voices: pd.DataFrame, by: str = "location", period: str = "M", prior: float = 10.0,
               ratings: pd.Series | None = None) -> list[dict[str, Any]]:  # fmt: skip
    """One row per (``by`` value, period): reviews, mean rating, reputation 0-100."""
    v = voices[voices["channel"].isin(REVIEW_CHANNELS)].dropna(subset=[by])
    if v.empty:
        return []
    rating = ratings.reindex(v.index) if ratings is not None else pd.Series(float("nan"), index=v.index)
    sent = v["sentiment"].map({"positive": 5.0, "neutral": 3.0, "negative": 1.0})
    score = rating.where(rating.notna(), sent)
    v = v.assign(score=score, period=v["ts"].dt.to_period(period).astype(str)).dropna(subset=["score"])
    overall = float(v["score"].mean()) if len(v) else 3.0
    g = v.groupby([by, "period"])["score"].agg(["count", "sum", "mean"]).reset_index()
    g["bayes"] = (g["sum"] + prior * overall) / (g["count"] + prior)
    g["reputation"] = (100 * (g["bayes"] - 1) / 4).round(1)
    return [{by: str(r[by]), "period": r["period"], "reviews": int(r["count"]), "mean": round(float(r["mean"]), 2),
             "reputation": float(r["reputation"])} for r in g.to_dict("records")]  # fmt: skip
