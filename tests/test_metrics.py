"""Metric formulas against hand-computed values."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from escucha.insights.metrics import add_changes, mean_ci, net_score, summarize, to_records, wilson


def test_nps_and_its_interval() -> None:
    nps, se, lo, hi = net_score(50, 20, 100)
    assert nps == pytest.approx(30.0)
    # var = (0.5 + 0.2 - 0.3^2)/100 = 0.0061 -> se = 7.81 points
    assert se == pytest.approx(100 * math.sqrt(0.0061))
    assert lo == pytest.approx(30 - 1.96 * se, abs=0.01) and hi == pytest.approx(30 + 1.96 * se, abs=0.01)


def test_empty_groups_give_nan_not_errors() -> None:
    assert all(math.isnan(x) for x in net_score(0, 0, 0))
    assert math.isnan(wilson(0, 0)[0]) and math.isnan(mean_ci(0, 0, 0)[0])


def test_wilson_interval_stays_inside_0_100() -> None:
    p, lo, hi = wilson(10, 10)
    assert p == 100 and hi == pytest.approx(100) and 65 < lo < 75


def test_mean_ci() -> None:
    values = [1, 2, 3, 4, 5]
    m, se, lo, hi = mean_ci(sum(values), sum(v * v for v in values), len(values))
    assert m == 3 and se == pytest.approx(math.sqrt(2.5 / 5))
    assert (lo, hi) == (pytest.approx(3 - 1.96 * se, abs=1e-3), pytest.approx(3 + 1.96 * se, abs=1e-3))


def _stats(promoters: int, detractors: int, n: int, positive: int = 0, negative: int = 0, known: int = 0) -> dict:
    return dict(n=n, n_analysed=known, n_nps=n, promoters=promoters, passives=n - promoters - detractors,
                detractors=detractors, n_csat=0, csat_top2=0, n_ces=0, ces_sum=0, ces_sq=0, n_rating=0,
                rating_sum=0, rating_sq=0, positive=positive, neutral=known - positive - negative,
                negative=negative, sentiment_sum=0.0)  # fmt: skip


def test_period_change_is_flagged_only_when_significant() -> None:
    rows = [
        {"week": pd.Timestamp("2024-01-01"), **_stats(500, 100, 1000, 600, 100, 1000)},
        {"week": pd.Timestamp("2024-01-08"), **_stats(300, 300, 1000, 300, 400, 1000)},  # big drop
        {"week": pd.Timestamp("2024-01-15"), **_stats(31, 29, 100, 30, 40, 100)},  # small noisy change
    ]
    df = add_changes(summarize(pd.DataFrame(rows), ["week"]), [], "week")
    assert df.loc[1, "nps_change"] == pytest.approx(-40.0)
    assert bool(df.loc[1, "nps_significant"]) and bool(df.loc[1, "sentiment_index_significant"])
    assert not bool(df.loc[2, "nps_significant"])
    assert not bool(df.loc[0, "nps_significant"])  # no previous period


def test_records_keep_counts_whole_when_a_group_is_suppressed() -> None:
    # A suppressed group (employee anonymity) turns the frame's counts into floats with NaN.
    df = pd.DataFrame({"channel": ["review", "employee"], "volume": [259.0, math.nan],
                       "n_nps": [130.0, math.nan], "nps": [12.345678, math.nan]})  # fmt: skip
    rows = to_records(df)
    assert rows[0] == {"channel": "review", "volume": 259, "n_nps": 130, "nps": 12.3457}
    assert isinstance(rows[0]["volume"], int) and rows[1]["volume"] is None
