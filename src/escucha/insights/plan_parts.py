"""Per problem of the improvement plan: its trend, peak week, evidence quotes and first raisers,
over the voices (``items``) with flagged voices as boolean masks over one id index."""

from __future__ import annotations

from collections import Counter
from typing import Any, cast

import numpy as np
import pandas as pd

from escucha.insights.journey_phrases import content_words
from escucha.insights.promise_stats import two_proportions


def rate(items: pd.DataFrame, flagged: set[str] | np.ndarray, since: pd.Timestamp | None = None,
         until: pd.Timestamp | None = None) -> tuple[int, int]:
    """(flagged voices, voices) in ``[since, until)``; ``flagged`` as ids or a mask over ``items``."""
    ts = items["timestamp"]
    inside = np.ones(len(items), dtype=bool)
    if since is not None:
        inside &= (ts >= since).to_numpy()
    if until is not None:
        inside &= (ts < until).to_numpy()
    hit = flagged if isinstance(flagged, np.ndarray) else flag_mask(pd.Index(items["id"]), flagged)
    return int((hit & inside).sum()), int(inside.sum())


def flag_mask(ids: pd.Index, flagged: set[str]) -> np.ndarray:
    """Which of the voices ``ids`` are ``flagged`` (a boolean mask; the index's hash table is
    built once and serves every problem)."""
    pos = ids.get_indexer(pd.Index(list(flagged))) if flagged else np.array([], dtype=np.intp)
    out = np.zeros(len(ids), dtype=bool)
    out[pos[pos >= 0]] = True
    return out


def trend(items: pd.DataFrame, hit: np.ndarray) -> dict[str, Any]:
    if items.empty:
        return {"change": None, "p_value": None, "component": 0.0}
    last = items["timestamp"].max()
    cut = last - pd.Timedelta(weeks=4)
    k1, n1 = rate(items, hit, until=cut)
    k2, n2 = rate(items, hit, since=cut)
    res = two_proportions(k1, n1, k2, n2)
    comp = 0.0
    if res["p_value"] is not None and res["p_value"] < 0.05 and res["change"] > 0:
        comp = min(1.0, (res["after"] / max(res["before"], 1e-9) - 1) / 2)
    return {"recent_rate": res["after"], "earlier_rate": res["before"], "change": res["change"],
            "p_value": res["p_value"], "component": comp}


def by_id(items: pd.DataFrame, col: str) -> pd.Series:
    """Column ``col`` of ``items`` indexed by voice id (without copying the other columns)."""
    return pd.Series(items[col].to_numpy(), index=items["id"].to_numpy(), name=col)


def peak(when: pd.Series, rows: pd.DataFrame) -> dict[str, Any] | None:
    """The week with the most problem voices vs the median week, and its distinctive words
    (``when``: each voice's timestamp by id)."""
    ts = rows["item_id"].map(when)
    rows = rows[ts.notna().to_numpy()]
    ts = ts.dropna()
    wk = ts.dt.to_period("W-SUN").dt.start_time
    counts = wk.value_counts()
    if len(counts) < 4:
        return None
    w, top = counts.idxmax(), int(counts.max())
    med = float(counts.median()) or 1.0
    inside = rows.loc[wk == w, "text"].astype(str)
    outside = rows.loc[wk != w, "text"].astype(str)
    cin: Counter[str] = Counter()
    cout: Counter[str] = Counter()
    for t in inside:
        cin.update(set(content_words(t)))
    for t in outside:
        cout.update(set(content_words(t)))
    lift = {x: (c / max(len(inside), 1)) / ((cout[x] + 1) / (len(outside) + 1))
            for x, c in cin.items() if c >= 5}
    terms = [x for x, _ in sorted(lift.items(), key=lambda kv: (-kv[1], kv[0]))[:5]]  # ties: by word
    return {"week": w.date().isoformat(), "voices": top, "ratio_to_median_week": top / med,
            "terms": terms}


def evidence(rows: pd.DataFrame, ts: pd.Series, n: int = 3) -> list[dict[str, Any]]:
    r = rows.drop_duplicates("text").sort_values("negativity", ascending=False).head(n * 5)
    r = r.drop_duplicates("item_id").head(n)
    return [{"item_id": x.item_id, "text": str(x.text),
             "date": iso_day(ts[x.item_id]) if x.item_id in ts.index else None}
            for x in r.itertuples()]


def iso_day(v: Any) -> str | None:
    """The date of a timestamp, or None for an undated voice (never "NaT")."""
    return None if v is None or pd.isna(v) else cast(pd.Timestamp, v).date().isoformat()


def raisers(items: pd.DataFrame, flagged: set[str], n: int = 3) -> dict[str, Any]:
    w = items[items["id"].isin(flagged) & items["customer_id"].notna()]
    first = w.sort_values("timestamp").drop_duplicates("customer_id").head(n)
    return {"count": int(w["customer_id"].nunique()),
            "first": [{"customer_id": r.customer_id,
                       "date": iso_day(r.timestamp),
                       "item_id": r.id} for r in first.itertuples()]}
