"""Needs-based segments on the demo."""

from __future__ import annotations

import pytest


@pytest.mark.slow
def test_demo_segments(demo_ws) -> None:
    from escucha.insights.segments import segments

    res = segments(demo_ws.context, seed=0)
    assert 2 <= res["k"] <= 8
    assert sum(s["size"] for s in res["segments"]) == res["customers"]
    assert all(s["description_es"] and s["description_en"] for s in res["segments"])
    # one segment gathers the unhappy customers: lowest NPS and most churn threats
    worst = min(res["segments"], key=lambda s: s["nps"])
    assert worst["churn_threat_share"] == max(s["churn_threat_share"] for s in res["segments"])
    assert segments(demo_ws.context, seed=0, save=False)["assignments"] == res["assignments"]

