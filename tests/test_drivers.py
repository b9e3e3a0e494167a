"""Key drivers: exact ΔNPS, quadrants, OLS importance on hand-made data; drivers on the demo."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from escucha.insights.drivers import key_drivers, nps_impact, ols_importance, quadrant


def test_nps_impact_exact() -> None:
    # 100 respondents, 12 detractors mention delivery: NPS gains 12 points if they became passives
    assert nps_impact(12, 100) == pytest.approx(12.0)
    assert nps_impact(1, 3) == pytest.approx(100 / 3)


def test_quadrants() -> None:
    assert quadrant(5, -10, 3, 20) == "fix now"
    assert quadrant(5, 40, 3, 20) == "keep up"
    assert quadrant(1, 40, 3, 20) == "maintain"
    assert quadrant(1, -10, 3, 20) == "low priority"


def test_ols_importance_recovers_effect_and_is_seeded() -> None:
    rng = np.random.default_rng(1)
    X = rng.integers(-1, 2, size=(400, 2)).astype(float)
    y = 7 + 2.0 * X[:, 0] + rng.normal(0, 0.5, 400)
    coef, lo, hi = ols_importance(X, y, n_boot=100, seed=3)
    assert coef[0] == pytest.approx(2.0, abs=0.1) and abs(coef[1]) < 0.1
    assert lo[0] < 2.0 < hi[0] and lo[1] < 0 < hi[1]
    again = ols_importance(X, y, n_boot=100, seed=3)
    assert np.allclose(again[1], lo)


def test_key_drivers_hand_made() -> None:
    # 10 respondents: delivery complaints come with detractors, staff praise with promoters
    items = pd.DataFrame({"id": [f"i{k}" for k in range(10)],
                          "nps": [0, 2, 3, 5, 9, 10, 10, 9, 8, 7]})
    rows = pd.DataFrame({
        "item_id": ["i0", "i1", "i2", "i3", "i4", "i5", "i6", "i7"],
        "driver": ["delivery"] * 4 + ["staff"] * 4, "label": ["Delivery"] * 4 + ["Staff"] * 4,
        "sign": [-1, -1, -1, 1, 1, 1, 1, 1],
    })
    df = key_drivers(items, rows, "nps", min_mentions=2, n_boot=50).set_index("driver")
    assert df.loc["delivery", "impact"] == pytest.approx(40.0)  # 4 detractors / 10
    assert df.loc["staff", "impact"] == 0.0
    assert df.loc["delivery", "performance"] == pytest.approx(-100.0)
    assert df.loc["staff", "performance"] == pytest.approx(100.0)
    assert df.loc["delivery", "importance"] > 0


@pytest.mark.slow
def test_drivers_on_demo(demo_ws) -> None:
    from escucha.insights.drivers import drivers
    from escucha.report.drivers_chart import drivers_chart

    df = drivers(demo_ws.context, target="nps", n_boot=50)
    assert {"driver", "impact", "importance", "quadrant"} <= set(df.columns)
    # delivery has the largest NPS impact among aspects
    assert df.sort_values("impact").iloc[-1]["driver"] == "delivery_logistics"
    assert set(df["quadrant"]) <= {"fix now", "keep up", "maintain", "low priority"}
    out = drivers_chart(df, demo_ws.path / "drivers.png")
    assert out.stat().st_size > 1000

