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
    # segments by needs, described by what their customers care about (not "talk more about praise")
    assert all("praise" not in s["description_en"] for s in res["segments"])
    assert all(s["share"] >= 5 for s in res["segments"])  # no tiny, unstable segment
    # the customers who care about delivery (the courier collapse) threaten to leave the most
    courier = next(s for s in res["segments"] if "Delivery and logistics" in s["description_en"])
    assert courier["churn_threat_share"] == max(s["churn_threat_share"] for s in res["segments"])
    assert segments(demo_ws.context, seed=0, save=False)["assignments"] == res["assignments"]

