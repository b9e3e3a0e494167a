"""Viral risk of one voice: how likely it is to hurt the brand in public if nobody acts.

``viral_risk = intensity × threat × reach × velocity × unresolved``, each part in (0, 1]:

* ``intensity``: the strongest of anger, disgust and negative sentiment;
* ``threat``: public-threat and churn-threat intents (a complaint counts a little);
* ``reach``: ``log10(1 + audience) / 6`` (a million followers is 1; unknown is a low floor);
* ``velocity``: replies and quotes in its thread within the first hours, plus reshares and likes
  the platform reports (``log1p(engagement) / log1p(1000)``);
* ``unresolved``: from one half (just posted) to 1 after a day without a resolution
  (``metadata.resolved`` true divides it by five).

The parts are kept, so the watch list shows why a voice is at the top.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd

THREAT_WEIGHTS = {"public_threat": 1.0, "churn_threat": 0.6, "complaint": 0.3}
REACH_FLOOR = 0.15
VELOCITY_FLOOR = 0.1
VELOCITY_HOURS = 6.0
PARTS = ("intensity", "threat", "reach", "velocity", "unresolved")


def _json(v: Any) -> dict[str, Any]:
    if isinstance(v, dict):
        return v
    if isinstance(v, str) and v.startswith("{"):
        try:
            out = json.loads(v)
        except ValueError:
            return {}
        return out if isinstance(out, dict) else {}
    return {}


def _num(v: Any) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return 0.0
    return f if math.isfinite(f) and f > 0 else 0.0


def thread_replies(voices: pd.DataFrame, until: pd.Timestamp | None = None) -> pd.DataFrame:
    """Per thread root: its replies (and quotes) in the first :data:`VELOCITY_HOURS` hours."""
    if voices.empty or "thread_id" not in voices:
        return pd.DataFrame(columns=["thread_id", "replies"])
    v = voices[voices["thread_id"].notna()]
    if until is not None:
        v = v[v["ts"] <= until]
    roots = v[v["parent_id"].isna()][["thread_id", "ts"]].drop_duplicates("thread_id").rename(columns={"ts": "root_ts"})
    rep = v[v["parent_id"].notna()][["thread_id", "ts"]].merge(roots, on="thread_id", how="inner")
    rep = rep[(rep["ts"] - rep["root_ts"]) <= pd.Timedelta(hours=VELOCITY_HOURS)]
    return rep.groupby("thread_id").size().rename("replies").reset_index()


def viral_scores(
    voices: pd.DataFrame, now: pd.Timestamp | None = None, replies: pd.DataFrame | None = None,
    use_reach: bool = True,
) -> pd.DataFrame:  # fmt: skip
    """One row per voice: ``item_id, viral_risk`` and its parts (root voices; replies score 0)."""
    cols = ["item_id", "viral_risk", *PARTS, "engagement", "audience"]
    if voices.empty:
        return pd.DataFrame(columns=cols)
    now = now if now is not None else voices["ts"].max()
    emo = voices["emotions"].map(_json) if "emotions" in voices else pd.Series([{}] * len(voices))
    meta = voices["metadata"].map(_json) if "metadata" in voices else pd.Series([{}] * len(voices))
    anger = np.array([max(_num(e.get("anger")), _num(e.get("disgust"))) for e in emo])
    neg = np.clip(-pd.to_numeric(voices["sentiment_score"], errors="coerce").fillna(0).to_numpy(dtype=float), 0, 1)
    intensity = np.clip(np.maximum(anger, neg), 0.05, 1.0)
    intents = voices["intents"].map(lambda x: list(x) if x is not None and not isinstance(x, float) else [])
    raw = np.array([sum(THREAT_WEIGHTS.get(str(i), 0.0) for i in xs) for xs in intents])
    threat = (1.0 + raw) / (1.0 + sum(THREAT_WEIGHTS.values()))
    audience = pd.to_numeric(voices["reach"], errors="coerce").fillna(0).to_numpy(dtype=float) if use_reach \
        else np.zeros(len(voices))  # fmt: skip
    followers = np.array([_num(m.get("followers")) for m in meta])
    audience = np.maximum(audience, followers)
    reach = np.where(audience > 0, np.clip(np.log10(1 + audience) / 6.0, REACH_FLOOR, 1.0), REACH_FLOOR)
    replies = replies if replies is not None else thread_replies(voices, now)
    n_rep = voices["thread_id"].map(replies.set_index("thread_id")["replies"]).fillna(0).to_numpy(dtype=float) \
        if "thread_id" in voices and not replies.empty else np.zeros(len(voices))  # fmt: skip
    platform = np.array([_num(m.get("reshares")) + _num(m.get("shares")) + _num(m.get("likes")) / 10
                         + _num(m.get("replies")) for m in meta])  # fmt: skip
    engagement = n_rep + platform
    velocity = np.clip(np.log1p(engagement) / math.log1p(1000), VELOCITY_FLOOR, 1.0)
    hours = np.clip((now - pd.to_datetime(voices["ts"])).dt.total_seconds().to_numpy(dtype=float) / 3600, 0, None)
    resolved = np.array([bool(m.get("resolved")) for m in meta])
    unresolved = (0.5 + 0.5 * np.minimum(hours / 24.0, 1.0)) * np.where(resolved, 0.2, 1.0)
    is_reply = voices["parent_id"].notna().to_numpy() if "parent_id" in voices else np.zeros(len(voices), bool)
    risk = intensity * threat * reach * velocity * unresolved
    risk = np.where(is_reply, 0.0, risk)
    return pd.DataFrame({
        "item_id": voices["id"].astype(str).to_numpy(), "viral_risk": np.round(risk, 4),
        "intensity": np.round(intensity, 3), "threat": np.round(threat, 3), "reach": np.round(reach, 3),
        "velocity": np.round(velocity, 3), "unresolved": np.round(unresolved, 3),
        "engagement": engagement, "audience": audience,
    })  # fmt: skip


def watchlist(voices: pd.DataFrame, top: int = 20, now: pd.Timestamp | None = None) -> list[dict[str, Any]]:
    """The voices most at risk of going viral, highest first, with their parts and a short text."""
    s = viral_scores(voices, now)
    if s.empty:
        return []
    s = s[s["viral_risk"] > 0].sort_values(["viral_risk", "item_id"], ascending=[False, True]).head(top)
    info = voices.set_index(voices["id"].astype(str))
    out = []
    for rec in s.to_dict("records"):
        r = {str(k): x for k, x in rec.items()}
        v = info.loc[r["item_id"]]
        out.append({
            **r, "channel": v.get("channel"), "customer_id": v.get("customer_id"),
            "timestamp": pd.Timestamp(v["ts"]).isoformat(), "text": str(v.get("text") or "")[:280],
            "intents": [str(i) for i in (v.get("intents") if v.get("intents") is not None else [])],
        })  # fmt: skip
    return out
