"""The statistics of the watch: seasonal EWMA baselines, negative-binomial tail probabilities and
Benjamini-Hochberg control of the false discovery rate across scopes.

The model, per scope ``s`` and day ``d`` (the alert window; a step is a fraction of it):

* **Volume** of a product, location or channel: the expected count by step ``k`` of day ``d`` is
  ``mu = lambda[s, d] * F_d(k)`` where ``lambda`` is an exponentially weighted moving average
  (EWMA, half-life ``half_life_days``) of the scope's past daily counts, each divided by its
  weekday factor and multiplied by today's (the weekday pattern, once two weeks of data exist),
  and ``F_d(k)`` is the share of a day's voices that have usually arrived by that hour (the
  hour-of-day pattern, estimated from all voices before ``d``).
* **Share** of an aspect or theme (alone, or within a product, location or channel), and the
  **negativity** of any scope: conditional on the parent's count so far today ``n``, the expected
  count is ``mu = n * r`` with ``r`` the EWMA share in the parent, shrunk towards the pooled share
  with ``prior_voices`` pseudo-voices (so a scope seen for the first time starts from the pooled
  share instead of zero).

The observed count ``x`` is scored by the negative-binomial upper tail ``P(X >= x)`` with mean
``mu`` and dispersion ``alpha`` (variance ``mu + alpha * mu**2``; ``alpha`` is estimated from the
scope's EWMA variance, shrunk towards ``alpha0``), so bursty scopes need more to alarm. The
p-values of one step are controlled together with Benjamini-Hochberg at level ``fdr``, and an
alert also needs an effect: ``x >= min_count`` and ``x >= min_ratio * mu``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class ModelParams:
    """How sensitive the detector is (the ``anomaly`` section of ``alerts.yaml``)."""

    fdr: float = 0.01
    min_count: int = 10
    min_ratio: float = 2.0
    share_ratio: float = 1.25
    min_parent_daily: float = 20.0
    half_life_days: float = 7.0
    alpha0: float = 0.15
    alpha_prior_days: float = 7.0
    prior_voices: float = 50.0
    min_history_days: int = 3
    min_support: int = 10


def ewma_weight(half_life_days: float) -> float:
    """The EWMA's weight on the newest day for a half-life in days."""
    return float(1.0 - 0.5 ** (1.0 / max(half_life_days, 1e-9)))


def nb_sf(x: np.ndarray, mu: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """``P(X >= x)`` for a negative binomial of mean ``mu`` and dispersion ``alpha`` (Poisson as
    ``alpha`` → 0); 1 where ``x`` is 0 or ``mu`` is not positive and ``x`` is 0."""
    x = np.asarray(x, dtype=float)
    mu = np.maximum(np.asarray(mu, dtype=float), 1e-9)
    alpha = np.maximum(np.asarray(alpha, dtype=float), 1e-6)
    n = 1.0 / alpha
    p = n / (n + mu)
    out = stats.nbinom.sf(np.maximum(x - 1.0, -1.0), n, p)
    return np.where(x <= 0, 1.0, out)  # type: ignore[no-any-return]


def benjamini_hochberg(p: np.ndarray, q: float) -> np.ndarray:
    """Which of the p-values are discoveries at false discovery rate ``q`` (a boolean mask)."""
    p = np.asarray(p, dtype=float)
    m = int(np.isfinite(p).sum())
    out = np.zeros(p.shape, dtype=bool)
    if m == 0:
        return out
    flat = np.where(np.isfinite(p), p, np.inf).ravel()
    order = np.argsort(flat, kind="stable")
    ranked = flat[order]
    ok = ranked <= q * (np.arange(1, flat.size + 1) / m)
    if ok.any():
        last = int(np.nonzero(ok)[0].max())
        out.ravel()[order[: last + 1]] = True
    return out


def dispersion(var: np.ndarray, mean: np.ndarray, days: np.ndarray, params: ModelParams) -> np.ndarray:
    """NB dispersion from an EWMA variance, shrunk towards ``alpha0`` when the history is short."""
    mean = np.maximum(mean, 1e-9)
    raw = np.clip((var - mean) / mean**2, 0.0, 2.0)
    k = params.alpha_prior_days
    return (days * raw + k * params.alpha0) / (days + k)  # type: ignore[no-any-return]


def cumulative_profile(step_counts: np.ndarray) -> np.ndarray:
    """Share of a day's volume that has arrived by the end of each step (length K, ends at 1).

    ``step_counts`` is the volume per step-of-day summed over past days; with no past, uniform."""
    total = float(step_counts.sum())
    k = step_counts.size
    if total <= 0:
        return np.arange(1, k + 1) / k  # type: ignore[no-any-return]
    smoothed = step_counts + total / k * 0.05  # a little mass everywhere: no step is "impossible"
    return np.cumsum(smoothed) / smoothed.sum()  # type: ignore[no-any-return]


def weekday_factors(day_totals: np.ndarray, weekdays: np.ndarray) -> np.ndarray:
    """Volume per weekday relative to the mean (ones until two weeks of days with data)."""
    has = day_totals > 0
    out = np.ones(7)
    if has.sum() < 14:
        return out
    mean = day_totals[has].mean()
    for w in range(7):
        sel = has & (weekdays == w)
        if sel.sum() >= 2 and mean > 0:
            out[w] = max(day_totals[sel].mean() / mean, 0.2)
    return out
