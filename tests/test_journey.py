"""Journey map: loading (defaults, errors), sentence assignment, the demo's delivery pain."""

from __future__ import annotations

import pandas as pd
import pytest

from escucha.errors import ConfigError
from escucha.insights.journey import (
    DEFAULT_JOURNEYS,
    assign_sentences,
    load_journey,
    normalize_journey,
    top_phrases,
)


@pytest.mark.parametrize("name", DEFAULT_JOURNEYS)
def test_default_journeys_load(name: str) -> None:
    j = load_journey(None, name)
    assert len(j["stages"]) >= 4
    assert all(tp["keywords"] and tp["examples"] for st in j["stages"] for tp in st["touchpoints"])


def test_journey_errors_name_field() -> None:
    with pytest.raises(ConfigError) as e:
        normalize_journey({"stages": [{"id": "a", "touchpoints": [{"name": "x"}]}]})
    assert e.value.field == "stages[0].touchpoints[0].id"


def test_assignment_by_keyword_aspect_and_similarity() -> None:
    j = load_journey(None, "retail")
    s = pd.DataFrame({
        "item_id": ["a", "b", "c", "d"], "idx": [0, 0, 0, 0],
        "text": ["El repartidor llegó tarde con el paquete", "Me devolvieron el dinero en dos días",
                 "Nothing to say really here today", "Llegó todo bien y muy bien embalado hoy"],
        "aspects": [[], [], [], ["delivery_logistics"]],
    })
    a = assign_sentences(s, j).set_index("item_id")
    assert a.loc["a", "touchpoint"] == "shipping" and a.loc["a", "how"] == "keyword"
    assert a.loc["b", "touchpoint"] == "returns"
    assert "c" not in a.index
    assert a.loc["d", "touchpoint"] == "shipping"


def test_top_phrases() -> None:
    ph = top_phrases(["¿Cuándo llega mi pedido?", "¿cuando llega el pedido?", "hola"], 3)
    assert ph[0]["phrase"] == "llega pedido" and ph[0]["count"] == 2


@pytest.mark.slow
def test_demo_journey(demo_ws, tmp_path) -> None:
    from escucha.insights.journey import journey_map
    from escucha.report.journey_chart import render_html, render_png

    data = journey_map(demo_ws.context)
    assert data["source"].endswith("company.yaml")
    by_id = {t["id"]: t for st in data["stages"] for t in st["touchpoints"]}
    pain = data["pain_points"][0]
    assert pain["stage"] == "entrega"  # most negative feedback sits at delivery
    assert by_id[pain["id"]]["sentences"] == max(t["sentences"] for t in by_id.values())
    assert data["moments_of_truth"]
    assert data["assigned_sentences"] > 0.35 * data["sentences"]
    html = render_html(data)
    assert "<svg" in html and "Reparto" in html
    assert render_png(data, tmp_path / "j.png").stat().st_size > 1000

