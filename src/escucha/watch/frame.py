"""What the watch reads: the stored voices as a light frame, and their scopes as observations.

A *scope* is a set of dimension values, e.g. ``{"product": "United", "aspect":
"airline.cancellations"}``. Each voice is observed in every scope it belongs to: its product,
location and channel (volume scopes), each aspect and theme it mentions, alone and within its
product, location and channel (share scopes). Scopes travel as compact keys (:func:`scope_key`).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from escucha.store import Filters, Store

VOLUME_DIMS: tuple[str, ...] = ("product", "location", "channel")
SHARE_DIMS: tuple[str, ...] = ("aspect", "theme", "touchpoint")
DIM_ORDER: tuple[str, ...] = (*VOLUME_DIMS, *SHARE_DIMS)
SEP, EQ = "\x1f", "\x1e"
ALL = ""  # the scope of every voice (the parent of single aspects and themes)
THEME_TABLE = "theme_items"  # escucha.insights.themes.ITEM_TABLE

VOICE_COLUMNS = ("id", "timestamp", "ingested_at", "channel", "product", "location", "customer_id", "rating",
                 "sentiment", "sentiment_score", "emotions", "intents", "urgency", "reach", "thread_id",
                 "parent_id", "metadata", "extras", "text")  # fmt: skip


def scope_key(scope: Mapping[str, Any]) -> str:
    """A compact, canonical key for a scope (dimensions in a fixed order)."""
    return SEP.join(f"{d}{EQ}{scope[d]}" for d in DIM_ORDER if scope.get(d) not in (None, ""))


def scope_of(key: str) -> dict[str, str]:
    """The scope (dimension → value) of a key."""
    if not key:
        return {}
    return dict(part.split(EQ, 1) for part in key.split(SEP))


def scope_label(scope: Mapping[str, Any]) -> str:
    """``product=United · aspect=airline.cancellations`` (for summaries and messages)."""
    return " · ".join(f"{d}={v}" for d, v in scope.items()) or "all"


def load_voices(store: Store, filters: Filters | None = None) -> pd.DataFrame:
    """The analysed voices with event times (``ts``, UTC, naive), oldest first."""
    filters = dataclasses.replace(filters or Filters(),  # customers' voices only
                                  exclude_channel=[*((filters and filters.exclude_channel) or []), "employee"])
    df = store.items(filters, limit=None)
    if df.empty:
        return pd.DataFrame(columns=[*VOICE_COLUMNS, "ts"])
    df = df[[c for c in VOICE_COLUMNS if c in df.columns]].copy()
    ts = pd.to_datetime(df["timestamp"], errors="coerce")
    fallback = pd.to_datetime(df["ingested_at"], errors="coerce")
    df["ts"] = ts.fillna(fallback)
    df = df.dropna(subset=["ts"])
    return df.sort_values(["ts", "id"], kind="stable").reset_index(drop=True)


def load_aspects(store: Store, filters: Filters | None = None) -> pd.DataFrame:
    """One row per (voice, aspect) with the aspect's sentiment."""
    a = store.aspects(filters)
    if a.empty:
        return pd.DataFrame(columns=["item_id", "aspect", "aspect_sentiment"])
    return a[["item_id", "aspect", "aspect_sentiment"]].drop_duplicates(["item_id", "aspect"])


def load_themes(store: Store) -> pd.DataFrame:
    t = store.get_table(THEME_TABLE)
    if t is None or t.empty:
        return pd.DataFrame(columns=["item_id", "theme"])
    t = t[t["theme_id"].astype(int) >= 0]
    return pd.DataFrame({"item_id": t["item_id"].astype(str), "theme": t["theme_id"].astype(int).astype(str)})


def touchpoints(voices: pd.DataFrame) -> pd.DataFrame:
    """``metadata.touchpoint`` of the voices that carry one."""
    rows = []
    for item_id, meta in zip(voices["id"], voices.get("metadata", pd.Series(dtype=object)), strict=False):
        if isinstance(meta, str) and '"touchpoint"' in meta:
            tp = json.loads(meta).get("touchpoint")
            if tp:
                rows.append((item_id, str(tp)))
    return pd.DataFrame(rows, columns=["item_id", "touchpoint"])


def voice_rows(pairs: Iterable[tuple[Any, Any]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Voices (Feedback, Analysis | None) as the rows :func:`load_voices` and :func:`load_aspects`
    would give, for a live watcher that adds what just arrived instead of reading everything again."""
    now = pd.Timestamp.now(tz="UTC").tz_localize(None)
    rows, asp = [], []
    for fb, an in pairs:
        if fb.channel.value == "employee" or fb.by_agent:  # customers' voices only
            continue
        ts = pd.Timestamp(fb.timestamp).tz_convert("UTC").tz_localize(None) if fb.timestamp else now
        rows.append({"id": fb.id, "timestamp": ts, "ingested_at": now, "channel": fb.channel.value,
                     "product": fb.product, "location": fb.location, "customer_id": fb.customer_id,
                     "rating": fb.rating, "sentiment": an.sentiment if an else None,
                     "sentiment_score": an.sentiment_score if an else None,
                     "emotions": json.dumps(an.emotions) if an else None, "intents": list(an.intents) if an else [],
                     "urgency": an.urgency if an else None, "reach": fb.reach, "thread_id": fb.thread_id,
                     "parent_id": fb.parent_id, "metadata": json.dumps(fb.metadata) if fb.metadata else None,
                     "extras": json.dumps(an.extras, default=str) if an else None, "text": fb.text, "ts": ts})  # fmt: skip
        for m in an.aspects if an else []:
            asp.append({"item_id": fb.id, "aspect": m.aspect, "aspect_sentiment": m.sentiment})
    voices = pd.DataFrame(rows, columns=[*VOICE_COLUMNS, "ts"])
    aspects = pd.DataFrame(asp, columns=["item_id", "aspect", "aspect_sentiment"]).drop_duplicates(["item_id", "aspect"])
    return voices, aspects


def observations(
    voices: pd.DataFrame, aspects: pd.DataFrame, themes: pd.DataFrame | None = None, min_support: int = 1,
    dims: Iterable[str] | None = None,
) -> pd.DataFrame:
    """One row per (voice, scope): ``item_id, ts, scope, parent, family, negative``.

    ``family`` is ``volume`` (product, location, channel and every voice under :data:`ALL`) or
    ``share`` (aspects, themes, touchpoints; ``parent`` is the scope they are a share of). Scopes
    with fewer than ``min_support`` voices in all are left out (they could never alarm)."""
    cols = ["item_id", "ts", "scope", "parent", "family", "negative", "author"]
    if voices.empty:
        return pd.DataFrame(columns=cols)
    base = pd.DataFrame({"item_id": voices["id"].astype(str), "ts": voices["ts"].to_numpy(),
                         "negative": (voices["sentiment"] == "negative").to_numpy(),
                         "author": voices["customer_id"].astype("string").fillna("").to_numpy(dtype=str)})  # fmt: skip
    parts = [base.assign(scope=ALL, parent=ALL, family="volume")]
    dims_used = list(dims) if dims is not None else [
        d for d in VOLUME_DIMS if voices[d].nunique(dropna=True) > 1]  # one channel = all voices
    for d in dims_used:
        vals = voices[d].astype("string")
        sel = vals.notna() & (vals.str.len() > 0)
        sub = base[sel.to_numpy()]
        parts.append(sub.assign(scope=d + EQ + vals[sel].to_numpy(dtype=str), parent=ALL, family="volume"))
    kids = [_kid(aspects.rename(columns={"aspect": "value"}), "aspect")]
    if themes is not None and not themes.empty:
        kids.append(_kid(themes.rename(columns={"theme": "value"}), "theme"))
    tp = touchpoints(voices) if "metadata" in voices else pd.DataFrame()
    if not tp.empty:
        kids.append(_kid(tp.rename(columns={"touchpoint": "value"}), "touchpoint"))
    kid = pd.concat(kids, ignore_index=True) if kids else pd.DataFrame(columns=["item_id", "kid"])
    if not kid.empty:
        joined = kid.merge(base, on="item_id", how="inner")
        parts.append(joined.assign(scope=joined["kid"], parent=ALL, family="share").drop(columns="kid"))
        dim_values = voices[["id", *dims_used]].rename(columns={"id": "item_id"})
        dim_values["item_id"] = dim_values["item_id"].astype(str)
        j2 = joined.merge(dim_values, on="item_id", how="inner")
        for d in dims_used:
            vals = j2[d].astype("string")
            keep = (vals.notna() & (vals.str.len() > 0)).to_numpy()
            sub = j2[keep]
            parent = d + EQ + vals[keep].to_numpy(dtype=str)
            parts.append(pd.DataFrame({"item_id": sub["item_id"], "ts": sub["ts"], "negative": sub["negative"],
                                       "author": sub["author"],
                                       "scope": _pair(parent, sub["kid"].to_numpy(dtype=str), d),
                                       "parent": parent, "family": "share"}))  # fmt: skip
    obs = pd.concat(parts, ignore_index=True)[cols]
    if min_support > 1:
        sizes = obs["scope"].map(obs["scope"].value_counts())
        obs = obs[(sizes >= min_support) | (obs["scope"] == ALL)]
    obs = obs.drop_duplicates(["item_id", "scope"])
    return obs.sort_values("ts", kind="stable").reset_index(drop=True)


def _kid(frame: pd.DataFrame, dim: str) -> pd.DataFrame:
    f = frame.dropna(subset=["value"])
    out = pd.DataFrame({"item_id": f["item_id"].astype(str), "kid": dim + EQ + f["value"].astype(str)})
    if dim == "aspect" and "aspect_sentiment" in f:
        out["aspect_negative"] = (f["aspect_sentiment"] == "negative").to_numpy()
    return out


def _pair(parent: np.ndarray, kid: np.ndarray, dim: str) -> np.ndarray:
    """Pair keys in the canonical dimension order (volume dimensions come first)."""
    return np.char.add(np.char.add(parent.astype(str), SEP), kid.astype(str))


def scopes_in(keys: Iterable[str]) -> list[dict[str, str]]:
    return [scope_of(k) for k in keys]
