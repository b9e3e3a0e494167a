"""The Workspace end to end: ingest → analyse (incremental) → metrics by any dimension."""

from __future__ import annotations

import pandas as pd
import pytest

import escucha
from escucha.errors import ValidationError
from escucha.store import Filters


@pytest.fixture
def analysed(ws, voices):
    ws.ingest(pd.DataFrame(voices), source_name="t")
    ws.add_customers([{"id": "c1", "attributes": {"tier": "gold"}}, {"id": "c2", "attributes": {"tier": "bronze"}}])
    ws.analyze()
    return ws


def test_analysis_is_incremental_and_follows_edits(ws, voices) -> None:
    ws.ingest(pd.DataFrame(voices), source_name="t")
    first = ws.analyze()
    assert first.analysed == len(voices) and first.failed == 0
    assert ws.analyze().analysed == 0  # nothing new
    edited = dict(voices[0], text="Nadie me atendió y el pedido llegó roto.")
    summary = ws.ingest(pd.DataFrame([edited]), source_name="t")
    assert summary.updated == 1
    again = ws.analyze()
    assert again.analysed == 1
    item, analysis = ws.get("t:v1")
    assert item.text.startswith("Nadie me atendió")
    assert analysis is not None and analysis.sentiment == "negative"


def test_every_voice_gets_a_real_analysis(analysed) -> None:
    items = analysed.items(limit=None).set_index("id")
    assert items["sentiment"].notna().all()
    assert items.loc["t:v2", "sentiment"] == "negative"
    assert items.loc["t:v3", "sentiment"] == "positive"
    assert "churn_threat" in items.loc["t:v2", "intents"]
    assert "public_threat" in items.loc["t:v6", "intents"]
    assert items.loc["t:v6", "urgency"] > items.loc["t:v1", "urgency"]


def test_metrics_by_dimensions(analysed) -> None:
    by_channel = analysed.metrics(by="channel").set_index("channel")
    assert by_channel.loc["survey", "nps"] == pytest.approx(0.0)  # one promoter, one detractor
    assert by_channel.loc["chat", "csat"] == pytest.approx(100.0)
    assert by_channel["volume"].sum() == 6
    by_tier = analysed.metrics(by="attr:tier").set_index("attr:tier")
    assert set(by_tier.index.dropna()) == {"gold", "bronze"}
    by_aspect = analysed.metrics(by="aspect")
    assert len(by_aspect) >= 2
    weekly = analysed.metrics(by="channel", period="week")
    assert {"nps_change", "nps_significant", "volume_change_pct"} <= set(weekly.columns)


def test_filters(analysed) -> None:
    neg = analysed.items(Filters(sentiment=["negative"]), limit=None)
    assert set(neg["id"]) >= {"t:v2", "t:v4"}
    madrid = analysed.metrics(filters=Filters(location=["Madrid"]))
    assert madrid.loc[0, "volume"] == 3


def test_bad_dimension_is_a_clear_error(analysed) -> None:
    with pytest.raises(ValidationError, match="unknown dimension"):
        analysed.metrics(by="colour")


def test_analyze_texts_contract() -> None:
    recs = escucha.analyze_texts(["Me encanta, gracias!", "Worst service ever, I will cancel my account", "", "🙂🙂"])
    assert len(recs) == 4
    for r in recs:
        assert {"language", "sentiment", "sentiment_score", "emotions", "aspects", "intents", "urgency"} <= set(r)
        assert r["sentiment"] in ("negative", "neutral", "positive", "unknown")
    assert recs[0]["sentiment"] == "positive" and recs[0]["language"] == "es"
    assert recs[1]["sentiment"] == "negative" and "churn_threat" in recs[1]["intents"]
    assert recs[2]["sentiment"] == "unknown"


def test_public_api_is_curated() -> None:
    for name in escucha.__all__:
        assert hasattr(escucha, name), name


def test_editing_the_taxonomy_reanalyses(ws, voices) -> None:
    ws.ingest(pd.DataFrame(voices), source_name="t")
    ws.analyze()
    (ws.path / "taxonomy.yaml").write_text(
        "aspects:\n  - id: phone_line\n    label: {es: Línea telefónica, en: Phone line}\n"
        "    parent: customer_service\n    owner: Contact center\n    terms:\n      es: [teléfono]\n      en: [phone]\n",
        encoding="utf-8",
    )
    fresh = escucha.open(ws.path)
    assert fresh.pending() == len(voices)
    fresh.analyze()
    aspects = fresh.aspects()
    assert "phone_line" in set(aspects["aspect"])


def test_employee_groups_below_the_anonymity_threshold_show_nothing(ws) -> None:
    rows = [{"id": f"e{i}", "channel": "employee", "text": "Los turnos son un caos", "nps": 2,
             "timestamp": "2024-03-04T10:00:00Z", "metadata": {"department": "Logística"}} for i in range(3)]
    rows += [{"id": f"s{i}", "channel": "employee", "text": "Buen ambiente en tienda", "nps": 9,
              "timestamp": f"2024-03-0{1 + i % 5}T10:00:00Z", "metadata": {"department": "Tiendas"}} for i in range(8)]
    rows += [{"id": "l2", "channel": "employee", "text": "Sigue igual", "nps": 3,
              "timestamp": "2024-02-05T10:00:00Z", "metadata": {"department": "Logística"}}]
    ws.add(rows)
    ws.analyze()
    by_dept = ws.metrics(by="meta:department").set_index("meta:department")
    assert bool(by_dept.loc["Logística", "suppressed"]) and pd.isna(by_dept.loc["Logística", "nps"])
    assert pd.isna(by_dept.loc["Logística", "volume"])  # even the head count is hidden
    # Tiendas alone would show, but the whole company minus Tiendas would then be Logística:
    # complementary suppression hides it too (issue 15)
    assert bool(by_dept.loc["Tiendas", "suppressed"]) and pd.isna(by_dept.loc["Tiendas", "enps"])
    monthly = ws.metrics(by="meta:department", period="month")
    logistics = monthly[monthly["meta:department"] == "Logística"]
    assert logistics[["nps", "nps_prev", "nps_change"]].isna().all().all()  # no leak through deltas
    assert ws.metrics().loc[0, "volume"] == 12  # the whole company (12 people) is shown


def test_analyser_options_come_from_the_workspace_file(tmp_path) -> None:
    root = tmp_path / "w"
    root.mkdir()
    (root / "escucha.yaml").write_text(
        "pipeline: [language, sentences, sentiment, intent]\nanalyzers:\n  intent: {threshold: 0.99}\n",
        encoding="utf-8",
    )
    ws = escucha.open(root)
    assert ws.pipeline.names == ["language", "sentences", "sentiment", "intent"]
    ws.add([{"id": "x", "text": "Me doy de baja, pésimo servicio"}])
    ws.analyze()
    strict = ws.items(limit=None).iloc[0]["intents"]
    assert "complaint" not in list(strict)  # a complaint scores below 0.99
    assert ws.pipeline.version != escucha.open(tmp_path / "other").pipeline.version


def test_customer_nps_and_employee_enps_are_never_mixed(ws) -> None:
    rows = [{"id": f"c{i}", "channel": "survey", "text": "Bien", "nps": 10, "customer_id": f"C{i}"} for i in range(6)]
    rows += [{"id": f"d{i}", "channel": "survey", "text": "Mal", "nps": 2, "customer_id": f"D{i}"} for i in range(2)]
    rows += [{"id": f"e{i}", "channel": "employee", "text": "Turnos", "nps": 1, "customer_id": f"E{i}"} for i in range(6)]
    ws.add(rows)
    ws.analyze()
    overall = ws.metrics().iloc[0]
    assert overall["n_nps"] == 8 and overall["nps"] == 50  # (6 - 2) / 8 customers, no employee in it
    assert overall["n_enps"] == 6 and overall["enps"] == -100
    by_channel = ws.metrics(by="channel").set_index("channel")
    assert pd.isna(by_channel.loc["employee", "nps"]) and by_channel.loc["employee", "enps"] == -100
    assert by_channel.loc["survey", "n_enps"] == 0
