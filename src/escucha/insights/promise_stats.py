"""The statistics of promise vs experience: the gap score with its CI and the before/after test.

The gap score is the share of customer voices in the promise's window (start..end) that report
it broken, each weighted by how negative the breaking sentence is (0.5 + 0.5 · negativity), in
points per 100 voices with a 95% CI.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats as st

from escucha.insights.metrics import Z95

if TYPE_CHECKING:
    pass


def gap_score(broken: np.ndarray, negativity: np.ndarray) -> tuple[float, float, float]:
    """Gap (0–100): mean of broken × (0.5 + 0.5 · negativity), with a 95% CI (normal)."""
    x = np.asarray(broken, dtype=float) * (0.5 + 0.5 * np.asarray(negativity, dtype=float))
    n = len(x)
    if n == 0:
        return math.nan, math.nan, math.nan
    mean = float(x.mean())
    if n < 2:
        return 100 * mean, math.nan, math.nan
    se = float(x.std(ddof=1) / math.sqrt(n))
    return 100 * mean, 100 * max(0.0, mean - Z95 * se), 100 * min(1.0, mean + Z95 * se)


def two_proportions(k1: int, n1: int, k2: int, n2: int) -> dict[str, Any]:
    """Compare two rates (k/n): difference in points, z-test p-value (Fisher's exact test when
    counts are small)."""
    if n1 == 0 or n2 == 0:
        return {"before": None, "after": None, "change": None, "p_value": None, "test": None}
    p1, p2 = k1 / n1, k2 / n2
    if min(k1, k2, n1 - k1, n2 - k2) < 5:
        p = float(st.fisher_exact([[k1, n1 - k1], [k2, n2 - k2]])[1])
        test = "fisher"
    else:
        pool = (k1 + k2) / (n1 + n2)
        se = math.sqrt(pool * (1 - pool) * (1 / n1 + 1 / n2))
        p = float(2 * st.norm.sf(abs(p2 - p1) / se)) if se > 0 else 1.0
        test = "z"
    return {"before": 100 * p1, "after": 100 * p2, "change": 100 * (p2 - p1), "p_value": p,
            "test": test}


def before_after(voices: pd.Series, flagged: set[str], ids: pd.Series, cut: pd.Timestamp,
                 alpha: float = 0.05, min_before: int = 30) -> dict[str, Any] | None:
    """Share of voices with a broken mention before vs from ``cut`` on, with a significance test."""
    before = ids[voices < cut]
    after = ids[voices >= cut]
    if len(before) < min_before or len(after) < min_before:
        return None
    k1 = int(before.isin(flagged).sum())
    k2 = int(after.isin(flagged).sum())
    res = two_proportions(k1, len(before), k2, len(after))
    res.update(n_before=len(before), n_after=len(after), broken_before=k1,
               broken_after=k2, cut=cut.date().isoformat(),
               worsened=bool(res["change"] is not None and res["change"] > 0
                             and res["p_value"] is not None and res["p_value"] < alpha),
               improved=bool(res["change"] is not None and res["change"] < 0
                             and res["p_value"] is not None and res["p_value"] < alpha))
    return res
