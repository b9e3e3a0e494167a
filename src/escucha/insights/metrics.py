"""CX metrics with confidence: NPS, CSAT (% top-2), CES, rating, sentiment index and volume.

The store returns sufficient statistics per group (counts and sums); this module turns them into
metrics with 95% confidence intervals and tests period-over-period changes for significance.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as st

from escucha.jsonable import jsonable

Z95 = 1.959963984540054
METRIC_COLUMNS = ("nps", "enps", "csat", "ces", "rating", "sentiment_index")


def net_score(pos: float, neg: float, n: float) -> tuple[float, float, float, float]:
    """A net score (NPS-style, -100..100), its standard error and 95% CI; NaN when n == 0."""
    if n <= 0:
        return (math.nan,) * 4
    pp, pd_ = pos / n, neg / n
    score = 100.0 * (pp - pd_)
    var = max(pp + pd_ - (pp - pd_) ** 2, 0.0) / n
    se = 100.0 * math.sqrt(var)
    if n < 2:
        return score, math.nan, math.nan, math.nan
    return score, se, max(-100.0, score - Z95 * se), min(100.0, score + Z95 * se)


def wilson(k: float, n: float) -> tuple[float, float, float]:
    """Proportion (in %) with its Wilson 95% interval."""
    if n <= 0:
        return math.nan, math.nan, math.nan
    p = k / n
    denom = 1 + Z95**2 / n
    centre = (p + Z95**2 / (2 * n)) / denom
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / denom
    return 100 * p, 100 * max(0.0, centre - half), 100 * min(1.0, centre + half)


def mean_ci(total: float, sq: float, n: float) -> tuple[float, float, float, float]:
    """Mean, standard error and 95% CI from a sum and a sum of squares."""
    if n <= 0:
        return (math.nan,) * 4
    mean = total / n
    if n < 2:
        return mean, math.nan, math.nan, math.nan
    var = max((sq - n * mean * mean) / (n - 1), 0.0)
    se = math.sqrt(var / n)
    return mean, se, mean - Z95 * se, mean + Z95 * se


COUNT_COLUMNS = ("volume", "volume_prev", "n_analysed", "n_nps", "n_enps", "n_csat", "n_ces", "n_rating")


def summarize(stats: pd.DataFrame, dims: Sequence[str] = ()) -> pd.DataFrame:
    """Metrics with confidence intervals for each row of sufficient statistics."""
    rows = []
    for rec in stats.to_dict("records"):
        out = {d: rec[d] for d in dims}
        out["volume"] = int(rec["n"])
        out["n_analysed"] = int(rec["n_analysed"])
        nps, nps_se, lo, hi = net_score(rec["promoters"], rec["detractors"], rec["n_nps"])
        out.update(n_nps=int(rec["n_nps"]), nps=nps, nps_se=nps_se, nps_low=lo, nps_high=hi)
        if rec["n_nps"]:
            out.update(
                promoters_pct=100 * rec["promoters"] / rec["n_nps"],
                detractors_pct=100 * rec["detractors"] / rec["n_nps"],
            )
        if "n_enps" in rec:  # employees' NPS: a metric of its own, never mixed into customers'
            e, e_se, elo, ehi = net_score(rec["e_promoters"], rec["e_detractors"], rec["n_enps"])
            out.update(n_enps=int(rec["n_enps"]), enps=e, enps_se=e_se, enps_low=elo, enps_high=ehi)
        c, clo, chi = wilson(rec["csat_top2"], rec["n_csat"])
        out.update(n_csat=int(rec["n_csat"]), csat=c, csat_low=clo, csat_high=chi)
        m, se, lo, hi = mean_ci(rec["ces_sum"], rec["ces_sq"], rec["n_ces"])
        out.update(n_ces=int(rec["n_ces"]), ces=m, ces_se=se, ces_low=lo, ces_high=hi)
        m, se, lo, hi = mean_ci(rec["rating_sum"], rec["rating_sq"], rec["n_rating"])
        out.update(n_rating=int(rec["n_rating"]), rating=m, rating_se=se, rating_low=lo, rating_high=hi)
        known = rec["positive"] + rec["neutral"] + rec["negative"]
        si, si_se, lo, hi = net_score(rec["positive"], rec["negative"], known)
        out.update(
            sentiment_index=si, sentiment_index_se=si_se, sentiment_index_low=lo, sentiment_index_high=hi,
            positive_pct=100 * rec["positive"] / known if known else math.nan,
            negative_pct=100 * rec["negative"] / known if known else math.nan,
        )
        rows.append(out)
    cols = [*dims, "volume"]
    return pd.DataFrame(rows, columns=None if rows else cols)


def _p_value(delta: float, se1: float, se2: float) -> float:
    se = math.sqrt(se1 * se1 + se2 * se2) if not (math.isnan(se1) or math.isnan(se2)) else math.nan
    if not se or math.isnan(se) or math.isnan(delta):
        return math.nan
    return float(2 * st.norm.sf(abs(delta) / se))


def _csat_se(row: pd.Series) -> float:
    n = row.get("n_csat", 0) or 0
    if n < 2 or math.isnan(row.get("csat", math.nan)):
        return math.nan
    p = row["csat"] / 100
    return 100 * math.sqrt(p * (1 - p) / n)


def add_changes(df: pd.DataFrame, group: Sequence[str], period: str, alpha: float = 0.05) -> pd.DataFrame:
    """Add change vs the previous period of the same group, a p-value and a significance flag."""
    if df.empty:
        return df
    df = df.sort_values([*group, period]).reset_index(drop=True)
    df["csat_se"] = df.apply(_csat_se, axis=1)
    keyed = df.groupby(list(group), dropna=False, sort=False) if group else None
    for m in METRIC_COLUMNS:
        if m not in df:
            continue
        prev = keyed[m].shift(1) if keyed is not None else df[m].shift(1)
        prev_se = keyed[f"{m}_se"].shift(1) if keyed is not None else df[f"{m}_se"].shift(1)
        df[f"{m}_prev"] = prev
        df[f"{m}_change"] = df[m] - prev
        pvals = [
            _p_value(d, s1, s2)
            for d, s1, s2 in zip(df[f"{m}_change"], df[f"{m}_se"], prev_se, strict=True)
        ]
        df[f"{m}_p"] = pvals
        df[f"{m}_significant"] = [bool(p < alpha) if not math.isnan(p) else False for p in pvals]
    vol_prev = keyed["volume"].shift(1) if keyed is not None else df["volume"].shift(1)
    df["volume_prev"] = vol_prev
    df["volume_change_pct"] = 100 * (df["volume"] - vol_prev) / vol_prev.replace(0, np.nan)
    return df


def to_records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-friendly rows (``escucha.jsonable``): NaN → None, timestamps → ISO strings, numpy →
    Python; figures rounded to 4 decimals, counts whole (a frame holding NaN for a suppressed
    group turns its counts into floats)."""
    out = []
    for rec in df.to_dict("records"):
        row: dict[str, Any] = {}
        for k, v in rec.items():
            v = jsonable(v)
            if isinstance(v, float):
                v = int(v) if k in COUNT_COLUMNS and v.is_integer() else round(v, 4)
            row[str(k)] = v
        out.append(row)
    return out
